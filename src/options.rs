//! Option values shared by signers and verifiers, and parsing of option
//! objects from JSON with errors that name the offending option.

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{invalid_option, key_invalid, Error, ErrorCode, Result};

/// Parses an options object; unknown options and wrong types are
/// `ERR_INVALID_OPTION` errors that name the option.
pub fn from_json<T: DeserializeOwned>(json: &str, what: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // serde_json appends a position that means nothing to a JS caller.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .replace('`', "\"");
        // A missing field is named by its full path, so `claim` points at it.
        let missing = message
            .strip_prefix("missing field \"")
            .and_then(|rest| rest.strip_suffix('"'));
        let (claim, label) = match (path.as_str(), missing) {
            (".", Some(field)) => (Some(field.to_string()), what.to_string()),
            (".", None) => (None, what.to_string()),
            (path, Some(field)) => (Some(format!("{path}.{field}")), path.to_string()),
            (path, None) => (Some(path.to_string()), path.to_string()),
        };
        let error = Error::new(ErrorCode::InvalidOption, format!("{label}: {message}"));
        match claim {
            Some(claim) => error.with_claim(claim),
            None => error,
        }
    })
}

/// An HMAC secret: a string (its UTF-8 bytes) or bytes (a JSON array of 0..=255).
#[derive(Clone)]
pub struct Secret {
    pub bytes: Vec<u8>,
    /// A JSON object was given: a JWK, never a valid secret.
    is_object: bool,
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
            Raw::Text(text) => Ok(Secret {
                bytes: text.into_bytes(),
                is_object: false,
            }),
            Raw::Bytes(bytes) => Ok(Secret {
                bytes,
                is_object: false,
            }),
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
