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

fn reject_duplicates<E: de::Error>(names: &mut [Cow<'_, str>]) -> Result<(), E> {
    names.sort_unstable();
    match names.windows(2).find(|pair| pair[0] == pair[1]) {
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
                let mut names: Vec<Cow<'_, str>> = members.iter().map(|(n, _)| n.clone()).collect();
                reject_duplicates(&mut names)?;
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
        reject_duplicates(&mut names)
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
    fn rejects_non_objects_and_deep_nesting_without_crashing() {
        assert!(Object::parse("[1]").is_err());
        assert!(Object::parse("\"s\"").is_err());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Object::parse(&deep).is_err());
    }
}
