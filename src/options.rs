//! Option values shared by signers and verifiers (keys, instants, secrets),
//! and the reading of option objects from JSON text (the JS shape) with
//! errors that name the offending option.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{invalid_option, key_invalid, Error, ErrorCode, Result};
use crate::jose::alg::Algorithm;

/// Parses an options object given as JSON text (the shape JS callers use);
/// unknown options and wrong types are `ERR_INVALID_OPTION` errors whose
/// `claim` is the option's path and whose message starts with it (or with
/// `what` for the object itself).
pub fn from_json<T: DeserializeOwned>(json: &str, what: &str) -> Result<T> {
    // One path for success and failure: reading straight from the text as
    // well would compile every option type's Deserialize twice, which cost
    // 40 KB of gzipped wasm for ~0.2 us per read (decisions record 10).
    // Parsed into a tree, so deserialising reports errors through
    // `OptionError` (structured) rather than serde_json's positioned text.
    let tree: Json = serde_json::from_str(json).map_err(|e| syntax_error(&e, json, what))?;
    from_tree(tree, what)
}

/// [`from_json`] of a value already parsed.
pub fn from_value<T: DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    from_tree(Json::from(value), what)
}

fn from_tree<T: DeserializeOwned>(tree: Json, what: &str) -> Result<T> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let path = e.path().to_string();
        let at_root = path == ".";
        let (claim, label) = match (&e.inner().kind, at_root) {
            // A missing field is named by its full path, so `claim` points at it.
            (OptionErrorKind::MissingField(field), true) => {
                (Some(field.to_string()), what.to_string())
            }
            (OptionErrorKind::MissingField(field), false) => {
                (Some(format!("{path}.{field}")), path)
            }
            (OptionErrorKind::Message(_), true) => (None, what.to_string()),
            (OptionErrorKind::Message(_), false) => (Some(path.clone()), path),
        };
        let error = Error::new(ErrorCode::InvalidOption, format!("{label}: {}", e.inner()));
        match claim {
            Some(claim) => error.with_claim(claim),
            None => error,
        }
    })
}

/// Text that is not JSON at all (never from the JS layer, which writes it
/// with `JSON.stringify`): serde_json's message without its position,
/// labelled with the path at which the text broke off.
fn syntax_error(error: &serde_json::Error, json: &str, what: &str) -> Error {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    // Read again, tracking the path, only to name where it broke.
    let mut reader = serde_json::Deserializer::from_str(json);
    let path = serde_path_to_error::deserialize::<_, Value>(&mut reader)
        .err()
        .map(|e| e.path().to_string())
        // `.` is the object itself, `?` a member whose name never ended.
        .filter(|path| path != "." && path != "?");
    match path {
        Some(path) => {
            Error::new(ErrorCode::InvalidOption, format!("{path}: {message}")).with_claim(path)
        }
        None => Error::new(ErrorCode::InvalidOption, format!("{what}: {message}")),
    }
}

/// A parsed JSON document that keeps member order and repeated names, so a
/// struct deserialised from it sees exactly what it would see in the text
/// (a repeated option is a "duplicate field" error, not a silent last-wins).
enum Json {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> std::result::Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> std::result::Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Json, E> {
                Ok(Json::Unsigned(n))
            }
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Json, E> {
                Ok(Json::Signed(n))
            }
            fn visit_f64<E>(self, n: f64) -> std::result::Result<Json, E> {
                Ok(Json::Float(n))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<Json, E> {
                Ok(Json::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> std::result::Result<Json, E> {
                Ok(Json::String(s))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Json::Object(members))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Json {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Json::Unsigned(u),
                (None, Some(i)) => Json::Signed(i),
                (None, None) => Json::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Json::String(s),
            Value::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Value::Object(members) => Json::Object(
                members
                    .into_iter()
                    .map(|(name, value)| (name, Json::from(value)))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserializer<'de> for Json {
    type Error = OptionError;

    fn deserialize_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, OptionError> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::Unsigned(n) => visitor.visit_u64(n),
            Json::Signed(n) => visitor.visit_i64(n),
            Json::Float(n) => visitor.visit_f64(n),
            Json::String(s) => visitor.visit_string(s),
            Json::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Json::Object(members) => {
                let mut map = MapDeserializer::new(members.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, OptionError> {
        match self {
            Json::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> std::result::Result<V::Value, OptionError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, OptionError> {
        match self {
            Json::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Json::Object(members) => visitor.visit_enum(de::value::MapAccessDeserializer::new(
                MapDeserializer::new(members.into_iter()),
            )),
            // serde_json's word for it, so messages stay what JS callers saw.
            _ => Err(de::Error::custom("expected value")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, OptionError> for Json {
    type Deserializer = Json;
    fn into_deserializer(self) -> Json {
        self
    }
}

/// Why an option object could not be read: a required field is missing (its
/// name, for the error's `claim`), or anything else, worded for a JS caller.
#[derive(Debug)]
pub struct OptionError {
    kind: OptionErrorKind,
}

#[derive(Debug)]
enum OptionErrorKind {
    MissingField(&'static str),
    Message(String),
}

impl OptionError {
    fn message(message: String) -> OptionError {
        OptionError {
            kind: OptionErrorKind::Message(message),
        }
    }
}

impl std::fmt::Display for OptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            OptionErrorKind::MissingField(field) => write!(f, "missing field \"{field}\""),
            OptionErrorKind::Message(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for OptionError {}

/// Names quoted the way a JS reader expects (`"a"`, not serde's `` `a` ``).
fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("\"{one}\""),
        [a, b] => format!("\"{a}\" or \"{b}\""),
        many => format!(
            "one of {}",
            many.iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A value as it appears in an error: JSON's `null` for the unit, and
/// serde's rendering of anything else with double quotes for backticks.
fn shown(unexpected: Unexpected) -> String {
    match unexpected {
        Unexpected::Unit => "null".to_string(),
        other => other.to_string().replace('`', "\""),
    }
}

impl de::Error for OptionError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        OptionError::message(message.to_string())
    }

    fn invalid_type(unexpected: Unexpected, expected: &dyn de::Expected) -> Self {
        OptionError::message(format!(
            "invalid type: {}, expected {}",
            shown(unexpected),
            expected.to_string().replace('`', "\"")
        ))
    }

    fn invalid_value(unexpected: Unexpected, expected: &dyn de::Expected) -> Self {
        OptionError::message(format!(
            "invalid value: {}, expected {}",
            shown(unexpected),
            expected.to_string().replace('`', "\"")
        ))
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        OptionError::message(format!(
            "invalid length {len}, expected {}",
            expected.to_string().replace('`', "\"")
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        OptionError::message(if expected.is_empty() {
            format!("unknown variant \"{variant}\", there are no variants")
        } else {
            format!(
                "unknown variant \"{variant}\", expected {}",
                one_of(expected)
            )
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        OptionError::message(if expected.is_empty() {
            format!("unknown field \"{field}\", there are no fields")
        } else {
            format!("unknown field \"{field}\", expected {}", one_of(expected))
        })
    }

    fn missing_field(field: &'static str) -> Self {
        OptionError {
            kind: OptionErrorKind::MissingField(field),
        }
    }

    fn duplicate_field(field: &'static str) -> Self {
        OptionError::message(format!("duplicate field \"{field}\""))
    }
}

/// An HMAC secret: text (its UTF-8 bytes) or bytes. In JS: a string or a
/// `Uint8Array` (which arrives as a JSON array of 0..=255).
#[derive(Clone)]
pub struct Secret {
    pub bytes: Vec<u8>,
    /// A JSON object was given: a JWK, never a valid secret.
    is_object: bool,
}

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        Secret {
            bytes: bytes.into(),
            is_object: false,
        }
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Secret {
        Secret::new(text.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Secret {
        Secret::new(text.into_bytes())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Secret {
        Secret::new(bytes)
    }
}

impl From<&[u8]> for Secret {
    fn from(bytes: &[u8]) -> Secret {
        Secret::new(bytes)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Bytes(Vec<u8>),
            // Only matched: any object here is a JWK given as a secret.
            #[allow(dead_code)]
            Object(serde_json::Map<String, Value>),
            Other(de::IgnoredAny),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Ok(Secret::from(text)),
            Raw::Bytes(bytes) => Ok(Secret::new(bytes)),
            Raw::Object(_) => Ok(Secret {
                bytes: Vec::new(),
                is_object: true,
            }),
            Raw::Other(_) => Err(de::Error::custom("must be a string or bytes (Uint8Array)")),
        }
    }
}

impl Secret {
    /// Refuses asymmetric key material passed as an HMAC secret: that is the
    /// classic algorithm-confusion mistake (a public key becomes a shared
    /// secret). PEM, DER, base64/hex of DER, JWK and OpenSSH keys all count.
    pub fn check_not_a_key(&self) -> Result<()> {
        let kind = if self.is_object {
            Some("a JWK object")
        } else {
            crate::keys::key_material_kind(&self.bytes)
        };
        if let Some(kind) = kind {
            return Err(key_invalid(format!(
                "`secret` holds {kind}; pass public keys as `publicKey` and private keys as `privateKey`"
            )));
        }
        Ok(())
    }
}

/// An asymmetric key as the caller holds it. In JS: a PEM string or a JWK
/// object (a `KeyObject` or `CryptoKey` is exported to PEM by the JS layer).
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// PEM text: PKCS#8, SEC1, PKCS#1 or SPKI, or an X.509 certificate for a
    /// verifier. Literal `\n` sequences (a PEM pasted into an env var) are accepted.
    Pem(String),
    /// A JWK (RFC 7517), e.g. from [`crate::Signer::public_jwk`].
    Jwk(Map<String, Value>),
    /// DER: PKCS#8 for a signer; SPKI for a verifier.
    Der(Vec<u8>),
}

impl Key {
    pub fn pem(text: impl Into<String>) -> Key {
        Key::Pem(text.into())
    }

    pub fn jwk(jwk: Map<String, Value>) -> Key {
        Key::Jwk(jwk)
    }

    pub fn der(bytes: impl Into<Vec<u8>>) -> Key {
        Key::Der(bytes.into())
    }
}

/// Deserialises a `privateKey` / `publicKey` option: a PEM string or a JWK object.
pub fn key_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Key>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(pem) => Ok(Some(Key::Pem(pem))),
        Value::Object(jwk) => Ok(Some(Key::Jwk(jwk))),
        _ => Err(de::Error::custom("must be a PEM string or a JWK object")),
    }
}

/// A JWK set (`{ keys: [...] }`); the token's `kid` picks the key.
#[derive(Clone, Debug, PartialEq)]
pub struct JwkSet(pub(crate) Value);

impl JwkSet {
    pub fn new(keys: Vec<Map<String, Value>>) -> JwkSet {
        let keys = keys.into_iter().map(Value::Object).collect::<Vec<_>>();
        JwkSet(serde_json::json!({ "keys": keys }))
    }

    /// A set as served at a JWKS URL (checked when the verifier is built).
    pub fn from_value(set: Value) -> JwkSet {
        JwkSet(set)
    }
}

/// Deserialises the `jwks` option: any value, checked when the verifier is built.
pub fn jwks_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<JwkSet>, D::Error> {
    Value::deserialize(deserializer).map(|set| Some(JwkSet(set)))
}

/// An instant: Unix seconds or an ISO-8601 date-time. In JS: a number, a
/// string or a `Date` (which arrives as its ISO-8601 string).
#[derive(Clone, Debug, PartialEq)]
pub enum Timestamp {
    UnixSeconds(f64),
    Iso8601(String),
}

impl From<std::time::SystemTime> for Timestamp {
    fn from(time: std::time::SystemTime) -> Timestamp {
        let seconds = match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => after.as_secs_f64(),
            Err(before) => -before.duration().as_secs_f64(),
        };
        Timestamp::UnixSeconds(seconds)
    }
}

/// Deserialises an instant option: a number or a string (`null`, which an
/// invalid JS `Date` becomes, is refused rather than read as "not set").
pub fn timestamp_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Timestamp>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Number(n) => Ok(Some(Timestamp::UnixSeconds(n.as_f64().unwrap_or(f64::NAN)))),
        Value::String(s) => Ok(Some(Timestamp::Iso8601(s))),
        _ => Err(de::Error::custom(
            "must be a Date, Unix seconds or an ISO-8601 string",
        )),
    }
}

/// The `jti` of a signed token (`jti` sign option).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jti {
    /// A random UUID v4 (`jti: true` in JS).
    Random,
    /// This id (a non-empty string).
    Id(String),
    /// No `jti` (`jti: false` in JS); still conflicts with a `jti` claim, as
    /// any given option does.
    Off,
}

/// Deserialises the `jti` sign option: `true`, `false` or a string.
pub fn jti_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Jti>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Bool(true) => Ok(Some(Jti::Random)),
        Value::Bool(false) => Ok(Some(Jti::Off)),
        Value::String(id) => Ok(Some(Jti::Id(id))),
        _ => Err(de::Error::custom("must be `true` or a non-empty string")),
    }
}

/// Deserialises an `algorithm` option (`null` counts as not given, as for
/// any optional plain option).
pub fn algorithm_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Algorithm>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|name| parse_algorithm(&name))
        .transpose()
}

/// Deserialises an `algorithms` list.
pub fn algorithms_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Vec<Algorithm>>, D::Error> {
    Option::<Vec<String>>::deserialize(deserializer)?
        .map(|names| names.iter().map(|name| parse_algorithm(name)).collect())
        .transpose()
}

fn parse_algorithm<E: de::Error>(name: &str) -> std::result::Result<Algorithm, E> {
    Algorithm::parse(name).ok_or_else(|| E::custom(crate::jose::alg::unsupported(name)))
}

/// A string or a list of strings (`issuer`, `audience`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

impl From<&str> for OneOrMany {
    fn from(one: &str) -> OneOrMany {
        OneOrMany::One(one.to_string())
    }
}

impl From<String> for OneOrMany {
    fn from(one: String) -> OneOrMany {
        OneOrMany::One(one)
    }
}

impl From<Vec<String>> for OneOrMany {
    fn from(many: Vec<String>) -> OneOrMany {
        OneOrMany::Many(many)
    }
}

/// For `Option<Value>` options: a JSON `null` counts as given (and is then
/// refused by the option's own check), so an invalid JS `Date`, which
/// serialises to `null`, is an error instead of silently meaning "not set".
pub fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A duration option in seconds: finite and positive.
pub fn positive_seconds(value: f64, name: &str) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid_option(name, "must be a positive number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignerOptions;

    fn refused<T: DeserializeOwned>(json: &str) -> Error {
        from_json::<T>(json, "options").err().unwrap()
    }

    #[test]
    fn errors_name_the_option_by_its_path() {
        let error = refused::<SignerOptions>(r#"{"ttlSeconds":"x"}"#);
        assert_eq!(error.claim.as_deref(), Some("ttlSeconds"));
        assert_eq!(
            error.message,
            "ttlSeconds: invalid type: string \"x\", expected f64"
        );
        let error = refused::<SignerOptions>(r#"{"secrets":"x"}"#);
        assert_eq!(error.claim.as_deref(), Some("secrets"));
        assert!(
            error.message.starts_with(
                "secrets: unknown field \"secrets\", expected one of \"privateKey\", \"secret\""
            ),
            "{}",
            error.message
        );
        // A repeated option is refused, not last-wins.
        let error = refused::<SignerOptions>(r#"{"keyId":"a","keyId":"b"}"#);
        assert_eq!(error.message, "options: duplicate field \"keyId\"");
        // A missing field is named by its full path.
        let error = refused::<crate::profiles::vizzly::ProjectParams>(
            r#"{"projectId":"p","resources":[{"id":"r"}]}"#,
        );
        assert_eq!(error.claim.as_deref(), Some("resources[0].scope"));
        assert_eq!(error.message, "resources[0]: missing field \"scope\"");
        let error = refused::<crate::profiles::vizzly::ProjectParams>(r#"{"resources":[]}"#);
        assert_eq!(error.claim.as_deref(), Some("projectId"));
        assert_eq!(error.message, "options: missing field \"projectId\"");
        // `null` is JSON's own word in messages.
        let error = refused::<SignerOptions>(r#"{"keyId":null,"allowMissingExpiry":null}"#);
        assert_eq!(
            error.message,
            "allowMissingExpiry: invalid type: null, expected a boolean"
        );
        // Text that is not JSON: serde_json's reason without a position.
        let error = refused::<SignerOptions>("{");
        assert_eq!(error.message, "options: EOF while parsing an object");
    }

    #[test]
    fn values_read_like_text() {
        let options: SignerOptions = from_value(
            serde_json::json!({ "secret": [1, 2, 3], "ttlSeconds": 60, "algorithm": "HS384" }),
            "options",
        )
        .unwrap();
        assert_eq!(options.secret.unwrap().bytes, [1, 2, 3]);
        assert_eq!(options.algorithm, Some(Algorithm::HS384));
        let error =
            from_value::<SignerOptions>(serde_json::json!({ "algorithm": "none" }), "options")
                .err()
                .unwrap();
        assert_eq!(error.claim.as_deref(), Some("algorithm"));
        assert!(error
            .message
            .starts_with("algorithm: unsupported algorithm \"none\""));
    }
}
