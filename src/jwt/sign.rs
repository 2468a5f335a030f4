//! Signers: built once from validated options, then `sign` per token.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::SigningKey;
use crate::error::{invalid_option, Error, Result};
use crate::jose::alg::{Algorithm, KeyFamily};
use crate::jose::json::Object;
use crate::jose::{b64, compact};
use crate::jwt::time;
use crate::keys::{self, JwkMeta, PrivateKey, PrivateKeyFormat, PublicKey};
use crate::options::{Jti, Key, OneOrMany, Secret, Timestamp};
use crate::random;

/// Options for [`Signer::new`]. In JS these are the `createSigner` options
/// (read from JSON with [`crate::options_from_json`]).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignerOptions {
    /// A private key: PEM (PKCS#8, SEC1, PKCS#1), a private JWK or PKCS#8 DER.
    #[serde(default, deserialize_with = "crate::options::key_option")]
    pub private_key: Option<Key>,
    /// HMAC secret.
    pub secret: Option<Secret>,
    /// Defaults to the key's algorithm (HS256 for secrets, RS256 for RSA keys).
    #[serde(default, deserialize_with = "crate::options::algorithm_option")]
    pub algorithm: Option<Algorithm>,
    pub key_id: Option<String>,
    pub ttl_in_minutes: Option<f64>,
    pub ttl_seconds: Option<f64>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub audience: Option<OneOrMany>,
    /// Header `typ`; `"JWT"` unless set.
    pub typ: Option<String>,
    /// Allow tokens without `exp` when neither a TTL nor `expiresAt` is given.
    #[serde(default)]
    pub allow_missing_expiry: bool,
    /// Tinybird workspace id, for `createJWT`.
    pub workspace_id: Option<String>,
}

/// Per-call options for [`Signer::sign`].
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignOptions {
    /// Sets `exp`.
    #[serde(default, deserialize_with = "crate::options::timestamp_option")]
    pub expires_at: Option<Timestamp>,
    /// Sets `nbf`.
    #[serde(default, deserialize_with = "crate::options::timestamp_option")]
    pub not_before: Option<Timestamp>,
    #[serde(default, deserialize_with = "crate::options::jti_option")]
    pub jti: Option<Jti>,
    pub subject: Option<String>,
    pub audience: Option<OneOrMany>,
    pub issuer: Option<String>,
    /// Extra protected header members (`kid`, `typ`, `cty`, custom ones).
    pub header: Option<Map<String, Value>>,
}

/// Header members a caller may not set: the algorithm is the key's, and the
/// others would make tokens that verifiers must (and ours do) refuse.
const RESERVED_HEADER_MEMBERS: [&str; 7] = ["alg", "crit", "b64", "jku", "x5u", "jwk", "x5c"];

pub struct Signer {
    key: SigningKey,
    key_id: Option<String>,
    typ: String,
    public_key: Option<PublicKey>,
    private_der: Option<(Vec<u8>, PrivateKeyFormat)>,
    header_segment: String,
    ttl_seconds: Option<i64>,
    issuer: Option<String>,
    subject: Option<String>,
    audience: Option<Value>,
    allow_missing_expiry: bool,
    workspace_id: Option<String>,
}

fn audience_value(audience: OneOrMany) -> Result<Value> {
    let list = audience.into_vec();
    if list.is_empty() || list.iter().any(String::is_empty) {
        return Err(invalid_option(
            "audience",
            "must be a non-empty string or list of non-empty strings",
        ));
    }
    Ok(if list.len() == 1 {
        Value::String(list.into_iter().next().unwrap_or_default())
    } else {
        list.into()
    })
}

impl Signer {
    pub fn new(options: SignerOptions) -> Result<Signer> {
        let requested = options.algorithm;
        let (key, private, jwk_meta) = match (options.private_key, options.secret) {
            (Some(_), Some(_)) => {
                return Err(invalid_option(
                    "privateKey",
                    "give either `privateKey` or `secret`, not both",
                ))
            }
            (None, None) => {
                return Err(invalid_option(
                    "privateKey",
                    "a signer needs `privateKey` or `secret`",
                ))
            }
            (None, Some(secret)) => {
                secret.check_not_a_key()?;
                let alg = keys::algorithm_for(KeyFamily::Hmac, requested)?;
                (
                    SigningKey::from_secret(&secret.bytes, alg)?,
                    None,
                    JwkMeta::default(),
                )
            }
            (Some(private_key), None) => {
                let (private, meta) = match private_key {
                    Key::Pem(pem) => (PrivateKey::from_pem(&pem)?, JwkMeta::default()),
                    Key::Jwk(jwk) => keys::parse_private_jwk(&Value::Object(jwk))?,
                    Key::Der(der) => (PrivateKey::from_pkcs8_der(&der)?, JwkMeta::default()),
                };
                let alg = match (requested, meta.alg) {
                    (Some(asked), Some(declared)) if asked != declared => {
                        return Err(invalid_option(
                            "algorithm",
                            format!(
                                "the JWK declares \"{}\" but \"{}\" was asked for",
                                declared.as_str(),
                                asked.as_str()
                            ),
                        ))
                    }
                    (asked, declared) => keys::algorithm_for(private.family(), asked.or(declared))?,
                };
                (
                    SigningKey::from_private(&private, alg)?,
                    Some(private),
                    meta,
                )
            }
        };
        let ttl_seconds = match (options.ttl_in_minutes, options.ttl_seconds) {
            (Some(_), Some(_)) => {
                return Err(invalid_option(
                    "ttlSeconds",
                    "give `ttlInMinutes` or `ttlSeconds`, not both",
                ))
            }
            (Some(minutes), None) => Some(time::lifetime_seconds(minutes, 60.0, "ttlInMinutes")?),
            (None, Some(seconds)) => Some(time::lifetime_seconds(seconds, 1.0, "ttlSeconds")?),
            (None, None) => None,
        };
        let key_id = options.key_id.or(jwk_meta.kid);
        let typ = options.typ.unwrap_or_else(|| "JWT".to_string());
        let header_segment = b64::encode(&header_json(
            key.algorithm(),
            &typ,
            key_id.as_deref(),
            None,
        )?);
        Ok(Signer {
            key,
            key_id,
            typ,
            public_key: private.as_ref().map(PrivateKey::public_key),
            private_der: private.as_ref().map(PrivateKey::to_der),
            header_segment,
            ttl_seconds,
            issuer: options.issuer,
            subject: options.subject,
            audience: options.audience.map(audience_value).transpose()?,
            allow_missing_expiry: options.allow_missing_expiry,
            workspace_id: options.workspace_id,
        })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The public key as a JWK; `None` for HMAC signers, which have none.
    pub fn public_jwk(&self) -> Option<Value> {
        self.public_key
            .as_ref()
            .map(|key| keys::public_jwk(key, self.key_id.as_deref(), self.algorithm()))
    }

    pub fn public_key_pem(&self) -> Option<String> {
        self.public_key.as_ref().map(PublicKey::to_pem)
    }

    /// Signs `claims` (a map, a `serde_json::Value` object or any struct that
    /// serialises to a JSON object) at the current time.
    pub fn sign_claims<C: Serialize + ?Sized>(
        &self,
        claims: &C,
        options: &SignOptions,
    ) -> Result<String> {
        self.sign(&claims_text(claims)?, options)
    }

    /// [`Signer::sign_claims`] with `now` as the issue time.
    pub fn sign_claims_at<C: Serialize + ?Sized>(
        &self,
        claims: &C,
        options: &SignOptions,
        now: i64,
    ) -> Result<String> {
        self.sign_at(&claims_text(claims)?, options, now)
    }

    /// Signs `claims` given as a JSON object's text (the form the wasm
    /// adapter has), kept as written, at the current time.
    pub fn sign(&self, claims: &str, options: &SignOptions) -> Result<String> {
        self.sign_at(claims, options, time::now_whole_seconds()?)
    }

    /// Signs with `now` as the issue time; for tests and replay-free batch jobs.
    /// A `now` outside `0..=1e11` Unix seconds is `ERR_CLOCK_INVALID`.
    pub fn sign_at(&self, claims_json: &str, options: &SignOptions, now: i64) -> Result<String> {
        let input = self.signing_input_at(claims_json, options, now)?;
        self.append_signature(input)
    }

    /// `header.payload` for these claims, unsigned: for platforms that sign
    /// natively with [`Signer::private_key_der`].
    pub fn signing_input(&self, claims_json: &str, options: &SignOptions) -> Result<String> {
        self.signing_input_at(claims_json, options, time::now_whole_seconds()?)
    }

    fn signing_input_at(
        &self,
        claims_json: &str,
        options: &SignOptions,
        now: i64,
    ) -> Result<String> {
        time::checked_now(now as f64)?;
        let claims = Object::parse(claims_json)
            .map_err(|e| invalid_option("claims", format!("must be a JSON object: {e}")))?;
        check_registered_claim_types(&claims)?;

        let mut added: Vec<(&str, Value)> = Vec::with_capacity(6);
        if !claims.contains("iat") {
            added.push(("iat", now.into()));
        }
        let explicit_exp =
            from_option_or_claim(&claims, "exp", options.expires_at.as_ref(), "expiresAt")?;
        match explicit_exp {
            Some(exp) => {
                let exp = time::instant(exp, "expiresAt")?;
                time::check_expiry_within_max(exp as f64, now, "expiresAt")?;
                added.push(("exp", exp.into()));
            }
            None if claims.contains("exp") => {
                let exp = claims.number("exp").ok().flatten().unwrap_or(f64::NAN);
                time::check_expiry_within_max(exp, now, "exp")?;
            }
            None => match self.ttl_seconds {
                Some(ttl) => added.push(("exp", time::expiry_after(now, ttl, "ttlSeconds")?.into())),
                None if self.allow_missing_expiry => {}
                None => {
                    return Err(invalid_option(
                        "expiresAt",
                        "the token would never expire: set `ttlInMinutes`/`ttlSeconds` on the signer, `expiresAt` \
                         per call, or `allowMissingExpiry: true`",
                    ))
                }
            },
        }
        if let Some(nbf) =
            from_option_or_claim(&claims, "nbf", options.not_before.as_ref(), "notBefore")?
        {
            added.push(("nbf", time::instant(nbf, "notBefore")?.into()));
        }
        let string_claims = [
            (
                "iss",
                "issuer",
                options.issuer.as_ref(),
                self.issuer.as_ref(),
            ),
            (
                "sub",
                "subject",
                options.subject.as_ref(),
                self.subject.as_ref(),
            ),
        ];
        for (claim, option, per_call, default) in string_claims {
            let per_call = per_call.map(|v| Value::String(v.clone()));
            if let Some(value) = from_option_or_claim(&claims, claim, per_call.as_ref(), option)? {
                added.push((claim, value.clone()));
            } else if let (false, Some(default)) = (claims.contains(claim), default) {
                added.push((claim, Value::String(default.clone())));
            }
        }
        let audience = options.audience.clone().map(audience_value).transpose()?;
        if let Some(aud) = from_option_or_claim(&claims, "aud", audience.as_ref(), "audience")? {
            added.push(("aud", aud.clone()));
        } else if let (false, Some(default)) = (claims.contains("aud"), &self.audience) {
            added.push(("aud", default.clone()));
        }
        match from_option_or_claim(&claims, "jti", options.jti.as_ref(), "jti")? {
            Some(Jti::Random) => added.push(("jti", random::uuid_v4()?.into())),
            Some(Jti::Off) | None => {}
            Some(Jti::Id(id)) if !id.is_empty() => added.push(("jti", Value::String(id.clone()))),
            Some(Jti::Id(_)) => {
                return Err(invalid_option(
                    "jti",
                    "must be `true` or a non-empty string",
                ))
            }
        }

        let payload = splice_claims(claims_json, claims.is_empty(), &added)?;
        match &options.header {
            Some(extra) => {
                let header = header_json(
                    self.algorithm(),
                    &self.typ,
                    self.key_id.as_deref(),
                    Some(extra),
                )?;
                Ok(compact::join_segments(&b64::encode(&header), &payload))
            }
            None => Ok(compact::join_segments(&self.header_segment, &payload)),
        }
    }

    /// Signs a payload exactly as given (JSON object text), adding nothing:
    /// for vendor profiles whose claim set is fixed by the vendor.
    pub(crate) fn sign_payload(&self, payload: &[u8]) -> Result<String> {
        self.append_signature(compact::join_segments(&self.header_segment, payload))
    }

    /// Signs with a signature the platform computes (Node's crypto, from
    /// [`Signer::private_key_der`] or [`Signer::hmac_pads`]): `platform` gets
    /// the signing input and returns the signature, or `None` to leave it to
    /// this crate's own crypto. Everything else is [`Signer::sign`]'s.
    pub(crate) fn sign_with(
        &self,
        claims_json: &str,
        options: &SignOptions,
        platform: impl FnOnce(&str) -> Result<Option<Vec<u8>>>,
    ) -> Result<String> {
        let mut input = self.signing_input(claims_json, options)?;
        match platform(&input)? {
            Some(signature) => {
                input.push('.');
                b64::encode_into(&signature, &mut input);
                Ok(input)
            }
            None => self.append_signature(input),
        }
    }

    /// The HMAC key's keyed blocks, for a platform hash function; `None` for other keys.
    pub(crate) fn hmac_pads(&self) -> Option<&crate::crypto::hmac::HmacPads> {
        self.key.hmac_pads()
    }

    /// The private key as DER and its format (PKCS#8, or PKCS#1 for RSA); `None` for HMAC.
    pub fn private_key_der(&self) -> Option<(&[u8], PrivateKeyFormat)> {
        self.private_der
            .as_ref()
            .map(|(der, format)| (der.as_slice(), *format))
    }

    pub fn workspace_id(&self) -> Option<&str> {
        self.workspace_id.as_deref()
    }

    pub(crate) fn ttl_seconds(&self) -> Option<i64> {
        self.ttl_seconds
    }

    fn append_signature(&self, mut input: String) -> Result<String> {
        let signature = self.key.sign(input.as_bytes(), b64::encode)?;
        input.push('.');
        input.push_str(&signature);
        Ok(input)
    }
}

/// The value for `claim` given either as a call option or in the claims, but
/// never both: two sources for one claim is a conflict, not a choice.
fn from_option_or_claim<'v, T>(
    claims: &Object,
    claim: &str,
    option: Option<&'v T>,
    option_name: &str,
) -> Result<Option<&'v T>> {
    if option.is_some() && claims.contains(claim) {
        return Err(invalid_option(
            option_name,
            format!("conflicts with the \"{claim}\" claim; give one or the other"),
        ));
    }
    Ok(option)
}

/// Registered claims in the caller's claims must have their RFC 7519 types,
/// or the token would be refused by every verifier.
fn check_registered_claim_types(claims: &Object) -> Result<()> {
    for name in ["exp", "nbf", "iat"] {
        if claims.number(name).is_err() {
            return Err(invalid_option(
                "claims",
                format!("\"{name}\" must be a number (Unix seconds)"),
            ));
        }
    }
    for name in ["iss", "sub", "jti"] {
        if claims.string(name).is_err() {
            return Err(invalid_option(
                "claims",
                format!("\"{name}\" must be a string"),
            ));
        }
    }
    if claims.audience().is_err() {
        return Err(invalid_option(
            "claims",
            "\"aud\" must be a string or a list of strings",
        ));
    }
    Ok(())
}

fn header_json(
    alg: Algorithm,
    typ: &str,
    kid: Option<&str>,
    extra: Option<&Map<String, Value>>,
) -> Result<Vec<u8>> {
    let mut header = Map::new();
    header.insert("alg".into(), alg.as_str().into());
    header.insert("typ".into(), typ.into());
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    for (name, value) in extra.into_iter().flatten() {
        if RESERVED_HEADER_MEMBERS.contains(&name.as_str()) {
            return Err(invalid_option(
                "header",
                format!("\"{name}\" cannot be set"),
            ));
        }
        header.insert(name.clone(), value.clone());
    }
    // The map keeps insertion order, so `alg` comes first.
    serde_json::to_vec(&header).map_err(json_error)
}

/// The caller's claims with `added` appended before the closing brace: the
/// caller's JSON text is kept as it is rather than re-encoded.
pub(crate) fn splice_claims(
    claims_json: &str,
    empty: bool,
    added: &[(&str, Value)],
) -> Result<Vec<u8>> {
    let body = claims_json.trim_end();
    // `Object::parse` accepted it as an object, so it ends with '}'.
    let open = &body[..body.len() - 1];
    let mut out = Vec::with_capacity(body.len() + added.len() * 24);
    out.extend_from_slice(open.as_bytes());
    let mut first = empty;
    for (name, value) in added {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, name).map_err(json_error)?;
        out.push(b':');
        serde_json::to_writer(&mut out, value).map_err(json_error)?;
    }
    out.push(b'}');
    Ok(out)
}

/// Typed claims as JSON text, for the signer's text path.
fn claims_text<C: Serialize + ?Sized>(claims: &C) -> Result<String> {
    serde_json::to_string(claims).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> Error {
    invalid_option("claims", e.to_string())
}
