//! A strict JSON scanner (RFC 8259) for token headers and payloads: the top level
//! must be an object, and duplicate member names are refused at every depth
//! (RFC 7515 §5.2, RFC 8725 §3.9), compared after unescaping. Values are kept
//! as raw text. A lone UTF-16 surrogate escape (`"\ud800"`) is refused, the
//! same rule as the main crate's `src/jose/json.rs` for sign, verify and authorize:
//! RFC 8259 §8.2 leaves its meaning to each parser.

use alloc::string::String;
use alloc::vec::Vec;

use crate::decimal;
use crate::filter_words::Json;

/// Deeper nesting is refused (serde_json's limit, which the verifier uses).
const MAX_DEPTH: usize = 128;

/// Why a number is refused by [`number_in_range`].
pub const OUT_OF_RANGE: &str = "a number of magnitude 1e308 or more";

/// Whether `text` is one JSON number below 1e308 in magnitude. Decided from
/// its digits alone, so every entry gives the same answer without parsing a
/// float: at 1e308 and above, `JSON.parse` gives Infinity, serde_json an
/// error, and a re-serialised claim becomes `null`.
pub fn number_in_range(text: &str) -> bool {
    let mut scanner = Scanner { text, pos: 0 };
    scanner.number().is_ok() && scanner.pos == text.len()
}

pub struct Member<'a> {
    /// The unescaped name as WTF-8 bytes.
    pub name: Vec<u8>,
    /// The value's JSON text.
    pub raw: &'a str,
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

type Result<T> = core::result::Result<T, String>;

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn fail<T>(&self, what: &str) -> Result<T> {
        let found = match self.peek() {
            None => "the end of the text",
            Some(_) => "another character",
        };
        Err([what, ", found ", found, " at byte ", &decimal(self.pos)].concat())
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(what)
        }
    }

    fn value(&mut self, depth: usize) -> Result<()> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1).map(|_| ()),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            _ => self.fail("expected a JSON value"),
        }
    }

    fn literal(&mut self, word: &str) -> Result<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail("expected true, false or null")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
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
        let bytes = self.text.as_bytes();
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let fraction = self.pos;
            if self.digits() == 0 {
                return self.fail("expected a digit after the decimal point");
            }
            if power.is_none() {
                power = bytes[fraction..self.pos]
                    .iter()
                    .position(|&b| b != b'0')
                    .map(|zeros| -(zeros as i32) - 1);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let negative = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exponent = self.pos;
            if self.digits() == 0 {
                return self.fail("expected a digit in the exponent");
            }
            // Saturates: an exponent of a million digits is still just "huge".
            let magnitude = bytes[exponent..self.pos]
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
        let mut code = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return self.fail("expected 4 hex digits after \\u"),
            };
            code = code * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(code)
    }

    /// A string, unescaped to WTF-8 bytes.
    fn string(&mut self) -> Result<Vec<u8>> {
        self.expect(b'"', "expected a string")?;
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return self.fail("unterminated string");
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                0x00..=0x1f => return self.fail("control character in a string"),
                b'\\' => {
                    self.pos += 1;
                    let simple = match self.peek() {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => 0,
                        _ => return self.fail("invalid escape"),
                    };
                    self.pos += 1;
                    if simple != 0 {
                        out.push(simple);
                        continue;
                    }
                    let mut code = self.hex4()?;
                    // A high surrogate followed by an escaped low one is one character.
                    if (0xd800..0xdc00).contains(&code) && self.text[self.pos..].starts_with("\\u")
                    {
                        let save = self.pos;
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xdc00..0xe000).contains(&low) {
                            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                        } else {
                            self.pos = save;
                        }
                    }
                    if (0xd800..0xe000).contains(&code) {
                        return self.fail("a lone surrogate escape is not allowed (RFC 8259 §8.2)");
                    }
                    push_wtf8(&mut out, code);
                }
                _ => {
                    // Copy one UTF-8 character (the text is a &str, so it is well formed).
                    let width = match byte {
                        0x00..=0x7f => 1,
                        0xc0..=0xdf => 2,
                        0xe0..=0xef => 3,
                        _ => 4,
                    };
                    out.extend_from_slice(&self.text.as_bytes()[self.pos..self.pos + width]);
                    self.pos += width;
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.pos += 1;
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            self.value(depth)?;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return self.fail("expected , or ]"),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Vec<Member<'a>>> {
        if depth > MAX_DEPTH {
            return self.fail("nested too deeply");
        }
        self.expect(b'{', "expected a JSON object")?;
        let mut members: Vec<Member<'a>> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(members);
        }
        loop {
            self.skip_space();
            let name_at = self.pos;
            let name = self.string()?;
            if members.iter().any(|m| m.name == name) {
                self.pos = name_at;
                return self.fail("duplicate member name");
            }
            self.skip_space();
            self.expect(b':', "expected :")?;
            self.skip_space();
            let start = self.pos;
            self.value(depth)?;
            members.push(Member {
                name,
                raw: &self.text[start..self.pos],
            });
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(members);
                }
                _ => return self.fail("expected , or }"),
            }
        }
    }
}

fn push_wtf8(out: &mut Vec<u8>, code: u32) {
    // UTF-8 of one code point (lone surrogates are refused before this).
    match code {
        0..=0x7f => out.push(code as u8),
        0x80..=0x7ff => {
            out.extend_from_slice(&[0xc0 | (code >> 6) as u8, 0x80 | (code & 0x3f) as u8])
        }
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (code >> 12) as u8,
            0x80 | ((code >> 6) & 0x3f) as u8,
            0x80 | (code & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xf0 | (code >> 18) as u8,
            0x80 | ((code >> 12) & 0x3f) as u8,
            0x80 | ((code >> 6) & 0x3f) as u8,
            0x80 | (code & 0x3f) as u8,
        ]),
    }
}

/// The members of `text`, which must be exactly one JSON object.
pub fn parse_object(text: &str) -> Result<Vec<Member<'_>>> {
    let mut scanner = Scanner { text, pos: 0 };
    scanner.skip_space();
    let members = scanner.object(0)?;
    scanner.skip_space();
    if scanner.pos != text.len() {
        return scanner.fail("expected the end of the text after the object");
    }
    Ok(members)
}

/// A JSON string value's text; `None` if `raw` is not a string or holds a lone surrogate.
pub fn string_value(raw: &str) -> Option<String> {
    let mut scanner = Scanner { text: raw, pos: 0 };
    let bytes = scanner.string().ok()?;
    String::from_utf8(bytes).ok()
}

/// A value's JSON text as a [`Json`] tree (strings unescaped, numbers as their text);
/// `None` if it is not valid JSON or a string holds a lone surrogate.
pub fn tree(raw: &str) -> Option<Json> {
    let mut scanner = Scanner { text: raw, pos: 0 };
    scanner.skip_space();
    let value = scanner.tree(0)?;
    scanner.skip_space();
    (scanner.pos == raw.len()).then_some(value)
}

impl<'a> Scanner<'a> {
    fn tree(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.pos;
        match self.peek()? {
            b'{' => {
                let mut members = Vec::new();
                self.pos += 1;
                loop {
                    self.skip_space();
                    if self.peek() == Some(b'}') && members.is_empty() {
                        self.pos += 1;
                        return Some(Json::Object(members));
                    }
                    let name = String::from_utf8(self.string().ok()?).ok()?;
                    self.skip_space();
                    self.expect(b':', "").ok()?;
                    self.skip_space();
                    members.push((name, self.tree(depth + 1)?));
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Some(Json::Object(members));
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut items = Vec::new();
                self.pos += 1;
                loop {
                    self.skip_space();
                    if self.peek() == Some(b']') && items.is_empty() {
                        self.pos += 1;
                        return Some(Json::Array(items));
                    }
                    items.push(self.tree(depth + 1)?);
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(Json::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => Some(Json::String(String::from_utf8(self.string().ok()?).ok()?)),
            b't' => self.literal("true").ok().map(|_| Json::Bool(true)),
            b'f' => self.literal("false").ok().map(|_| Json::Bool(false)),
            b'n' => self.literal("null").ok().map(|_| Json::Null),
            _ => {
                self.number().ok()?;
                Some(Json::Number(self.text[start..self.pos].into()))
            }
        }
    }
}
