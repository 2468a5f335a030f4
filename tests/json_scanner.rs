//! The JSON scanner (`scopemint_decode::json`, used by sign, verify, decode and
//! authorize) against serde_json over random JSON: both accept the same texts and
//! read the same values, except for the scanner's documented refusals, which
//! happen exactly when the text holds one: a duplicate member name at any depth,
//! a lone UTF-16 surrogate escape (RFC 8259 §8.2) or a number of magnitude 1e308
//! or more. Nesting is limited at serde_json's own depth.

use std::cell::Cell;
use std::fmt::Write;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scopemint::{AuthorizeOptions, Request, ScopeType};
use scopemint_decode::filter_words::Json;
use scopemint_decode::json;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

mod support;
use support::{NOW, TINYBIRD_ADMIN_TOKEN as SECRET};

/// A JSON value as the generator writes it, so the refusals it holds are known.
#[derive(Clone, Debug)]
enum Gen {
    Null,
    Bool(bool),
    Number(String),
    String(Vec<Piece>),
    Array(Vec<Gen>),
    Object(Vec<(Vec<Piece>, Gen)>),
}

/// Part of a string: plain text, or one character written as an escape.
#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    /// `\n`, `\"`, `\\`, `\/`, …
    Short(char),
    /// `\uXXXX` of a character outside the surrogate range.
    Unicode(u16),
    /// A surrogate pair `\uD83D\uDE80`, upper- or lowercase hex.
    Pair(char, bool),
    /// `\uD800`–`\uDFFF` alone: refused.
    Lone(u16),
}

#[derive(Default, Debug, PartialEq)]
struct Refusals {
    duplicate: bool,
    lone_surrogate: bool,
    huge_number: bool,
    /// Levels of nesting, the outermost container included.
    depth: usize,
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => prop::sample::select(vec!["a", "k", "é", "🚀", " ", "x y", "\u{2028}", "ab", "\u{7f}"])
            .prop_map(|s| Piece::Text(s.to_string())),
        2 => prop::sample::select(vec!['n', 't', 'r', 'b', 'f', '"', '\\', '/']).prop_map(Piece::Short),
        2 => prop_oneof![Just(0x61u16), Just(0x0u16), Just(0x1fu16), Just(0xe9u16), 0u16..0xd800, 0xe000u16..=0xffff]
            .prop_map(Piece::Unicode),
        1 => (prop::sample::select(vec!['🚀', '😀', '\u{10000}', '\u{10ffff}']), any::<bool>())
            .prop_map(|(c, upper)| Piece::Pair(c, upper)),
        1 => prop_oneof![0xd800u16..0xdc00, 0xdc00u16..0xe000].prop_map(Piece::Lone),
    ]
}

fn name() -> impl Strategy<Value = Vec<Piece>> {
    // Few distinct short names, so duplicates (also through escapes) are common.
    prop_oneof![
        6 => prop::sample::select(vec!["a", "b", "k", "exp"]).prop_map(|s| vec![Piece::Text(s.to_string())]),
        1 => Just(vec![Piece::Unicode(0x61)]),
        2 => prop::collection::vec(piece(), 0..3),
    ]
}

fn number() -> impl Strategy<Value = String> {
    let digits = |n| {
        prop::collection::vec(0u8..10, 1..n)
            .prop_map(|d| d.iter().map(|d| char::from(b'0' + d)).collect::<String>())
    };
    prop_oneof![
        3 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| format!("{n}0000")),
        2 => (any::<bool>(), 1u8..10, digits(15), prop::sample::select(vec!["e", "E", "e+", "e-", "E-"]), 0u32..400)
            .prop_map(|(negative, first, rest, e, exponent)| {
                format!("{}{first}.{rest}{e}{exponent}", if negative { "-" } else { "" })
            }),
        1 => (digits(6), 300u32..320).prop_map(|(mantissa, exponent)| format!("0.{mantissa}e{exponent}")),
        1 => prop::sample::select(vec![
            "0", "-0", "0.0", "1e308", "-1e308", "9.99999999999999e307", "1.7976931348623157e308",
            "1e-400", "0e999", "123456789012345678901234567890",
        ]).prop_map(str::to_string),
    ]
}

fn value() -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        Just(Gen::Null),
        any::<bool>().prop_map(Gen::Bool),
        number().prop_map(Gen::Number),
        prop::collection::vec(piece(), 0..4).prop_map(Gen::String),
    ];
    leaf.prop_recursive(6, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Gen::Array),
            prop::collection::vec((name(), inner), 0..5).prop_map(Gen::Object),
        ]
    })
}

/// A document: a top-level object, sometimes wrapped in deep nesting.
fn document() -> impl Strategy<Value = (Gen, usize, Vec<u8>)> {
    (
        prop::collection::vec((name(), value()), 0..6).prop_map(Gen::Object),
        prop_oneof![6 => Just(0usize), 1 => 100usize..140],
        // Whitespace choices, consumed in order while writing.
        prop::collection::vec(0u8..8, 64),
    )
}

/// Wraps `inner` in `levels` arrays and objects, alternating.
fn nest(inner: Gen, levels: usize) -> Gen {
    (0..levels).fold(inner, |g, i| {
        if i % 2 == 0 {
            Gen::Array(vec![g])
        } else {
            Gen::Object(vec![(vec![Piece::Text("n".into())], g)])
        }
    })
}

struct Writer<'w> {
    out: String,
    space: &'w [u8],
    at: usize,
}

impl Writer<'_> {
    fn space(&mut self) {
        let pick = self.space[self.at % self.space.len()];
        self.at += 1;
        self.out.push_str(match pick {
            0 => " ",
            1 => "\n",
            2 => "\t ",
            3 => "\r\n  ",
            _ => "",
        });
    }

    /// Writes the string; returns its decoded text and whether it holds a lone surrogate.
    fn string(&mut self, pieces: &[Piece], refusals: &mut Refusals) -> (String, bool) {
        let mut decoded = String::new();
        let mut lone = false;
        self.out.push('"');
        let mut pieces = pieces.iter().peekable();
        while let Some(piece) = pieces.next() {
            match piece {
                Piece::Text(text) => {
                    self.out.push_str(text);
                    decoded.push_str(text);
                }
                Piece::Short(c) => {
                    let (escape, read) = match c {
                        'n' => ('n', '\n'),
                        't' => ('t', '\t'),
                        'r' => ('r', '\r'),
                        'b' => ('b', '\u{8}'),
                        'f' => ('f', '\u{c}'),
                        other => (*other, *other),
                    };
                    let _ = write!(self.out, "\\{escape}");
                    decoded.push(read);
                }
                Piece::Unicode(unit) => {
                    let _ = write!(self.out, "\\u{unit:04x}");
                    decoded.push(char::from_u32(u32::from(*unit)).unwrap());
                }
                Piece::Pair(c, upper) => {
                    let mut units = [0u16; 2];
                    c.encode_utf16(&mut units);
                    if *upper {
                        let _ = write!(self.out, "\\u{:04X}\\u{:04X}", units[0], units[1]);
                    } else {
                        let _ = write!(self.out, "\\u{:04x}\\u{:04x}", units[0], units[1]);
                    }
                    decoded.push(*c);
                }
                Piece::Lone(unit) => {
                    let _ = write!(self.out, "\\u{unit:04x}");
                    // A high half written right before a low one is a pair after all.
                    match pieces.peek() {
                        Some(Piece::Lone(low @ 0xdc00..=0xdfff)) if *unit < 0xdc00 => {
                            let _ = write!(self.out, "\\u{low:04x}");
                            let code = 0x10000
                                + ((u32::from(*unit) - 0xd800) << 10)
                                + (u32::from(*low) - 0xdc00);
                            decoded.push(char::from_u32(code).unwrap());
                            pieces.next();
                        }
                        _ => {
                            decoded.push('\u{fffd}');
                            lone = true;
                        }
                    }
                }
            }
        }
        self.out.push('"');
        refusals.lone_surrogate |= lone;
        (decoded, lone)
    }

    fn value(&mut self, gen: &Gen, depth: usize, refusals: &mut Refusals) {
        match gen {
            Gen::Null => self.out.push_str("null"),
            Gen::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Gen::Number(text) => {
                let magnitude = text.parse::<f64>().unwrap().abs();
                refusals.huge_number |= magnitude >= 1e308;
                self.out.push_str(text);
            }
            Gen::String(pieces) => {
                self.string(pieces, refusals);
            }
            Gen::Array(items) => {
                refusals.depth = refusals.depth.max(depth + 1);
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.space();
                    self.value(item, depth + 1, refusals);
                    self.space();
                }
                self.out.push(']');
            }
            Gen::Object(members) => {
                refusals.depth = refusals.depth.max(depth + 1);
                self.out.push('{');
                let mut names = Vec::new();
                for (i, (name, item)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.space();
                    let (decoded, lone) = self.string(name, refusals);
                    // Names holding a lone surrogate are refused for that alone.
                    if !lone && names.contains(&decoded) {
                        refusals.duplicate = true;
                    }
                    names.push(decoded);
                    self.space();
                    self.out.push(':');
                    self.space();
                    self.value(item, depth + 1, refusals);
                    self.space();
                }
                self.out.push('}');
            }
        }
    }
}

/// The document's text and what the scanner must refuse in it.
fn write(doc: &(Gen, usize, Vec<u8>)) -> (String, Refusals) {
    let (top, levels, space) = doc;
    let top = match (levels, top) {
        (0, top) => top.clone(),
        (n, Gen::Object(members)) => {
            let mut members = members.clone();
            members.push((vec![Piece::Text("deep".into())], nest(Gen::Null, *n)));
            Gen::Object(members)
        }
        (_, other) => other.clone(),
    };
    let mut writer = Writer {
        out: String::new(),
        space,
        at: 0,
    };
    let mut refusals = Refusals::default();
    writer.space();
    writer.value(&top, 0, &mut refusals);
    writer.space();
    (writer.out, refusals)
}

/// serde_json's reading, plus the refusals it does not make itself: every
/// object's names compared at every depth, and finite numbers of 1e308 or
/// more (serde_json refuses only those beyond f64).
struct Strict {
    duplicate: bool,
    huge_number: bool,
}

impl<'de> de::DeserializeSeed<'de> for &mut Strict {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Strict {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
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
    fn visit_f64<E>(self, n: f64) -> Result<(), E> {
        self.huge_number |= n.abs() >= 1e308;
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(&mut *self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut names: Vec<String> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            self.duplicate |= names.contains(&name);
            names.push(name);
            map.next_value_seed(&mut *self)?;
        }
        Ok(())
    }
}

/// serde_json's view of `text`: its value (an object), or why the scanner must
/// refuse it; `Err(())` when serde_json refuses it itself.
fn serde_reading(text: &str) -> Result<(Value, bool, bool), ()> {
    let value: Value = serde_json::from_str(text).map_err(|_| ())?;
    let mut strict = Strict {
        duplicate: false,
        huge_number: false,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    de::DeserializeSeed::deserialize(&mut strict, &mut deserializer).map_err(|_| ())?;
    Ok((value, strict.duplicate, strict.huge_number))
}

/// The scanner's tree as a serde_json value (numbers read by serde_json).
fn to_value(tree: &Json) -> Value {
    match tree {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(text) => Value::Number(text.parse().unwrap()),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
    }
}

/// The scanner agrees with serde_json on `text`; returns whether it accepted.
fn agrees(text: &str) -> Result<bool, TestCaseError> {
    let scanned = json::parse_object(text);
    match serde_reading(text) {
        Ok((value, duplicate, huge)) if value.is_object() && !duplicate && !huge => {
            let members =
                scanned.map_err(|e| TestCaseError::fail(format!("refused {text:?}: {e}")))?;
            // Top-level members: names in order, raw spans reading as serde_json's values.
            let object = value.as_object().unwrap();
            prop_assert_eq!(members.len(), object.len());
            for (member, (name, expected)) in members.iter().zip(object) {
                prop_assert_eq!(&member.name, name);
                prop_assert_eq!(
                    &serde_json::from_str::<Value>(member.raw).unwrap(),
                    expected
                );
                if let Value::String(s) = expected {
                    let read = json::string_value(member.raw);
                    prop_assert_eq!(read.as_deref(), Some(s.as_str()));
                }
            }
            // The whole tree built in one scan.
            prop_assert_eq!(json::tree(text).map(|t| to_value(&t)), Some(value));
            Ok(true)
        }
        Ok((value, duplicate, huge)) => {
            prop_assert!(scanned.is_err(), "accepted {text:?}");
            if value.is_object() {
                let error = scanned.err().unwrap();
                if duplicate && !huge {
                    prop_assert!(error.contains("duplicate member name"), "{}", error);
                }
                if huge && !duplicate {
                    prop_assert!(error.contains("1e308"), "{}", error);
                }
            }
            Ok(false)
        }
        Err(()) => {
            prop_assert!(
                scanned.is_err(),
                "accepted {text:?}, which serde_json refuses"
            );
            Ok(false)
        }
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn generated_json_reads_as_serde_json_reads_it_except_the_documented_refusals() {
    let accepted = Cell::new(0usize);
    let refused = Cell::new([0usize; 4]);
    runner(3000)
        .run(&document(), |doc| {
            let (text, refusals) = write(&doc);
            let expect_refusal = refusals.duplicate
                || refusals.lone_surrogate
                || refusals.huge_number
                || refusals.depth > json::MAX_DEPTH;
            let result = json::parse_object(&text);
            prop_assert_eq!(
                result.is_ok(),
                !expect_refusal,
                "{:?} {:?} {:?}",
                text,
                refusals,
                result.as_ref().err()
            );
            if let Err(error) = &result {
                // One reason alone names itself.
                let reasons = [
                    (refusals.duplicate, "duplicate member name"),
                    (refusals.lone_surrogate, "lone surrogate"),
                    (refusals.huge_number, "1e308"),
                    (refusals.depth > json::MAX_DEPTH, "nested too deeply"),
                ];
                if reasons.iter().filter(|(present, _)| *present).count() == 1 {
                    let (i, (_, words)) =
                        reasons.iter().enumerate().find(|(_, (p, _))| *p).unwrap();
                    prop_assert!(error.contains(words), "{} for {:?}", error, text);
                    let mut counts = refused.get();
                    counts[i] += 1;
                    refused.set(counts);
                }
            }
            accepted.set(accepted.get() + usize::from(agrees(&text)?));
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = (accepted.get(), refused.get());
    eprintln!("accepted {accepted}, refused alone for duplicate/lone/huge/deep: {refused:?}");
    // The generator must reach every case, or the property proves little.
    assert!(accepted > 300, "{accepted}");
    assert!(refused.iter().all(|&n| n > 20), "{refused:?}");
}

#[test]
fn mutated_json_is_accepted_only_where_serde_json_accepts_it() {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0u8..3,
            prop::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"", "\\", "u", "d800", "0", "-", ".", "e", " ",
                "\u{1}", "tru", "n", "1e400",
            ]),
        ),
        1..4,
    );
    let accepted = Cell::new(0usize);
    runner(3000)
        .run(&(document(), edits), |(doc, edits)| {
            let (mut text, _) = write(&doc);
            for (at, kind, insert) in edits {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let next = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                match kind {
                    0 => text.insert_str(at, insert),
                    1 => text.replace_range(at..next, ""),
                    _ => text.replace_range(at..next, insert),
                }
            }
            accepted.set(accepted.get() + usize::from(agrees(&text)?));
            Ok(())
        })
        .unwrap();
    let accepted = accepted.get();
    eprintln!("mutated: accepted {accepted} of 3000");
    assert!(accepted > 50, "{accepted}");
}

/// authorize builds its claims in the same scan that verify checks with:
/// they equal serde_json's reading of the payload.
#[test]
fn authorize_reads_the_claims_serde_json_reads() {
    let verifier = support::verifier(serde_json::json!({ "secret": SECRET }));
    let request = Request::new(ScopeType::PipesRead, "p");
    let options = AuthorizeOptions::default();
    runner(400)
        .run(&document(), |doc| {
            let (text, refusals) = write(&doc);
            let payload = format!(
                r#"{{"exp":{},"scopes":[{{"type":"PIPES:READ","resource":"p"}}],"x":{text}}}"#,
                NOW + 60
            );
            let token =
                support::hs256_token(SECRET.as_bytes(), br#"{"alg":"HS256"}"#, payload.as_bytes());
            let verified = verifier.verify_at(&token, NOW as f64);
            let granted = verifier.authorize_at(&token, &request, &options, NOW as f64);
            prop_assert_eq!(verified.is_ok(), granted.is_ok());
            let clean = !(refusals.duplicate || refusals.lone_surrogate || refusals.huge_number)
                && refusals.depth < json::MAX_DEPTH;
            prop_assert_eq!(granted.is_ok(), clean, "{}", payload);
            if let Ok(grant) = granted {
                let expected: Value = serde_json::from_str(&payload).unwrap();
                prop_assert_eq!(grant.claims, expected);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn nesting_stops_at_serde_json_s_limit() {
    let nested = |levels: usize| {
        format!(
            "{{\"a\":{}1{}}}",
            "[".repeat(levels - 1),
            "]".repeat(levels - 1)
        )
    };
    let limit = json::MAX_DEPTH;
    assert!(json::parse_object(&nested(limit)).is_ok());
    assert!(serde_json::from_str::<Value>(&nested(limit)).is_ok());
    let error = json::parse_object(&nested(limit + 1)).err().unwrap();
    assert!(error.contains("nested too deeply"), "{error}");
    assert!(serde_json::from_str::<Value>(&nested(limit + 1)).is_err());
}
