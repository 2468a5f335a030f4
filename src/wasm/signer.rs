//! `Signer`: one validated signer, `sign` and the vendor methods per call.

use wasm_bindgen::prelude::*;

use super::{options_or_default, to_js};
use crate::{SignOptions, Signer, SignerOptions};

#[wasm_bindgen(js_name = Signer)]
pub struct WasmSigner(Signer);

#[wasm_bindgen(js_class = Signer)]
impl WasmSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmSigner, JsValue> {
        let options: SignerOptions =
            crate::options_from_json(options_json, "createSigner options").map_err(to_js)?;
        Signer::new(options).map(WasmSigner).map_err(to_js)
    }

    /// The signer behind `scopemint/tinybird`'s `createClient({ token, workspaceId, baseUrl? })`.
    #[wasm_bindgen(js_name = tinybirdClient)]
    pub fn tinybird_client(options_json: &str) -> Result<WasmSigner, JsValue> {
        crate::options_from_json(options_json, "createClient")
            .and_then(crate::profiles::tinybird::client_signer)
            .map(WasmSigner)
            .map_err(to_js)
    }

    /// Signs the claims (JSON object text) with optional per-call options (JSON text).
    pub fn sign(&self, claims_json: &str, options_json: Option<String>) -> Result<String, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        self.0.sign(claims_json, &options).map_err(to_js)
    }

    /// `header.payload` for these claims, for signing natively (Node's crypto).
    #[wasm_bindgen(js_name = signingInput)]
    pub fn signing_input(
        &self,
        claims_json: &str,
        options_json: Option<String>,
    ) -> Result<String, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        self.0.signing_input(claims_json, &options).map_err(to_js)
    }

    /// The private key as DER for native signing; undefined for HMAC.
    #[wasm_bindgen(js_name = nativeKey)]
    pub fn native_key(&self) -> Option<Vec<u8>> {
        self.0.private_key_der().map(|(der, _)| der.to_vec())
    }

    /// `pkcs8` or `pkcs1` (RSA).
    #[wasm_bindgen(js_name = nativeKeyFormat)]
    pub fn native_key_format(&self) -> Option<String> {
        self.0
            .private_key_der()
            .map(|(_, format)| format.to_string())
    }

    /// The private key as PKCS#8 DER, the one private format WebCrypto imports
    /// (an RSA key's PKCS#1 wrapped); undefined for HMAC.
    #[wasm_bindgen(js_name = webCryptoKey)]
    pub fn web_crypto_key(&self) -> Option<Vec<u8>> {
        self.0.private_key_der().map(|(der, format)| match format {
            "pkcs1" => crate::keys::rsa_pkcs8_from_pkcs1(der),
            _ => der.to_vec(),
        })
    }

    /// A vendor profile method (`signDataAccessToken`, `createJWT`, …) with its argument as JSON text.
    #[wasm_bindgen(js_name = signProfile)]
    pub fn sign_profile(&self, method: &str, params_json: &str) -> Result<String, JsValue> {
        super::profiles::sign_with_profile(&self.0, method, params_json).map_err(to_js)
    }

    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_string()
    }

    #[wasm_bindgen(js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.0.key_id().map(str::to_string)
    }

    /// The public JWK as JSON text, or undefined for HMAC signers.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> Option<String> {
        self.0.public_jwk().map(|jwk| jwk.to_string())
    }

    #[wasm_bindgen(js_name = publicKeyPem)]
    pub fn public_key_pem(&self) -> Option<String> {
        self.0.public_key_pem()
    }
}
