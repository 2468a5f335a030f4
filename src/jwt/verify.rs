//! Verifiers: keys and checks fixed once, then `verify` per token. The
//! signature is checked before the payload is even parsed.

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::crypto::VerifyingKey;
use crate::error::{claim_invalid, invalid_option, malformed, Error, ErrorCode, Result};
use crate::jose::alg::{Algorithm, KeyFamily};
use crate::jose::json::Object;
use crate::jose::{b64, compact};
use crate::jwt::decode::{self, DEFAULT_MAX_TOKEN_BYTES};
use crate::jwt::time;
use crate::keys::remote_jwks::{RemoteJwks, RemoteJwksOptions};
use crate::keys::{self, JwkMeta, PublicKey};
use crate::options::{positive_seconds, JwkSet, Key, OneOrMany, Secret, Timestamp};
use scopemint_decode::json::{Sink, Validate};

/// A platform's verdict on a signature: the key index the checks chose, the
/// signing input and the decoded signature in; `None` leaves it to this crate.
type PlatformCheck<'p> = dyn FnMut(usize, &[u8], &[u8]) -> Result<Option<bool>> + 'p;

/// The largest `clockToleranceSeconds` a verifier accepts (one day).
pub const MAX_CLOCK_TOLERANCE_SECONDS: f64 = 86_400.0;

/// Options for [`Verifier::new`]. In JS these come from the `createVerifier`
/// options ([`crate::CreateVerifierOptions`] reads that object).
#[derive(Default)]
pub struct VerifierOptions {
    /// A public key: PEM (SPKI, PKCS#1, X.509 certificate), a public JWK or SPKI DER.
    pub public_key: Option<Key>,
    /// A JWK set; keys are chosen by the token's `kid`.
    pub jwks: Option<JwkSet>,
    /// HMAC secret.
    pub secret: Option<Secret>,
    /// A key set fetched from `jwks_url` (by the JS layer, `keys::remote_jwks`);
    /// `jwks` then holds the keys fetched so far.
    pub remote_jwks: RemoteJwksOptions,
    /// Allowed `alg` values. Default: exactly the key's algorithm.
    pub algorithms: Option<Vec<Algorithm>>,
    pub issuer: Option<OneOrMany>,
    pub audience: Option<OneOrMany>,
    /// Leeway for `exp`, `nbf` and `iat`, in seconds. Default 0.
    pub clock_tolerance_seconds: Option<f64>,
    pub max_token_age_seconds: Option<f64>,
    pub required_claims: Option<Vec<String>>,
    /// Required header `typ` (compared case-insensitively, `application/` optional).
    pub typ: Option<String>,
    /// Default 16 KiB.
    pub max_token_bytes: Option<usize>,
    /// A fixed "now", for tests.
    pub current_time: Option<Timestamp>,
    /// Accept tokens without `exp`. Off by default.
    pub allow_missing_expiry: bool,
    /// Accept an HMAC `secret` shorter than the hash (RFC 7518 §3.2), for
    /// verifying tokens from legacy systems during a migration. Off by default.
    pub allow_short_secret: bool,
    pub profile: Option<VerifierProfile>,
}

/// A vendor whose tokens state their expiry their own way (`profile` in JS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifierProfile {
    /// The expiry is Vizzly's ISO-8601 `expires` claim (required) instead of `exp`.
    Vizzly,
}

impl VerifierProfile {
    pub fn parse(name: &str) -> Option<VerifierProfile> {
        match name {
            "vizzly" => Some(VerifierProfile::Vizzly),
            _ => None,
        }
    }
}

impl VerifierOptions {
    /// The remote key set's options (`jwksUrl` and its fetch policy).
    pub fn remote_jwks_options(&self) -> &RemoteJwksOptions {
        &self.remote_jwks
    }
}

struct KeyEntry {
    kid: Option<String>,
    key: VerifyingKey,
    /// SPKI DER of asymmetric keys, for platform crypto.
    spki: Option<Vec<u8>>,
}

/// Keys and checks fixed once. Only `verify`, `verify_at`, `authorize` and
/// `authorize_at` say a token is valid, and each checks its signature; the
/// half that trusts a platform's signature check is private to the crate:
///
/// ```compile_fail,E0624
/// fn accept_unsigned(verifier: &scopemint::Verifier) {
///     let _ = verifier.finish_native("eyJhbGciOiJIUzI1NiJ9.e30.");
/// }
/// ```
pub struct Verifier {
    keys: Vec<KeyEntry>,
    /// With a key set the token's `kid` picks the key; with one key it is ignored.
    select_by_kid: bool,
    algorithms: Vec<Algorithm>,
    issuer: Option<Vec<String>>,
    audience: Option<Vec<String>>,
    clock_tolerance: f64,
    max_token_age: Option<f64>,
    required_claims: Vec<String>,
    typ: Option<String>,
    max_token_bytes: usize,
    current_time: Option<f64>,
    allow_missing_expiry: bool,
    expiry_claim: ExpiryClaim,
    header_cache: Mutex<Vec<Arc<CheckedHeader>>>,
}

/// A header segment that passed every header check.
struct CheckedHeader {
    segment: String,
    json: String,
    alg: Algorithm,
    kid: Option<String>,
}

const HEADER_CACHE_SIZE: usize = 8;

/// Where a token states its expiry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpiryClaim {
    /// RFC 7519 `exp`, Unix seconds.
    Exp,
    /// Vizzly's `expires`, an ISO-8601 string.
    VizzlyExpires,
}

/// What [`Verifier::start_native`] leaves to the platform: the signature over
/// the token's first `signing_input_bytes` bytes, to check with the key at
/// `key_index` (see [`Verifier::public_key_der`]).
#[derive(Debug)]
pub struct NativeCheck {
    pub key_index: usize,
    pub signing_input_bytes: usize,
    /// Decoded from canonical base64url.
    pub signature: Vec<u8>,
}

/// A verified token: its header and payload as JSON text.
#[derive(Debug)]
pub struct Verified {
    pub header_json: String,
    pub payload_json: String,
    /// Unix seconds from which the token is no longer valid, if it expires
    /// (`None` too under a fixed `currentTime`).
    pub valid_until: Option<f64>,
}

impl Verified {
    /// The payload's claims.
    pub fn claims(&self) -> Result<Map<String, Value>> {
        serde_json::from_str(&self.payload_json)
            .map_err(|e| malformed(format!("the payload is not a JSON object: {e}")))
    }

    /// The protected header's members.
    pub fn header(&self) -> Result<Map<String, Value>> {
        serde_json::from_str(&self.header_json)
            .map_err(|e| malformed(format!("the header is not a JSON object: {e}")))
    }
}

fn decode_signature(segment: &str) -> Result<Vec<u8>> {
    b64::decode(segment).ok_or_else(|| malformed("the signature is not valid base64url"))
}

/// The algorithms a key may verify: those allowed by the options (or the key's
/// own when none are given), narrowed to the key's family and declared `alg`.
fn algorithms_for_key(
    family: KeyFamily,
    declared: Option<Algorithm>,
    allowed: Option<&[Algorithm]>,
) -> Vec<Algorithm> {
    match allowed {
        None => vec![declared.unwrap_or(family.default_algorithm())],
        Some(allowed) => allowed
            .iter()
            .copied()
            .filter(|alg| alg.family() == family && declared.is_none_or(|d| d == *alg))
            .collect(),
    }
}

fn normalise_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    lower
        .strip_prefix("application/")
        .map(str::to_string)
        .unwrap_or(lower)
}

impl Verifier {
    pub fn new(options: VerifierOptions) -> Result<Verifier> {
        if options.algorithms.as_ref().is_some_and(Vec::is_empty) {
            return Err(invalid_option(
                "algorithms",
                "must list at least one algorithm",
            ));
        }
        let remote = RemoteJwks::from_options(options.remote_jwks_options())?;
        let allowed = options.algorithms;
        let mut entries = Vec::new();
        let select_by_kid = options.jwks.is_some() || remote.is_some();
        let sources = [
            options.public_key.is_some(),
            options.jwks.is_some() || remote.is_some(),
            options.secret.is_some(),
        ];
        if sources.iter().filter(|given| **given).count() != 1 {
            return Err(invalid_option(
                "publicKey",
                "give exactly one of `publicKey`, `jwks`, `jwksUrl` or `secret`",
            ));
        }
        if options.allow_short_secret && options.secret.is_none() {
            return Err(invalid_option(
                "allowShortSecret",
                "only applies to an HMAC `secret`",
            ));
        }
        if let Some(secret) = options.secret {
            secret.check_not_a_key()?;
            for alg in algorithms_for_key(KeyFamily::Hmac, None, allowed.as_deref()) {
                let key = if options.allow_short_secret {
                    VerifyingKey::from_short_secret(&secret.bytes, alg)?
                } else {
                    VerifyingKey::from_secret(&secret.bytes, alg)?
                };
                entries.push(KeyEntry {
                    kid: None,
                    key,
                    spki: None,
                });
            }
        } else {
            let public_keys: Vec<(PublicKey, JwkMeta)> = match (options.public_key, options.jwks) {
                (Some(Key::Pem(pem)), _) => {
                    vec![(PublicKey::from_pem(&pem)?, JwkMeta::default())]
                }
                (Some(Key::Jwk(jwk)), _) => vec![keys::parse_public_jwk(&Value::Object(jwk))?],
                (Some(Key::Der(der)), _) => {
                    vec![(PublicKey::from_spki_der(&der)?, JwkMeta::default())]
                }
                (None, Some(JwkSet(set))) => keys::parse_jwk_set(&set)?,
                (None, None) => Vec::new(),
            };
            for (public, meta) in &public_keys {
                for alg in algorithms_for_key(public.family(), meta.alg, allowed.as_deref()) {
                    entries.push(KeyEntry {
                        kid: meta.kid.clone(),
                        key: VerifyingKey::from_public(public, alg)?,
                        spki: Some(public.to_spki_der()),
                    });
                }
            }
        }
        let mut algorithms: Vec<Algorithm> = Vec::new();
        for alg in entries.iter().map(|e| e.key.algorithm()) {
            if !algorithms.contains(&alg) {
                algorithms.push(alg);
            }
        }
        // Before a remote set's first fetch there is no key to check `algorithms` against.
        let keys_pending = remote.is_some() && entries.is_empty();
        if let (Some(allowed), false) = (&allowed, keys_pending) {
            if let Some(unusable) = allowed.iter().find(|alg| !algorithms.contains(alg)) {
                return Err(invalid_option(
                    "algorithms",
                    format!(
                        "\"{}\" cannot be used with the given key(s)",
                        unusable.as_str()
                    ),
                ));
            }
        }

        let clock_tolerance = match options.clock_tolerance_seconds {
            Some(t) if !t.is_finite() || t < 0.0 => {
                return Err(invalid_option(
                    "clockToleranceSeconds",
                    "must be a non-negative number",
                ))
            }
            // A tolerance is for clock skew; a huge one would quietly switch
            // expiry off, so it is capped rather than trusted.
            Some(t) if t > MAX_CLOCK_TOLERANCE_SECONDS => {
                return Err(invalid_option(
                    "clockToleranceSeconds",
                    format!("must be at most {MAX_CLOCK_TOLERANCE_SECONDS} seconds (one day)"),
                ))
            }
            Some(t) => t,
            None => 0.0,
        };
        let max_token_bytes = match options.max_token_bytes {
            Some(0) => {
                return Err(invalid_option(
                    "maxTokenBytes",
                    "must be a positive integer",
                ))
            }
            Some(n) => n,
            None => DEFAULT_MAX_TOKEN_BYTES,
        };
        let non_empty = |list: Option<OneOrMany>, name: &str| -> Result<Option<Vec<String>>> {
            match list.map(OneOrMany::into_vec) {
                Some(v) if v.is_empty() || v.iter().any(String::is_empty) => Err(invalid_option(
                    name,
                    "must be a non-empty string or list of non-empty strings",
                )),
                other => Ok(other),
            }
        };
        Ok(Verifier {
            keys: entries,
            select_by_kid,
            algorithms,
            issuer: non_empty(options.issuer, "issuer")?,
            audience: non_empty(options.audience, "audience")?,
            clock_tolerance,
            max_token_age: options
                .max_token_age_seconds
                .map(|s| positive_seconds(s, "maxTokenAgeSeconds"))
                .transpose()?,
            required_claims: options.required_claims.unwrap_or_default(),
            typ: options.typ.as_deref().map(normalise_typ),
            max_token_bytes,
            current_time: options
                .current_time
                .as_ref()
                .map(|t| time::instant(t, "currentTime").map(|s| s as f64))
                .transpose()?,
            allow_missing_expiry: options.allow_missing_expiry,
            header_cache: Mutex::new(Vec::with_capacity(HEADER_CACHE_SIZE)),
            expiry_claim: match options.profile {
                None => ExpiryClaim::Exp,
                Some(VerifierProfile::Vizzly) => ExpiryClaim::VizzlyExpires,
            },
        })
    }

    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    pub fn max_token_bytes(&self) -> usize {
        self.max_token_bytes
    }

    pub fn verify(&self, token: &str) -> Result<Verified> {
        self.verify_at(token, self.now()?)
    }

    /// Verifies at instant `now` (Unix seconds); a `now` that is not a
    /// plausible instant is `ERR_CLOCK_INVALID`, never a pass.
    pub fn verify_at(&self, token: &str, now: f64) -> Result<Verified> {
        self.verify_with_at(token, now, &mut |_, _, _| Ok(None), &mut Validate)
    }

    /// [`Verifier::verify_at`] with the signature checked as in
    /// [`Verifier::verify_with`], reporting the payload's values to `sink` in
    /// the one scan that checks it (authorize builds its claims there).
    pub(crate) fn verify_scanning(
        &self,
        token: &str,
        now: f64,
        mut platform: impl FnMut(usize, &[u8], &[u8]) -> Result<Option<bool>>,
        sink: &mut dyn Sink,
    ) -> Result<Verified> {
        self.verify_with_at(token, now, &mut platform, sink)
    }

    /// [`Verifier::verify`] with the signature checked by the platform (Node's
    /// crypto, with [`Verifier::public_key_der`] or [`Verifier::hmac_pads`]):
    /// `platform` gets the index of the key the checks before the signature
    /// chose, the signing input and the decoded signature, and says whether
    /// they match, or `None` to leave the check to this crate's own crypto.
    pub(crate) fn verify_with(
        &self,
        token: &str,
        mut platform: impl FnMut(usize, &[u8], &[u8]) -> Result<Option<bool>>,
    ) -> Result<Verified> {
        self.verify_with_at(token, self.now()?, &mut platform, &mut Validate)
    }

    /// One body for every caller: `platform` is `dyn` so the verification is
    /// compiled once, not once per caller's closure.
    fn verify_with_at(
        &self,
        token: &str,
        now: f64,
        platform: &mut PlatformCheck<'_>,
        sink: &mut dyn Sink,
    ) -> Result<Verified> {
        let now = time::checked_now(now)?;
        let (parts, header, key_index) = self.check_before_signature(token)?;
        let signature = decode_signature(parts.signature_segment)?;
        let input = parts.signing_input.as_bytes();
        let valid = match platform(key_index, input, &signature)? {
            Some(valid) => valid,
            None => self.keys[key_index].key.verify(input, &signature),
        };
        if !valid {
            return Err(Error::new(
                ErrorCode::JwsSignatureInvalid,
                "signature verification failed",
            ));
        }
        self.check_payload(parts.payload_segment, &header, now, sink)
    }

    /// First half of a verification whose signature is checked by the
    /// platform (see [`Verifier::public_key_der`]): every check up to the
    /// signature, returning what the platform checks, with which key.
    pub fn start_native(&self, token: &str) -> Result<NativeCheck> {
        let (parts, _, key_index) = self.check_before_signature(token)?;
        Ok(NativeCheck {
            key_index,
            signing_input_bytes: parts.signing_input.len(),
            signature: decode_signature(parts.signature_segment)?,
        })
    }

    /// Second half: the payload and claims. Only for the wasm adapter, right
    /// after the platform verified the signature with the key `start_native`
    /// chose: it returns "verified" without checking a signature, so it must
    /// never be reachable from outside the crate.
    pub(crate) fn finish_native(&self, token: &str) -> Result<Verified> {
        self.finish_native_scanning(token, &mut Validate)
    }

    /// [`Verifier::finish_native`], reporting the payload's values to `sink`
    /// (see [`Verifier::verify_scanning`]). As unreachable from outside.
    pub(crate) fn finish_native_scanning(
        &self,
        token: &str,
        sink: &mut dyn Sink,
    ) -> Result<Verified> {
        let (parts, header, _) = self.check_before_signature(token)?;
        self.check_payload(parts.payload_segment, &header, self.now()?, sink)
    }

    /// The fixed `currentTime` if one was set, else the clock.
    pub(crate) fn now(&self) -> Result<f64> {
        match self.current_time {
            Some(fixed) => Ok(fixed),
            None => time::now_seconds(),
        }
    }

    /// The number of (key, algorithm) entries; indexes for [`Verifier::public_key_der`].
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The verification key at `index` as SPKI DER, with its algorithm; `None` for HMAC keys.
    pub fn public_key_der(&self, index: usize) -> Option<(&[u8], Algorithm)> {
        let entry = self.keys.get(index)?;
        entry
            .spki
            .as_deref()
            .map(|der| (der, entry.key.algorithm()))
    }

    /// The keyed blocks of the HMAC key at `index`, for a platform hash function; `None` for other keys.
    pub(crate) fn hmac_pads(&self, index: usize) -> Option<&crate::crypto::hmac::HmacPads> {
        self.keys.get(index)?.key.hmac_pads()
    }

    fn check_before_signature<'t>(
        &self,
        token: &'t str,
    ) -> Result<(compact::Parts<'t>, Arc<CheckedHeader>, usize)> {
        decode::check_size(token, self.max_token_bytes)?;
        if self.keys.is_empty() {
            // Only a `jwksUrl` verifier has no keys: before its first fetch.
            return Err(Error::new(
                ErrorCode::JwksNoMatchingKey,
                "no keys have been fetched from jwksUrl yet (verifyAsync / authorizeAsync fetch them)",
            ));
        }
        let parts = compact::split(token)?;
        let header = self.checked_header(parts.header_segment)?;
        let key_index = self.select_key(header.alg, header.kid.as_deref())?;
        Ok((parts, header, key_index))
    }

    fn check_payload(
        &self,
        payload_segment: &str,
        header: &CheckedHeader,
        now: f64,
        sink: &mut dyn Sink,
    ) -> Result<Verified> {
        let payload_json = compact::decode_segment(payload_segment, "payload")?;
        let payload = Object::parse_with(&payload_json, sink)
            .map_err(|e| malformed(format!("the payload is not a valid JSON object: {e}")))?;
        let valid_until = self.check_claims(&payload, now)?;
        drop(payload);
        Ok(Verified {
            header_json: header.json.clone(),
            payload_json,
            // Under a fixed clock, "valid until" means nothing to a real-time cache.
            valid_until: valid_until.filter(|_| self.current_time.is_none()),
        })
    }

    /// The header segment decoded and checked, from the cache when this exact
    /// segment passed before: every check depends only on its text and on the
    /// verifier's fixed options, and one signer always emits the same header.
    fn checked_header(&self, segment: &str) -> Result<Arc<CheckedHeader>> {
        let cache = self
            .header_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(hit) = cache.iter().find(|h| h.segment == segment) {
            return Ok(Arc::clone(hit));
        }
        drop(cache);
        let json = compact::decode_segment(segment, "header")?;
        let header = compact::parse_object(&json, "header")?;
        let alg = self.check_header(&header)?;
        let kid = header
            .string("kid")
            .map_err(|_| malformed("the header's \"kid\" must be a string"))?
            .map(String::from);
        drop(header);
        let checked = Arc::new(CheckedHeader {
            segment: segment.to_string(),
            json,
            alg,
            kid,
        });
        let mut cache = self
            .header_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() == HEADER_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push(Arc::clone(&checked));
        Ok(checked)
    }

    fn check_header(&self, header: &Object) -> Result<Algorithm> {
        let name = header
            .string("alg")
            .ok()
            .flatten()
            .ok_or_else(|| malformed("the header has no string \"alg\""))?;
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::new(
                ErrorCode::JoseAlgNotAllowed,
                "unsecured tokens (alg \"none\") are never accepted",
            ));
        }
        let alg = Algorithm::parse(&name)
            .filter(|alg| self.algorithms.contains(alg))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::JoseAlgNotAllowed,
                    format!(
                        "alg \"{name}\" is not allowed (allowed: {})",
                        self.allowed_list()
                    ),
                )
            })?;
        let b64_payload = match header.get("b64") {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => return Err(malformed("the header's \"b64\" must be a boolean")),
        };
        if !b64_payload {
            return Err(Error::new(
                ErrorCode::JoseHeaderUnsupported,
                "unencoded payloads (\"b64\": false) are not supported",
            ));
        }
        if header.contains("crit") {
            let crit = header
                .strings("crit")
                .ok()
                .flatten()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    malformed("the header's \"crit\" must be a non-empty list of strings")
                })?;
            // "b64" is the only extension understood, and only in its default (true) form.
            if let Some(unknown) = crit
                .iter()
                .find(|name| *name != "b64" || !header.contains("b64"))
            {
                return Err(Error::new(
                    ErrorCode::JoseHeaderUnsupported,
                    format!("critical header extension \"{unknown}\" is not supported"),
                ));
            }
        }
        if let Some(expected) = &self.typ {
            let actual = header
                .string("typ")
                .ok()
                .flatten()
                .map(|t| normalise_typ(&t));
            if actual.as_ref() != Some(expected) {
                return Err(Error::new(
                    ErrorCode::JwtClaimInvalid,
                    format!("header \"typ\" must be \"{expected}\""),
                )
                .with_claim("typ"));
            }
        }
        Ok(alg)
    }

    fn allowed_list(&self) -> String {
        self.algorithms
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The index of the key that must verify a token with this `alg` and `kid`.
    fn select_key(&self, alg: Algorithm, kid: Option<&str>) -> Result<usize> {
        let mut candidates = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.key.algorithm() == alg);
        let no_match = |why: String| Error::new(ErrorCode::JwksNoMatchingKey, why);
        if !self.select_by_kid {
            return candidates
                .next()
                .map(|(index, _)| index)
                .ok_or_else(|| no_match(format!("no key for {}", alg.as_str())));
        }
        match kid {
            Some(kid) => candidates
                .find(|(_, entry)| entry.kid.as_deref() == Some(kid))
                .map(|(index, _)| index)
                .ok_or_else(|| {
                    no_match(format!(
                        "no key in the JWKS has kid \"{kid}\" and alg {}",
                        alg.as_str()
                    ))
                }),
            None => {
                let matching: Vec<usize> = candidates.map(|(index, _)| index).collect();
                match matching.as_slice() {
                    [only] => Ok(*only),
                    [] => Err(no_match(format!(
                        "no key in the JWKS can verify {}",
                        alg.as_str()
                    ))),
                    _ => Err(no_match(format!(
                        "the token has no \"kid\" and {} keys in the JWKS could verify {}",
                        matching.len(),
                        alg.as_str()
                    ))),
                }
            }
        }
    }

    /// Checks the claims; returns the instant from which the token stops being
    /// valid (for caches), if it has one.
    fn check_claims(&self, payload: &Object, now: f64) -> Result<Option<f64>> {
        let number = |name: &str| {
            payload
                .number(name)
                .map_err(|_| claim_invalid(name, "must be a number"))
        };
        let tolerance = self.clock_tolerance;
        let expired = |claim: &str| {
            Error::new(ErrorCode::JwtExpired, "the token has expired").with_claim(claim)
        };
        let (expiry_name, expiry) = match self.expiry_claim {
            ExpiryClaim::Exp => ("exp", number("exp")?),
            ExpiryClaim::VizzlyExpires => {
                // A Vizzly token may still carry `exp`; if so it must hold too.
                if number("exp")?.is_some_and(|exp| exp <= now - tolerance) {
                    return Err(expired("exp"));
                }
                let expires = payload
                    .string("expires")
                    .map_err(|_| claim_invalid("expires", "must be an ISO-8601 string"))?;
                let seconds = expires
                    .map(|text| {
                        time::parse_iso8601(&text)
                            .map(|ms| ms as f64 / 1000.0)
                            .ok_or_else(|| {
                                claim_invalid("expires", "must be an ISO-8601 date-time")
                            })
                    })
                    .transpose()?;
                ("expires", seconds)
            }
        };
        match expiry {
            Some(expiry) if expiry <= now - tolerance => return Err(expired(expiry_name)),
            Some(_) => {}
            None if self.allow_missing_expiry => {}
            None => {
                return Err(claim_invalid(
                    expiry_name,
                    "is missing (set allowMissingExpiry to accept such tokens)",
                ))
            }
        }
        if let Some(nbf) = number("nbf")? {
            if nbf > now + tolerance {
                return Err(
                    Error::new(ErrorCode::JwtNotYetValid, "the token is not valid yet")
                        .with_claim("nbf"),
                );
            }
        }
        let iat = number("iat")?;
        let mut valid_until = expiry.map(|expiry| expiry + tolerance);
        if let Some(max_age) = self.max_token_age {
            let iat = iat
                .ok_or_else(|| claim_invalid("iat", "is missing (maxTokenAgeSeconds needs it)"))?;
            if iat > now + tolerance {
                return Err(claim_invalid("iat", "is in the future"));
            }
            if now - iat - tolerance > max_age {
                return Err(Error::new(
                    ErrorCode::JwtExpired,
                    "the token is older than maxTokenAgeSeconds",
                )
                .with_claim("iat"));
            }
            let aged_out = iat + max_age + tolerance;
            valid_until = Some(valid_until.map_or(aged_out, |until: f64| until.min(aged_out)));
        }
        for name in ["iss", "sub", "jti"] {
            payload
                .string(name)
                .map_err(|_| claim_invalid(name, "must be a string"))?;
        }
        if let Some(expected) = &self.issuer {
            let issuer = payload.string("iss").ok().flatten();
            if !issuer.is_some_and(|iss| expected.iter().any(|e| *e == iss)) {
                return Err(claim_invalid("iss", "does not match the expected issuer"));
            }
        }
        let audience = payload
            .audience()
            .map_err(|_| claim_invalid("aud", "must be a string or a list of strings"))?;
        if let Some(expected) = &self.audience {
            if !audience.is_some_and(|aud| aud.iter().any(|a| expected.iter().any(|e| e == a))) {
                return Err(claim_invalid("aud", "does not match the expected audience"));
            }
        }
        if let Some(missing) = self
            .required_claims
            .iter()
            .find(|name| !payload.contains(name))
        {
            return Err(claim_invalid(missing, "is required but missing"));
        }
        Ok(valid_until)
    }
}
