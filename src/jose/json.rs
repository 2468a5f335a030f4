//! Strict JSON for headers and claims, read with the one scanner in the
//! decode crate (`scopemint_decode::json`), which `decode` and the decode-only
//! wasm use too: one pass checks the syntax, refuses duplicate member names
//! at every depth, lone surrogate escapes and numbers of 1e308 or more, and
//! keeps the top-level members as raw text. Typed values (`exp`, `iss`,
//! `aud`, …) are read from those spans only where the library needs them, so
//! nothing is parsed twice and nothing is re-encoded.

use std::borrow::Cow;

use scopemint_decode::json::{self as scanner, Event, Member, Sink};
use serde_json::{Map, Number, Value};

/// A JSON object's top-level members in document order, values as raw text.
pub struct Object<'a> {
    members: Vec<Member<'a>>,
}

impl<'a> Object<'a> {
    /// Parses `text` as one object with unique member names at every depth.
    pub fn parse(text: &'a str) -> Result<Object<'a>, String> {
        Object::parse_with(text, &mut scanner::Validate)
    }

    /// [`Object::parse`], reporting every value to `sink` in the same pass.
    pub fn parse_with(text: &'a str, sink: &mut dyn Sink) -> Result<Object<'a>, String> {
        scanner::parse_object_with(text, sink).map(|members| Object { members })
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// A member's value as JSON text.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.members
            .iter()
            .find(|member| member.name == name)
            .map(|member| member.raw)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A member that must be a number, if present.
    pub fn number(&self, name: &str) -> Result<Option<f64>, ()> {
        self.get(name).map(number).transpose()
    }

    /// A member that must be a string, if present.
    pub fn string(&self, name: &str) -> Result<Option<Cow<'a, str>>, ()> {
        self.get(name).map(string).transpose()
    }

    /// A member that must be a list of strings, if present.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<Cow<'a, str>>>, ()> {
        self.get(name).map(strings).transpose()
    }

    /// `aud`: a string or a list of strings, if present.
    pub fn audience(&self) -> Result<Option<Vec<Cow<'a, str>>>, ()> {
        self.get("aud")
            .map(|raw| match raw.as_bytes()[0] {
                b'"' => string(raw).map(|one| vec![one]),
                _ => strings(raw),
            })
            .transpose()
    }
}

/// A scanned value's text as a number. The scanner checked the JSON grammar
/// and the range, and Rust's float parser reads every JSON number (rounded
/// correctly); a value of another type is an error.
fn number(raw: &str) -> Result<f64, ()> {
    match raw.as_bytes()[0] {
        b'-' | b'0'..=b'9' => raw.parse().map_err(|_| ()),
        _ => Err(()),
    }
}

fn string(raw: &str) -> Result<Cow<'_, str>, ()> {
    scanner::string_value(raw).ok_or(())
}

fn strings(raw: &str) -> Result<Vec<Cow<'_, str>>, ()> {
    scanner::array_elements(raw)
        .ok_or(())?
        .into_iter()
        .map(string)
        .collect()
}

/// Builds the `serde_json::Value` of a scan while it runs (authorize hands the
/// verified claims to the server as one): the tree comes from the same pass
/// that checked the text, not from a second parse.
#[derive(Default)]
pub struct ValueBuilder {
    /// Open containers, innermost last, with the name each will be stored under.
    open: Vec<(Value, Option<String>)>,
    name: Option<String>,
    done: Option<Value>,
    /// A value that would not read (cannot happen after the scanner's checks).
    unreadable: bool,
}

impl ValueBuilder {
    /// The scanned value; `None` if it was not complete.
    pub fn finish(self) -> Option<Value> {
        self.done.filter(|_| !self.unreadable)
    }

    fn add(&mut self, value: Value) {
        match self.open.last_mut() {
            Some((Value::Array(items), _)) => items.push(value),
            Some((Value::Object(members), _)) => {
                members.insert(self.name.take().unwrap_or_default(), value);
            }
            _ => self.done = Some(value),
        }
    }
}

impl Sink for ValueBuilder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::BeginObject => self
                .open
                .push((Value::Object(Map::new()), self.name.take())),
            Event::BeginArray => self.open.push((Value::Array(Vec::new()), self.name.take())),
            Event::EndObject | Event::EndArray => {
                if let Some((container, name)) = self.open.pop() {
                    self.name = name;
                    self.add(container);
                }
            }
            Event::Name(name) => self.name = Some(name.to_string()),
            Event::String(raw) => match scanner::string_value(raw) {
                Some(text) => self.add(Value::String(text.into_owned())),
                None => self.unreadable = true,
            },
            // serde_json's own reading of the number, so values equal what
            // `serde_json::from_str` gives.
            Event::Number(raw) => match raw.parse::<Number>() {
                Ok(number) => self.add(Value::Number(number)),
                Err(_) => self.unreadable = true,
            },
            Event::Bool(value) => self.add(Value::Bool(value)),
            Event::Null => self.add(Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_members_in_order_as_raw_text() {
        let object = Object::parse(r#"{"b":1,"a":{"x":[1,2]},"c":"s"}"#).unwrap();
        let names: Vec<&str> = object.members.iter().map(|m| m.name.as_ref()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert_eq!(object.get("a").unwrap(), r#"{"x":[1,2]}"#);
        assert_eq!(object.string("c"), Ok(Some("s".into())));
    }

    #[test]
    fn rejects_duplicates_at_any_depth_even_when_escaped() {
        assert!(Object::parse(r#"{"a":1,"a":2}"#).is_err());
        assert!(Object::parse(r#"{"a":1,"\u0061":2}"#).is_err());
        assert!(Object::parse(r#"{"x":{"k":1,"k":2}}"#).is_err());
        assert!(Object::parse(r#"{"x":[{"k":1},{"k":1,"k":1}]}"#).is_err());
        assert!(Object::parse(r#"{"x":[{"k":1},{"k":1}]}"#).is_ok());
        // The same name in sibling and nested objects is not a duplicate.
        assert!(Object::parse(r#"{"k":{"k":{"k":1}},"j":{"k":2}}"#).is_ok());
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
            let error = Object::parse(text).err().unwrap();
            assert!(error.contains("surrogate"), "{text}: {error}");
        }
        // Paired halves are one character; an escaped backslash before "u" is text.
        for text in [
            r#"{"t":"Rocket \ud83d\ude80","\uD83D\uDE80":1}"#,
            r#"{"t":"\\ud800"}"#,
            r#"{"t":"\\\\ud800","u":"\u00e9\ud7ff\ue000"}"#,
        ] {
            assert!(Object::parse(text).is_ok(), "{text}");
        }
        let object = Object::parse(r#"{"t":"Rocket \ud83d\ude80","u":"\\ud800"}"#).unwrap();
        assert_eq!(object.string("t"), Ok(Some("Rocket 🚀".into())));
        assert_eq!(object.string("u"), Ok(Some(r"\ud800".into())));
    }

    #[test]
    fn reads_registered_claims_by_type() {
        let claims =
            Object::parse(r#"{"exp":5,"aud":["a","b"],"iss":"x","x":{"y":[1,{"z":2}]},"sub":3}"#)
                .unwrap();
        assert_eq!(claims.number("exp"), Ok(Some(5.0)));
        assert_eq!(claims.audience(), Ok(Some(vec!["a".into(), "b".into()])));
        assert_eq!(claims.string("iss"), Ok(Some("x".into())));
        assert_eq!(claims.string("sub"), Err(()));
        assert_eq!(claims.number("iss"), Err(()));
        assert_eq!(claims.number("missing"), Ok(None));
        assert!(claims.contains("x") && !claims.contains("y"));
        assert!(Object::parse(r#"{"aud":[{"k":1,"k":2}]}"#).is_err());
        assert!(Object::parse(r#"{"x":{"y":{"k":1,"k":2}}}"#).is_err());
        assert!(Object::parse(r#"{"exp":1,"exp":1}"#).is_err());
        let many: Vec<String> = (0..20).map(|i| format!("\"k{i}\":1")).collect();
        assert!(Object::parse(&format!("{{{},\"k7\":2}}", many.join(","))).is_err());
        assert!(Object::parse(&format!("{{{}}}", many.join(","))).is_ok());
        fn aud(text: &str) -> Result<Option<Vec<String>>, ()> {
            let audience = Object::parse(text).unwrap().audience()?;
            Ok(audience.map(|list| list.into_iter().map(String::from).collect()))
        }
        assert_eq!(aud(r#"{"aud":["a",1]}"#), Err(()));
        assert_eq!(aud(r#"{"aud":"solo"}"#), Ok(Some(vec!["solo".into()])));
        assert_eq!(aud(r#"{"aud":[]}"#), Ok(Some(vec![])));
        assert_eq!(aud(r#"{"aud":{"a":1}}"#), Err(()));
        assert_eq!(
            Object::parse(r#"{"exp":1.5e3,"n":-0.25}"#)
                .unwrap()
                .number("exp"),
            Ok(Some(1500.0))
        );
    }

    #[test]
    fn rejects_non_objects_and_deep_nesting_without_crashing() {
        assert!(Object::parse("[1]").is_err());
        assert!(Object::parse("\"s\"").is_err());
        assert!(Object::parse("{} {}").is_err());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Object::parse(&deep).is_err());
    }

    #[test]
    fn the_value_built_in_the_scan_equals_serde_json_s() {
        for text in [
            r#"{"a":[1,-0,2.5e-3,1e300,18446744073709551616,-9223372036854775809],"b":{"c":null,"d":[true,false,{}],"e":"\u00e9\n\ud83d\ude80"}}"#,
            r#" { "k" : [ [ ] , { } ] , "\u0041" : "x" } "#,
        ] {
            let mut builder = ValueBuilder::default();
            Object::parse_with(text, &mut builder).unwrap();
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(builder.finish(), Some(expected), "{text}");
        }
    }
}
