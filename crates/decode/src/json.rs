//! The one strict JSON scanner (RFC 8259) for token headers and payloads, used by
//! sign, verify, decode and authorize in the main crate and by the decode-only wasm.
//! One pass over the text:
//! - checks the syntax, control characters and a nesting limit;
//! - refuses duplicate member names at every depth (RFC 7515 §5.2, RFC 8725 §3.9),
//!   compared after unescaping, since parsers resolve duplicates differently;
//! - refuses a lone UTF-16 surrogate escape (`"\ud800"`): RFC 8259 §8.2 leaves its
//!   meaning to each parser, so two different claims could read as one string;
//! - refuses numbers of magnitude 1e308 or more ([`number_in_range`]);
//! - returns the top-level members with their values as raw text, so nothing is
//!   re-encoded and a string is only unescaped where a caller reads it.
//!
//! A [`Sink`] sees every value as it is scanned, for a caller that needs a tree
//! (authorize's claims, decode's secure filters) in the same pass.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::decimal;
use crate::filter_words::Json;

/// The most levels of nesting, the top-level object included: serde_json's
/// recursion limit, so every text accepted here also reads as a `serde_json::Value`.
pub const MAX_DEPTH: usize = 127;

/// Why a number is refused by [`number_in_range`].
pub const OUT_OF_RANGE: &str = "a number of magnitude 1e308 or more";

const LONE_SURROGATE: &str = "a lone surrogate escape is not allowed (RFC 8259 §8.2)";

/// The bytes that end a run of plain characters in a string: the quote, the
/// backslash and the control characters (one table load per byte).
const ENDS_PLAIN_RUN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Objects with more members than this are checked for duplicates by sorting,
/// except in the decode-only wasm: it compares every pair, as it always did
/// (same answers; sorting costs about 300 bytes gzip of a 15 KB budget, and a
/// browser decoding a huge object only slows itself down).
const LINEAR_DUPLICATE_CHECK: usize = 16;

/// Whether `text` is one JSON number below 1e308 in magnitude. Decided from
/// its digits alone, so every entry gives the same answer without parsing a
/// float: at 1e308 and above, `JSON.parse` gives Infinity, serde_json an
/// error, and a re-serialised claim becomes `null`.
pub fn number_in_range(text: &str) -> bool {
    let mut scanner = Scanner::new(text);
    scanner.number().is_ok() && scanner.pos == text.len()
}

/// A top-level member of an object.
pub struct Member<'a> {
    /// The unescaped name (borrowed from the text when it holds no escape).
    pub name: Cow<'a, str>,
    /// The value's JSON text.
    pub raw: &'a str,
}

/// One step of a scan, in document order: containers as begin/end pairs,
/// member names before their values.
pub enum Event<'e> {
    BeginObject,
    EndObject,
    BeginArray,
    EndArray,
    /// A member name, unescaped.
    Name(&'e str),
    /// A string value's JSON text, quotes included (read it with [`string_value`]).
    String(&'e str),
    /// A number's JSON text (valid and in range).
    Number(&'e str),
    Bool(bool),
    Null,
}

/// Receives every value of a scan, for a caller that builds a tree in the
/// same pass. Called through `dyn`: one scanner in the code, not one per sink
/// (the decode-only wasm has a size budget).
pub trait Sink {
    fn event(&mut self, event: Event<'_>);
}

/// A sink that keeps nothing: syntax and rules only.
pub struct Validate;

impl Sink for Validate {
    fn event(&mut self, _: Event<'_>) {}
}

type Result<T> = core::result::Result<T, String>;

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The members of every object being scanned, innermost last; after a
    /// scan, the top-level object's.
    members: Vec<Member<'a>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            members: Vec::with_capacity(16),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    // Out of line: the error text is built only on failure, and keeping it out of
    // the scanning loops keeps them small.
    #[cold]
    #[inline(never)]
    fn fail<T>(&self, what: &str) -> Result<T> {
        let found = match self.peek() {
            None => "the end of the text",
            Some(_) => "another character",
        };
        Err([what, ", found ", found, " at byte ", &decimal(self.pos)].concat())
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize, sink: &mut dyn Sink) -> Result<()> {
        let start = self.pos;
        let event = match self.peek() {
            Some(b'{') => return self.object(depth + 1, sink),
            Some(b'[') => return self.array(depth + 1, sink),
            Some(b'"') => {
                self.string(false)?;
                Event::String(&self.text[start..self.pos])
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Event::Number(&self.text[start..self.pos])
            }
            Some(b't') => {
                self.literal("true")?;
                Event::Bool(true)
            }
            Some(b'f') => {
                self.literal("false")?;
                Event::Bool(false)
            }
            Some(b'n') => {
                self.literal("null")?;
                Event::Null
            }
            _ => return self.fail("expected a JSON value"),
        };
        sink.event(event);
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<()> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail("expected true, false or null")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        let integer_digits = self.digits();
        match integer_digits {
            0 => return self.fail("expected a digit"),
            n if leading_zero && n > 1 => return self.fail("a number cannot start with 0"),
            _ => {}
        }
        // The power of ten of the first significant digit; None for zero.
        let mut power = (!leading_zero).then(|| integer_digits as i32 - 1);
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let fraction = self.pos;
            if self.digits() == 0 {
                return self.fail("expected a digit after the decimal point");
            }
            if power.is_none() {
                power = self.bytes[fraction..self.pos]
                    .iter()
                    .position(|&b| b != b'0')
                    .map(|zeros| -(zeros as i32) - 1);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let negative = self.peek() == Some(b'-');
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            let exponent = self.pos;
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
            // Saturates: an exponent of a million digits is still just "huge".
            let magnitude = self.bytes[exponent..self.pos]
                .iter()
                .fold(0i32, |n, &b| (n * 10 + i32::from(b - b'0')).min(1 << 20));
            power = power.map(|p| {
                if negative {
                    p - magnitude
                } else {
                    p + magnitude
                }
            });
        }
        match power {
            Some(p) if p >= 308 => Err(OUT_OF_RANGE.into()),
            _ => Ok(()),
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let Some(code) = self.bytes.get(self.pos..self.pos + 4).and_then(hex_value) else {
            return self.fail("expected 4 hex digits after \\u");
        };
        self.pos += 4;
        Ok(code)
    }

    /// A string, checked (escapes, surrogate pairs, control characters). With
    /// `decode` its text, unescaped (borrowed when it holds no escape); without,
    /// only its raw text between the quotes, so a plain check allocates nothing.
    fn string(&mut self, decode: bool) -> Result<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return self.fail("expected a string");
        }
        self.pos += 1;
        let start = self.pos;
        let mut decoded: Option<String> = None;
        // The end of the text already copied into `decoded`.
        let mut copied = start;
        loop {
            // The text is a &str, so multi-byte characters are well formed and
            // none of their bytes is below 0x80: only ASCII needs a look. Plain
            // characters are skipped in one run (a tight loop, no per-byte match).
            let rest = &self.bytes[self.pos..];
            self.pos += rest
                .iter()
                .position(|&b| ENDS_PLAIN_RUN[usize::from(b)])
                .unwrap_or(rest.len());
            let Some(&byte) = self.bytes.get(self.pos) else {
                return self.fail("unterminated string");
            };
            match byte {
                b'"' => {
                    let rest = &self.text[copied..self.pos];
                    self.pos += 1;
                    return Ok(match decoded {
                        Some(mut text) => {
                            text.push_str(rest);
                            Cow::Owned(text)
                        }
                        None => Cow::Borrowed(&self.text[start..self.pos - 1]),
                    });
                }
                b'\\' => {
                    let escape_at = self.pos;
                    self.pos += 2;
                    let character = match self.bytes.get(self.pos - 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => {
                            self.pos -= 1;
                            return self.fail("invalid escape");
                        }
                    };
                    if decode {
                        let text = decoded.get_or_insert_with(String::new);
                        text.push_str(&self.text[copied..escape_at]);
                        text.push(character);
                        copied = self.pos;
                    }
                }
                // The run above stops only at a quote, a backslash or this.
                _ => return self.fail("control character in a string"),
            }
        }
    }

    /// The character of the 4 hex digits after `\u`, with the low half that
    /// must follow a high surrogate.
    fn unicode_escape(&mut self) -> Result<char> {
        let code = self.hex4()?;
        let code = match code {
            0xd800..=0xdbff => {
                let low = self.bytes.get(self.pos..self.pos + 6).and_then(|next| {
                    (next[0] == b'\\' && next[1] == b'u')
                        .then(|| hex_value(&next[2..]))
                        .flatten()
                });
                match low {
                    Some(low @ 0xdc00..=0xdfff) => {
                        self.pos += 6;
                        0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                    }
                    _ => return self.fail(LONE_SURROGATE),
                }
            }
            0xdc00..=0xdfff => return self.fail(LONE_SURROGATE),
            _ => code,
        };
        // Every value left is a Unicode scalar value.
        char::from_u32(code).map_or_else(|| self.fail(LONE_SURROGATE), Ok)
    }

    fn array(&mut self, depth: usize, sink: &mut dyn Sink) -> Result<()> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.pos += 1;
        sink.event(Event::BeginArray);
        self.skip_space();
        if self.peek() != Some(b']') {
            loop {
                self.skip_space();
                self.value(depth, sink)?;
                self.skip_space();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => break,
                    _ => return self.fail("expected , or ]"),
                }
            }
        }
        self.pos += 1;
        sink.event(Event::EndArray);
        Ok(())
    }

    /// An object at `depth` (the top level is 1, whose members stay in `members`).
    fn object(&mut self, depth: usize, sink: &mut dyn Sink) -> Result<()> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        if self.peek() != Some(b'{') {
            return self.fail("expected a JSON object");
        }
        self.pos += 1;
        sink.event(Event::BeginObject);
        let first = self.members.len();
        self.skip_space();
        if self.peek() != Some(b'}') {
            loop {
                self.skip_space();
                let name = self.string(true)?;
                let siblings = &self.members[first..];
                let linear =
                    cfg!(feature = "wasm-entry") || siblings.len() < LINEAR_DUPLICATE_CHECK;
                if linear && siblings.iter().any(|m| m.name == name) {
                    return Err(duplicate(&name));
                }
                sink.event(Event::Name(&name));
                self.skip_space();
                if self.peek() != Some(b':') {
                    return self.fail("expected :");
                }
                self.pos += 1;
                self.skip_space();
                let start = self.pos;
                self.value(depth, sink)?;
                self.members.push(Member {
                    name,
                    raw: &self.text[start..self.pos],
                });
                self.skip_space();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => break,
                    _ => return self.fail("expected , or }"),
                }
            }
        }
        self.pos += 1;
        #[cfg(not(feature = "wasm-entry"))]
        if self.members.len() - first > LINEAR_DUPLICATE_CHECK {
            let mut sorted: Vec<&str> = self.members[first..].iter().map(|m| &*m.name).collect();
            heap_sort(&mut sorted);
            if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(duplicate(pair[0]));
            }
        }
        if depth > 1 {
            self.members.truncate(first);
        }
        sink.event(Event::EndObject);
        Ok(())
    }

    fn end(&mut self) -> Result<()> {
        self.skip_space();
        if self.pos != self.text.len() {
            return self.fail("expected the end of the text after the value");
        }
        Ok(())
    }
}

#[cfg(not(feature = "wasm-entry"))]
/// In place, O(n log n) and a few lines: core's `sort_unstable` would add
/// several kilobytes to the decode-only wasm for objects that are rarely large.
fn heap_sort(items: &mut [&str]) {
    fn sift_down(items: &mut [&str], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && items[child] < items[child + 1] {
                child += 1;
            }
            if items[root] >= items[child] {
                return;
            }
            items.swap(root, child);
            root = child;
        }
    }
    for root in (0..items.len() / 2).rev() {
        sift_down(items, root, items.len());
    }
    for end in (1..items.len()).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

#[cold]
fn duplicate(name: &str) -> String {
    ["duplicate member name \"", name, "\""].concat()
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |code, &c| {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        Some(code * 16 + u32::from(digit))
    })
}

/// The members of `text`, which must be exactly one JSON object.
pub fn parse_object(text: &str) -> Result<Vec<Member<'_>>> {
    parse_object_with(text, &mut Validate)
}

/// [`parse_object`], reporting every value to `sink` in the same pass.
pub fn parse_object_with<'a>(text: &'a str, sink: &mut dyn Sink) -> Result<Vec<Member<'a>>> {
    let mut scanner = Scanner::new(text);
    scanner.skip_space();
    scanner.object(1, sink)?;
    scanner.end()?;
    Ok(scanner.members)
}

/// Scans `raw` as exactly one JSON value of any kind, reporting it to `sink`.
pub fn scan_value(raw: &str, sink: &mut dyn Sink) -> Result<()> {
    let mut scanner = Scanner::new(raw);
    scanner.skip_space();
    scanner.value(0, sink)?;
    scanner.end()
}

/// A JSON string value's text; `None` if `raw` is not exactly one valid string.
pub fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    let mut scanner = Scanner::new(raw);
    let text = scanner.string(true).ok()?;
    (scanner.pos == raw.len()).then_some(text)
}

/// The elements of a JSON array as raw text; `None` if `raw` is not exactly one valid array.
pub fn array_elements(raw: &str) -> Option<Vec<&str>> {
    let mut scanner = Scanner::new(raw);
    if scanner.peek() != Some(b'[') {
        return None;
    }
    scanner.pos += 1;
    let mut elements = Vec::new();
    scanner.skip_space();
    if scanner.peek() == Some(b']') {
        scanner.pos += 1;
    } else {
        loop {
            scanner.skip_space();
            let start = scanner.pos;
            scanner.value(1, &mut Validate).ok()?;
            elements.push(&raw[start..scanner.pos]);
            scanner.skip_space();
            match scanner.peek()? {
                b',' => scanner.pos += 1,
                b']' => {
                    scanner.pos += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    scanner.end().ok()?;
    Some(elements)
}

/// Builds a [`Json`] tree from the values a scan reports.
#[derive(Default)]
struct TreeBuilder {
    /// Open containers, innermost last.
    open: Vec<Json>,
    /// Names of the members whose values are being read, innermost last.
    names: Vec<String>,
    done: Option<Json>,
}

impl TreeBuilder {
    fn add(&mut self, value: Json) {
        match self.open.last_mut() {
            Some(Json::Array(items)) => items.push(value),
            Some(Json::Object(members)) => {
                members.push((self.names.pop().unwrap_or_default(), value))
            }
            _ => self.done = Some(value),
        }
    }
}

impl Sink for TreeBuilder {
    fn event(&mut self, event: Event<'_>) {
        let value = match event {
            Event::BeginObject => return self.open.push(Json::Object(Vec::new())),
            Event::BeginArray => return self.open.push(Json::Array(Vec::new())),
            Event::Name(name) => return self.names.push(name.into()),
            Event::EndObject | Event::EndArray => match self.open.pop() {
                Some(container) => container,
                None => return,
            },
            // The scanner checked the string: it always reads.
            Event::String(raw) => {
                Json::String(string_value(raw).map(Cow::into_owned).unwrap_or_default())
            }
            Event::Number(raw) => Json::Number(raw.into()),
            Event::Bool(value) => Json::Bool(value),
            Event::Null => Json::Null,
        };
        self.add(value);
    }
}

/// A value's JSON text as a [`Json`] tree (strings unescaped, numbers as their
/// text); `None` if it breaks any rule of the scanner.
pub fn tree(raw: &str) -> Option<Json> {
    let mut builder = TreeBuilder::default();
    scan_value(raw, &mut builder).ok()?;
    builder.done
}
