//! Strict JSON for headers and claims: the top level must be an object, and
//! duplicate member names are rejected at every depth (RFC 7515 §5.2,
//! RFC 8725 §3.9), since different parsers resolve duplicates differently.
//! Members are kept as raw JSON text, so nothing is re-encoded.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A JSON object's members in document order, values unparsed.
pub struct Object<'a> {
    pub members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Object<'a> {
    /// Parses `text` as an object with unique member names at every depth.
    pub fn parse(text: &'a str) -> Result<Object<'a>, String> {
        let object: Object<'a> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (name, value) in &object.members {
            if value.get().starts_with(['{', '[']) {
                let mut de = serde_json::Deserializer::from_str(value.get());
                UniqueMembers
                    .deserialize(&mut de)
                    .map_err(|e| format!("in \"{name}\": {e}"))?;
            }
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

    /// A member that must be a string, if present; `Err` names the actual type.
    pub fn string(&self, name: &str) -> Result<Option<String>, ()> {
        self.get(name)
            .map(|raw| serde_json::from_str::<String>(raw.get()).map_err(|_| ()))
            .transpose()
    }

    /// A member that must be a number, if present.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ()> {
        self.get(name)
            .map(|raw| {
                if raw
                    .get()
                    .starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                {
                    serde_json::from_str::<f64>(raw.get()).map_err(|_| ())
                } else {
                    Err(())
                }
            })
            .transpose()
    }
}

/// A claims object scanned in one pass: member names (for presence checks)
/// and the registered claims' values; everything else is only checked for
/// syntax and duplicate names. Cheaper than [`Object`] where raw member text
/// is not needed.
pub struct Claims<'a> {
    names: Vec<Cow<'a, str>>,
    registered: Vec<(&'static str, ClaimValue)>,
}

/// Claims whose values the library reads.
const REGISTERED: [&str; 8] = ["exp", "nbf", "iat", "iss", "sub", "jti", "aud", "expires"];

#[derive(Clone, Debug, PartialEq)]
enum ClaimValue {
    Number(f64),
    Text(String),
    TextList(Vec<String>),
    Other,
}

impl<'a> Claims<'a> {
    pub fn scan(text: &'a str) -> Result<Claims<'a>, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    fn registered(&self, name: &str) -> Option<&ClaimValue> {
        self.registered
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// A registered claim that must be a number, if present.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ()> {
        match self.registered(name) {
            None => Ok(None),
            Some(ClaimValue::Number(n)) => Ok(Some(*n)),
            Some(_) => Err(()),
        }
    }

    /// A registered claim that must be a string, if present.
    pub fn string(&self, name: &str) -> Result<Option<String>, ()> {
        match self.registered(name) {
            None => Ok(None),
            Some(ClaimValue::Text(s)) => Ok(Some(s.clone())),
            Some(_) => Err(()),
        }
    }

    /// `aud`: a string or a list of strings, if present.
    pub fn audience(&self) -> Result<Option<Vec<String>>, ()> {
        match self.registered("aud") {
            None => Ok(None),
            Some(ClaimValue::Text(s)) => Ok(Some(vec![s.clone()])),
            Some(ClaimValue::TextList(list)) => Ok(Some(list.clone())),
            Some(_) => Err(()),
        }
    }
}

impl<'de> Deserialize<'de> for Claims<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;
        impl<'de> Visitor<'de> for ClaimsVisitor {
            type Value = Claims<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims<'de>, A::Error> {
                let mut names: Vec<Cow<'de, str>> = Vec::new();
                let mut registered = Vec::new();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    match REGISTERED.iter().find(|r| **r == name) {
                        Some(claim) => registered.push((*claim, map.next_value::<ClaimValue>()?)),
                        None => map.next_value_seed(UniqueMembers)?,
                    }
                    names.push(name);
                }
                reject_duplicates(&names)?;
                Ok(Claims { names, registered })
            }
        }
        deserializer.deserialize_map(ClaimsVisitor)
    }
}

impl<'de> Deserialize<'de> for ClaimValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = ClaimValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Other)
            }
            fn visit_i64<E>(self, n: i64) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Number(n as f64))
            }
            fn visit_u64<E>(self, n: u64) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Number(n as f64))
            }
            fn visit_f64<E>(self, n: f64) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Number(n))
            }
            fn visit_str<E>(self, s: &str) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Text(s.to_string()))
            }
            fn visit_unit<E>(self) -> Result<ClaimValue, E> {
                Ok(ClaimValue::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ClaimValue, A::Error> {
                let mut texts = Some(Vec::new());
                while let Some(item) = seq.next_element::<ClaimValue>()? {
                    match (item, texts.as_mut()) {
                        (ClaimValue::Text(s), Some(list)) => list.push(s),
                        _ => texts = None,
                    }
                }
                Ok(texts.map_or(ClaimValue::Other, ClaimValue::TextList))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ClaimValue, A::Error> {
                UniqueMembers.visit_map(map).map(|()| ClaimValue::Other)
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

fn reject_duplicates<E: de::Error>(names: &[Cow<'_, str>]) -> Result<(), E> {
    // Claim sets are small: a quadratic scan beats sorting below a dozen names.
    if names.len() <= 12 {
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(E::custom(format!("duplicate member name \"{name}\"")));
            }
        }
        return Ok(());
    }
    let mut sorted: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
    sorted.sort_unstable();
    match sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(E::custom(format!("duplicate member name \"{}\"", pair[0]))),
        None => Ok(()),
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut members: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
                while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((name, value));
                }
                let names: Vec<Cow<'_, str>> = members.iter().map(|(n, _)| n.clone()).collect();
                reject_duplicates(&names)?;
                Ok(Object { members })
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Walks any JSON value, failing on a duplicate member name anywhere in it.
struct UniqueMembers;

impl<'de> DeserializeSeed<'de> for UniqueMembers {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueMembers {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueMembers)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names: Vec<Cow<'de, str>> = Vec::new();
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            map.next_value_seed(UniqueMembers)?;
            names.push(name);
        }
        reject_duplicates(&names)
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
        assert_eq!(object.number("b"), Ok(Some(1.0)));
        assert_eq!(object.number("c"), Err(()));
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
