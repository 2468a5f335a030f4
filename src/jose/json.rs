//! Strict JSON for headers and claims: the top level must be an object, and
//! duplicate member names are rejected at every depth (RFC 7515 §5.2,
//! RFC 8725 §3.9), since different parsers resolve duplicates differently.
//! Values are kept as raw JSON text, so nothing is re-encoded, and strings
//! are only decoded where the library reads them.
//!
//! One rule for text everywhere (sign, verify, decode, authorize): a lone
//! UTF-16 surrogate escape such as `"\ud800"` is refused. RFC 8259 §8.2
//! leaves its behaviour unpredictable: parsers keep it, replace it with
//! U+FFFD or fail, so two different claims could read as the same string
//! (or a claim `verify` accepted could fail `authorize`, which decodes it).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A JSON object's members in document order, values unparsed.
pub struct Object<'a> {
    pub members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Object<'a> {
    /// Parses `text` as an object with unique member names at every depth.
    pub fn parse(text: &'a str) -> Result<Object<'a>, String> {
        check_surrogates(text)?;
        let object: Object<'a> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if object
            .members
            .iter()
            .any(|(name, _)| has_control_bytes(name.as_bytes()))
        {
            check_syntax(text)?;
        }
        for (name, value) in &object.members {
            check_unique_members(value.get()).map_err(|e| format!("in \"{name}\": {e}"))?;
        }
        Ok(object)
    }

    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A member that must be a string, if present.
    pub fn string(&self, name: &str) -> Result<Option<String>, ()> {
        self.get(name)
            .map(|raw| serde_json::from_str::<String>(raw.get()).map_err(|_| ()))
            .transpose()
    }
}

/// Refuses a `\uD800`–`\uDFFF` escape that is not half of a high-low pair.
/// Run before the JSON parse: in text that then fails to parse the answer is
/// an error either way, and in valid JSON a backslash only starts an escape
/// inside a string, so reading escapes pairwise from each backslash is exact.
pub(crate) fn check_surrogates(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let unit_at = |i: usize| -> Option<u16> {
        let hex = bytes.get(i..i + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit_at(i) {
            Some(high @ 0xD800..=0xDBFF) => match unit_at(i + 6) {
                Some(0xDC00..=0xDFFF) => i += 12,
                _ => return Err(lone_surrogate(high)),
            },
            Some(low @ 0xDC00..=0xDFFF) => return Err(lone_surrogate(low)),
            _ => i += 2,
        }
    }
    Ok(())
}

fn lone_surrogate(unit: u16) -> String {
    format!("a lone surrogate escape \\u{unit:04x} is not allowed (RFC 8259 §8.2: its meaning differs between parsers)")
}

/// Full JSON syntax, strings included. Member names are read as bytes, a
/// path that does not refuse raw control characters; this pass does. Only
/// needed when a name holds a control character, raw or escaped.
fn check_syntax(text: &str) -> Result<(), String> {
    serde_json::from_str::<de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn number_from_raw(raw: &str) -> Result<f64, ()> {
    if raw.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        serde_json::from_str::<f64>(raw).map_err(|_| ())
    } else {
        Err(())
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members: Members<'de> = Members::deserialize(deserializer)?;
        let mut object = Vec::with_capacity(members.0.len());
        for (name, value) in members.0 {
            let name = match name {
                Name::Borrowed(b) => {
                    Cow::Borrowed(std::str::from_utf8(b).map_err(de::Error::custom)?)
                }
                Name::Owned(b) => Cow::Owned(String::from_utf8(b).map_err(de::Error::custom)?),
            };
            object.push((name, value));
        }
        Ok(Object { members: object })
    }
}

/// A member name as bytes, borrowed from the text when it holds no escape;
/// escapes are decoded, so names compare by what they spell.
#[derive(PartialEq, Eq)]
enum Name<'de> {
    Borrowed(&'de [u8]),
    Owned(Vec<u8>),
}

impl Name<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Name::Borrowed(b) => b,
            Name::Owned(b) => b,
        }
    }
}

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_bytes<E>(self, b: &'de [u8]) -> Result<Name<'de>, E> {
                Ok(Name::Borrowed(b))
            }
            fn visit_bytes<E>(self, b: &[u8]) -> Result<Name<'de>, E> {
                Ok(Name::Owned(b.to_vec()))
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Name<'de>, E> {
                Ok(Name::Borrowed(s.as_bytes()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Name<'de>, E> {
                Ok(Name::Owned(s.as_bytes().to_vec()))
            }
        }
        deserializer.deserialize_bytes(NameVisitor)
    }
}

/// An object's members with raw values; duplicate names are an error.
struct Members<'de>(Vec<(Name<'de>, &'de RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members: Vec<(Name<'de>, &'de RawValue)> = Vec::new();
                while let Some(name) = map.next_key::<Name<'de>>()? {
                    members.push((name, map.next_value()?));
                }
                reject_duplicates(&members)?;
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

impl Members<'_> {
    /// Refuses raw control characters in the names of the object `text`.
    fn check_names(&self, text: &str) -> Result<(), String> {
        if self
            .0
            .iter()
            .any(|(name, _)| has_control_bytes(name.bytes()))
        {
            check_syntax(text)?;
        }
        Ok(())
    }
}

fn has_control_bytes(bytes: &[u8]) -> bool {
    bytes.iter().any(|b| *b < 0x20)
}

/// Elements of an array, raw.
struct Elements<'de>(Vec<&'de RawValue>);

impl<'de> Deserialize<'de> for Elements<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ElementsVisitor;
        impl<'de> Visitor<'de> for ElementsVisitor {
            type Value = Elements<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Elements<'de>, A::Error> {
                let mut elements = Vec::new();
                while let Some(element) = seq.next_element()? {
                    elements.push(element);
                }
                Ok(Elements(elements))
            }
        }
        deserializer.deserialize_seq(ElementsVisitor)
    }
}

/// Nesting deeper than this is refused (serde_json's own limit is per parse).
const MAX_DEPTH: usize = 64;

/// Fails on a duplicate member name anywhere inside the raw JSON value.
fn check_unique_members(raw: &str) -> Result<(), String> {
    check_unique_at(raw, 0)
}

fn check_unique_at(raw: &str, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("nesting is too deep".to_string());
    }
    match raw.as_bytes().first() {
        Some(b'{') => {
            let members: Members = serde_json::from_str(raw).map_err(|e| e.to_string())?;
            members.check_names(raw)?;
            members
                .0
                .iter()
                .try_for_each(|(_, value)| check_unique_at(value.get(), depth + 1))
        }
        Some(b'[') => {
            let elements: Elements = serde_json::from_str(raw).map_err(|e| e.to_string())?;
            elements
                .0
                .iter()
                .try_for_each(|value| check_unique_at(value.get(), depth + 1))
        }
        // serde_json only checks a skipped number's syntax; its range is the
        // decode crate's rule, so every entry refuses the same numbers.
        Some(b'-' | b'0'..=b'9') if !scopemint_decode::number_in_range(raw) => {
            Err(scopemint_decode::OUT_OF_RANGE.to_string())
        }
        _ => Ok(()),
    }
}

fn reject_duplicates<E: de::Error>(members: &[(Name<'_>, &RawValue)]) -> Result<(), E> {
    let duplicate = |a: &[u8]| {
        E::custom(format!(
            "duplicate member name \"{}\"",
            String::from_utf8_lossy(a)
        ))
    };
    // Claim sets are small: a quadratic scan beats sorting below a dozen names.
    if members.len() <= 12 {
        for (i, (name, _)) in members.iter().enumerate() {
            if members[..i]
                .iter()
                .any(|(other, _)| other.bytes() == name.bytes())
            {
                return Err(duplicate(name.bytes()));
            }
        }
        return Ok(());
    }
    let mut sorted: Vec<&[u8]> = members.iter().map(|(n, _)| n.bytes()).collect();
    sorted.sort_unstable();
    match sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(duplicate(pair[0])),
        None => Ok(()),
    }
}

/// A claims object: member names (for presence checks) and the registered
/// claims' values, read from raw text only for the names the library uses.
pub struct Claims<'a> {
    members: Vec<(Name<'a>, &'a RawValue)>,
}

impl<'a> Claims<'a> {
    pub fn scan(text: &'a str) -> Result<Claims<'a>, String> {
        check_surrogates(text)?;
        let members: Members<'a> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        members.check_names(text)?;
        for (_, value) in &members.0 {
            check_unique_members(value.get())?;
        }
        Ok(Claims { members: members.0 })
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn raw(&self, name: &str) -> Option<&'a str> {
        self.members
            .iter()
            .find(|(n, _)| n.bytes() == name.as_bytes())
            .map(|(_, v)| v.get())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    /// A claim that must be a number, if present.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ()> {
        self.raw(name).map(number_from_raw).transpose()
    }

    /// A claim that must be a string, if present.
    pub fn string(&self, name: &str) -> Result<Option<String>, ()> {
        self.raw(name)
            .map(|raw| serde_json::from_str::<String>(raw).map_err(|_| ()))
            .transpose()
    }

    /// `aud`: a string or a list of strings, if present.
    pub fn audience(&self) -> Result<Option<Vec<String>>, ()> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Audience {
            One(String),
            Many(Vec<String>),
        }
        self.raw("aud")
            .map(|raw| match serde_json::from_str::<Audience>(raw) {
                Ok(Audience::One(one)) => Ok(vec![one]),
                Ok(Audience::Many(many)) => Ok(many),
                Err(_) => Err(()),
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_members_in_order_as_raw_text() {
        let object = Object::parse(r#"{"b":1,"a":{"x":[1,2]},"c":"s"}"#).unwrap();
        let names: Vec<&str> = object.members.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(object.get("a").unwrap().get(), r#"{"x":[1,2]}"#);
        assert_eq!(object.string("c"), Ok(Some("s".to_string())));
    }

    #[test]
    fn rejects_duplicates_at_any_depth_even_when_escaped() {
        assert!(Object::parse(r#"{"a":1,"a":2}"#).is_err());
        assert!(Object::parse(r#"{"a":1,"\u0061":2}"#).is_err());
        assert!(Object::parse(r#"{"x":{"k":1,"k":2}}"#).is_err());
        assert!(Object::parse(r#"{"x":[{"k":1},{"k":1,"k":1}]}"#).is_err());
        assert!(Object::parse(r#"{"x":[{"k":1},{"k":1}]}"#).is_ok());
    }

    #[test]
    fn lone_surrogate_escapes_are_refused_everywhere() {
        for text in [
            r#"{"title":"Rocket \ud83d"}"#,
            r#"{"x":{"k":["\udc00"]}}"#,
            r#"{"\ud800":1}"#,
            r#"{"t":"\ud83d\u0041"}"#,
            r#"{"t":"\udc00\ud800"}"#,
            r#"{"t":"\uDBFF"}"#,
            r#"{"t":"a\\\ud800"}"#,
        ] {
            assert!(Claims::scan(text).is_err(), "{text}");
            assert!(Object::parse(text).is_err(), "{text}");
        }
        // Paired halves are one character; an escaped backslash before "u" is text.
        for text in [
            r#"{"t":"Rocket \ud83d\ude80","\uD83D\uDE80":1}"#,
            r#"{"t":"\\ud800"}"#,
            r#"{"t":"\\\\ud800","u":"\u00e9\ud7ff\ue000"}"#,
        ] {
            assert!(Claims::scan(text).is_ok(), "{text}");
            assert!(Object::parse(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn claims_scan_reads_registered_claims_and_rejects_duplicates() {
        let claims =
            Claims::scan(r#"{"exp":5,"aud":["a","b"],"iss":"x","x":{"y":[1,{"z":2}]},"sub":3}"#)
                .unwrap();
        assert_eq!(claims.number("exp"), Ok(Some(5.0)));
        assert_eq!(
            claims.audience(),
            Ok(Some(vec!["a".to_string(), "b".to_string()]))
        );
        assert_eq!(claims.string("iss"), Ok(Some("x".to_string())));
        assert_eq!(claims.string("sub"), Err(()));
        assert!(claims.contains("x") && !claims.contains("y"));
        assert!(Claims::scan(r#"{"aud":[{"k":1,"k":2}]}"#).is_err());
        assert!(Claims::scan(r#"{"x":{"y":{"k":1,"k":2}}}"#).is_err());
        assert!(Claims::scan(r#"{"exp":1,"exp":1}"#).is_err());
        let many: Vec<String> = (0..20).map(|i| format!("\"k{i}\":1")).collect();
        assert!(Claims::scan(&format!("{{{},\"k7\":2}}", many.join(","))).is_err());
        assert_eq!(
            Claims::scan(r#"{"aud":["a",1]}"#).unwrap().audience(),
            Err(())
        );
    }

    #[test]
    fn rejects_non_objects_and_deep_nesting_without_crashing() {
        assert!(Object::parse("[1]").is_err());
        assert!(Object::parse("\"s\"").is_err());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Object::parse(&deep).is_err());
        assert!(Claims::scan(&deep).is_err());
    }
}
