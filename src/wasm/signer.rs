//! `Signer`: one validated signer, `sign` and the vendor methods per call.

use wasm_bindgen::prelude::*;

use super::io::{self, Platform};
use super::{options_or_default, to_js};
use crate::{PrivateKeyFormat, SignOptions, Signer, SignerOptions};

#[wasm_bindgen(js_name = Signer)]
pub struct WasmSigner {
    signer: Signer,
    /// Node's crypto, when the entry has it: asymmetric signatures, and
    /// HMACs when `platform_hashes` (Node's `crypto.hash`).
    platform: Option<Platform>,
    platform_hashes: bool,
}

impl WasmSigner {
    fn wrap(signer: Signer) -> WasmSigner {
        WasmSigner {
            signer,
            platform: None,
            platform_hashes: false,
        }
    }

    /// The signature computed by the platform, or `None` to leave it to Rust.
    fn platform_signature(
        &self,
        buffer: &mut Vec<u8>,
        input: &str,
    ) -> crate::Result<Option<Vec<u8>>> {
        let Some(platform) = &self.platform else {
            return Ok(None);
        };
        match self.signer.hmac_pads() {
            Some(_) if !self.platform_hashes => Ok(None),
            Some(pads) => {
                io::put_text(buffer, input.as_bytes(), &[]);
                let (head, _) = io::split(buffer);
                io::platform_hmac(platform, head, pads, input.len()).map(Some)
            }
            None => io::platform_sign(platform, input.as_bytes()).map(Some),
        }
    }
}

#[wasm_bindgen(js_class = Signer)]
impl WasmSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmSigner, JsValue> {
        let options: SignerOptions =
            crate::options_from_json(options_json, "createSigner options").map_err(to_js)?;
        Signer::new(options).map(WasmSigner::wrap).map_err(to_js)
    }

    /// The signer behind `scopemint/tinybird`'s `createClient({ token, workspaceId, baseUrl? })`.
    #[wasm_bindgen(js_name = tinybirdClient)]
    pub fn tinybird_client(options_json: &str) -> Result<WasmSigner, JsValue> {
        crate::options_from_json(options_json, "createClient")
            .and_then(crate::profiles::tinybird::client_signer)
            .map(WasmSigner::wrap)
            .map_err(to_js)
    }

    /// Lets `platform` compute this signer's signatures (and its HMACs if
    /// `hashes`); Rust still builds every token and decides everything in it.
    #[wasm_bindgen(js_name = usePlatform)]
    pub fn use_platform(&mut self, platform: Platform, hashes: bool) {
        self.platform = Some(platform);
        self.platform_hashes = hashes;
    }

    /// Signs the claims JS wrote into the io buffer (`claims_length` bytes of
    /// JSON object text) with optional per-call options (JSON text); the token
    /// is left in the io buffer, and its length returned (0 when the call
    /// failed: see `io::answer`).
    #[wasm_bindgen(js_name = signIo)]
    pub fn sign_io(&self, claims_length: usize, options_json: Option<String>) -> usize {
        io::answer(self.sign_into_buffer(claims_length, options_json), 0)
    }

    fn sign_into_buffer(
        &self,
        claims_length: usize,
        options_json: Option<String>,
    ) -> Result<usize, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        io::with_buffer(|buffer| {
            let (_, text) = io::split(buffer);
            // Owned: the platform's HMAC layout reuses the buffer.
            let claims = io::text(text, claims_length)?.to_owned();
            let token = self.signer.sign_with(&claims, &options, |input| {
                self.platform_signature(buffer, input)
            })?;
            io::put_text(buffer, token.as_bytes(), &[]);
            Ok(token.len())
        })
        .map_err(to_js)
    }

    /// `header.payload` for the claims JS wrote into the io buffer
    /// (`claims_length` bytes), for WebCrypto to sign: left in the io buffer,
    /// its length returned (0 when the call failed: see `io::answer`).
    #[wasm_bindgen(js_name = signingInputIo)]
    pub fn signing_input_io(&self, claims_length: usize, options_json: Option<String>) -> usize {
        io::answer(
            self.signing_input_into_buffer(claims_length, options_json),
            0,
        )
    }

    fn signing_input_into_buffer(
        &self,
        claims_length: usize,
        options_json: Option<String>,
    ) -> Result<usize, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        io::with_buffer(|buffer| {
            let (_, text) = io::split(buffer);
            let input = self
                .signer
                .signing_input(io::text(text, claims_length)?, &options)?;
            io::put_text(buffer, input.as_bytes(), &[]);
            Ok(input.len())
        })
        .map_err(to_js)
    }

    /// The private key as DER for native signing; undefined for HMAC.
    #[wasm_bindgen(js_name = nativeKey)]
    pub fn native_key(&self) -> Option<Vec<u8>> {
        self.signer.private_key_der().map(|(der, _)| der.to_vec())
    }

    /// `pkcs8` or `pkcs1` (RSA).
    #[wasm_bindgen(js_name = nativeKeyFormat)]
    pub fn native_key_format(&self) -> Option<String> {
        self.signer
            .private_key_der()
            .map(|(_, format)| format.as_str().to_string())
    }

    /// The private key as PKCS#8 DER, the one private format WebCrypto imports
    /// (an RSA key's PKCS#1 wrapped); undefined for HMAC.
    #[wasm_bindgen(js_name = webCryptoKey)]
    pub fn web_crypto_key(&self) -> Option<Vec<u8>> {
        self.signer
            .private_key_der()
            .map(|(der, format)| match format {
                PrivateKeyFormat::Pkcs1 => crate::keys::rsa_pkcs8_from_pkcs1(der),
                PrivateKeyFormat::Pkcs8 => der.to_vec(),
            })
    }

    /// A vendor profile method (`signDataAccessToken`, `createJWT`, …) with its argument as JSON text.
    #[wasm_bindgen(js_name = signProfile)]
    pub fn sign_profile(&self, method: &str, params_json: &str) -> Result<String, JsValue> {
        super::profiles::sign_with_profile(&self.signer, method, params_json).map_err(to_js)
    }

    pub fn algorithm(&self) -> String {
        self.signer.algorithm().as_str().to_string()
    }

    #[wasm_bindgen(js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.signer.key_id().map(str::to_string)
    }

    /// The public JWK as JSON text, or undefined for HMAC signers.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> Option<String> {
        self.signer.public_jwk().map(|jwk| jwk.to_string())
    }

    #[wasm_bindgen(js_name = publicKeyPem)]
    pub fn public_key_pem(&self) -> Option<String> {
        self.signer.public_key_pem()
    }
}
