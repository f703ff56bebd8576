//! The strict RFC 8259 parser: text → [`Value`], or an [`Error`] with the byte position of the problem.
//!
//! Owns the grammar only (numbers are converted by `number`). Recursion is bounded by [`MAX_DEPTH`], every read is
//! bounds-checked, so no input can make it panic or overflow the stack.

use std::fmt;

use super::number::decimal_to_f64;
use super::{Map, Value};

/// Deepest nesting of arrays and objects [`parse`] accepts (`serde_json`, used before, stopped at 127).
pub const MAX_DEPTH: usize = 128;

const END: &str = "unexpected end of input";

/// Why a text is not JSON, and where (byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    position: usize,
    reason: &'static str,
}

impl Error {
    /// Byte offset of the problem in the text (the text's length for an unexpected end).
    pub fn position(&self) -> usize {
        self.position
    }

    /// What is wrong, e.g. ``expected `:` ``.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// `expected `:` at byte 12`.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)?;
        f.write_str(" at byte ")?;
        fmt::Display::fmt(&self.position, f)
    }
}

impl std::error::Error for Error {}

/// Parses a whole JSON text (one value, surrounded by optional whitespace).
///
/// # Errors
/// [`Error`] with the byte position, for anything outside RFC 8259 (including trailing characters after the
/// value), nesting deeper than [`MAX_DEPTH`], and numbers beyond the `f64` range.
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = p.value(0)?;
    p.skip_whitespace();
    if p.pos < p.bytes.len() {
        return Err(p.error("trailing characters after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    #[cold]
    #[inline(never)]
    fn error(&self, reason: &'static str) -> Error {
        Error {
            position: self.pos,
            reason,
        }
    }

    /// `reason` at the current position, or "unexpected end of input" when there is nothing left.
    #[cold]
    #[inline(never)]
    fn error_here(&self, reason: &'static str) -> Error {
        if self.pos >= self.bytes.len() {
            self.error(END)
        } else {
            self.error(reason)
        }
    }

    // Inlined: as a call, its `Option` goes through memory at each of its many call sites.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.container(depth, true),
            Some(b'[') => self.container(depth, false),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true").map(|()| Value::Bool(true)),
            Some(b'f') => self.literal("false").map(|()| Value::Bool(false)),
            Some(b'n') => self.literal("null").map(|()| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error_here("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), Error> {
        for &expected in word.as_bytes() {
            if self.peek() != Some(expected) {
                return Err(self.error_here("expected a value (true, false or null)"));
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// An object (`object`) or an array, starting at its opening bracket: one loop for both, as their separators
    /// and ends are read the same way.
    fn container(&mut self, depth: usize, object: bool) -> Result<Value, Error> {
        if depth >= MAX_DEPTH {
            return Err(self.error("arrays and objects nested deeper than 128 levels"));
        }
        let (close, expected_separator) = if object {
            (b'}', "expected `,` or `}`")
        } else {
            (b']', "expected `,` or `]`")
        };
        self.pos += 1;
        let mut items = Vec::new();
        let mut map = Map::new();
        self.skip_whitespace();
        if self.peek() != Some(close) {
            loop {
                if object {
                    self.skip_whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.error_here("expected a string key"));
                    }
                    let key = self.string()?;
                    self.skip_whitespace();
                    if self.peek() != Some(b':') {
                        return Err(self.error_here("expected `:`"));
                    }
                    self.pos += 1;
                    let value = self.value(depth + 1)?;
                    map.push(key, value);
                } else {
                    items.push(self.value(depth + 1)?);
                }
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b) if b == close => break,
                    _ => return Err(self.error_here(expected_separator)),
                }
            }
        }
        self.pos += 1;
        Ok(if object {
            Value::Object(map)
        } else {
            Value::Array(items)
        })
    }

    /// A string starting at the opening quote.
    #[inline(never)]
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // `start` and `pos` sit on ASCII bytes (or the end), so both are char boundaries.
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                _ => {
                    return Err(
                        self.error_here("control character in a string (it must be escaped)")
                    )
                }
            }
        }
    }

    /// An escape starting at the backslash.
    #[inline(never)]
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let backslash = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{08}',
            Some(b'f') => '\u{0C}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let c = self.unicode_escape(backslash)?;
                out.push(c);
                return Ok(());
            }
            _ => return Err(self.error_here("invalid escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    /// The rest of `\uXXXX` (and of its low surrogate `\uXXXX` when it is a high one).
    fn unicode_escape(&mut self, backslash: usize) -> Result<char, Error> {
        let lone = Error {
            position: backslash,
            reason: "lone surrogate in a \\u escape",
        };
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u".as_slice()) {
                    return Err(lone);
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(lone);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(lone),
            _ => first,
        };
        char::from_u32(code).ok_or(lone)
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut v = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error_here("invalid \\u escape (expected 4 hex digits)"))?;
            v = v * 16 + digit;
            self.pos += 1;
        }
        Ok(v)
    }

    fn digits(&mut self) -> &'a [u8] {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    #[inline(never)]
    fn number(&mut self) -> Result<Value, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int = self.digits();
        match int {
            [] => return Err(self.error_here("invalid number (expected a digit)")),
            [b'0', _, ..] => {
                self.pos = start + usize::from(negative) + 1;
                return Err(self.error("invalid number (leading zero)"));
            }
            _ => {}
        }
        let mut frac: &[u8] = &[];
        if self.peek() == Some(b'.') {
            self.pos += 1;
            frac = self.digits();
            if frac.is_empty() {
                return Err(self.error_here("invalid number (expected a digit after `.`)"));
            }
        }
        let mut exponent: i64 = 0;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let exp_negative = self.peek() == Some(b'-');
            if matches!(self.peek(), Some(b'-' | b'+')) {
                self.pos += 1;
            }
            let digits = self.digits();
            if digits.is_empty() {
                return Err(self.error_here("invalid number (expected a digit in the exponent)"));
            }
            for &d in digits {
                // Saturates far beyond any exponent that matters (the value is 0 or out of range by then).
                exponent = (exponent * 10 + i64::from(d - b'0')).min(1 << 40);
            }
            if exp_negative {
                exponent = -exponent;
            }
        }
        let magnitude = decimal_to_f64(int, frac, exponent).ok_or(Error {
            position: start,
            reason: "number out of range",
        })?;
        Ok(Value::Number(if negative { -magnitude } else { magnitude }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::super::json;
    use super::*;

    fn err(text: &str) -> (usize, &'static str) {
        let e = parse(text).unwrap_err();
        (e.position(), e.reason())
    }

    #[test]
    fn accepts_the_rfc_grammar() {
        let cases: &[(&str, Value)] = &[
            ("null", Value::Null),
            (" \t\r\ntrue \n", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("0", Value::Number(0.0)),
            ("-0", Value::Number(-0.0)),
            ("-12.5e-1", Value::Number(-1.25)),
            ("1E2", Value::Number(100.0)),
            ("1e+2", Value::Number(100.0)),
            ("0.000", Value::Number(0.0)),
            (r#""""#, Value::from("")),
            (
                r#""a\"b\\c\/d\b\f\n\r\t""#,
                Value::from("a\"b\\c/d\u{8}\u{c}\n\r\t"),
            ),
            (r#""\u0041\u00e9\u20AC\ud83d\ude00""#, Value::from("Aé€😀")),
            ("\"é😀 raw\"", Value::from("é😀 raw")),
            ("\"\u{7f}\"", Value::from("\u{7f}")),
            ("[]", json!([])),
            ("[ 1 , [ ] , { } ]", json!([1, [], {}])),
            (r#"{"a":{"b":[null]}}"#, json!({"a": {"b": [null]}})),
            (r#" { "k" : "v" } "#, json!({"k": "v"})),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse(text).unwrap(), expected, "{text}");
        }
        // Negative zero keeps its sign.
        assert!(parse("-0.0").unwrap().as_f64().unwrap().is_sign_negative());
    }

    #[test]
    fn rejects_everything_else_with_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, END),
            ("   ", 3, END),
            ("nul", 3, END),
            ("nulL", 3, "expected a value (true, false or null)"),
            ("True", 0, "expected a value"),
            ("[1,]", 3, "expected a value"),
            ("[1 2]", 3, "expected `,` or `]`"),
            ("[1", 2, END),
            (r#"{"a":1,}"#, 7, "expected a string key"),
            (r#"{"a" 1}"#, 5, "expected `:`"),
            (r#"{"a":1 "b":2}"#, 7, "expected `,` or `}`"),
            ("{a:1}", 1, "expected a string key"),
            ("{'a':1}", 1, "expected a string key"),
            ("01", 1, "invalid number (leading zero)"),
            ("-", 1, END),
            ("-a", 1, "invalid number (expected a digit)"),
            ("+1", 0, "expected a value"),
            (".5", 0, "expected a value"),
            ("1.", 2, END),
            ("1.e5", 2, "invalid number (expected a digit after `.`)"),
            ("1e", 2, END),
            ("1e+", 3, END),
            (
                "1ex",
                2,
                "invalid number (expected a digit in the exponent)",
            ),
            ("1e400", 0, "number out of range"),
            ("[-1e400]", 1, "number out of range"),
            ("NaN", 0, "expected a value"),
            ("Infinity", 0, "expected a value"),
            ("\"abc", 4, END),
            (
                "\"a\nb\"",
                2,
                "control character in a string (it must be escaped)",
            ),
            (
                "\"\t\"",
                1,
                "control character in a string (it must be escaped)",
            ),
            (r#""\x""#, 2, "invalid escape"),
            (r#""\"#, 2, END),
            (r#""\u12""#, 5, "invalid \\u escape (expected 4 hex digits)"),
            (r#""\u12"#, 5, END),
            (r#""\ud800""#, 1, "lone surrogate in a \\u escape"),
            (r#""\ud800\u0041""#, 1, "lone surrogate in a \\u escape"),
            (r#""\ud800\n""#, 1, "lone surrogate in a \\u escape"),
            (r#""\udc00""#, 1, "lone surrogate in a \\u escape"),
            (r#""\ud800\ud800""#, 1, "lone surrogate in a \\u escape"),
            ("1 2", 2, "trailing characters after the value"),
            ("{} x", 3, "trailing characters after the value"),
            ("\u{feff}1", 0, "expected a value"),
            ("[1]\u{0}", 3, "trailing characters after the value"),
            ("/*c*/1", 0, "expected a value"),
        ];
        for (text, position, reason) in cases {
            assert_eq!(err(text), (*position, *reason), "{text:?}");
        }
    }

    #[test]
    fn error_message_names_the_byte() {
        let e = parse(r#"{"a" 1}"#).unwrap_err();
        assert_eq!(e.to_string(), "expected `:` at byte 5");
    }

    #[test]
    fn depth_is_limited() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(
            err(&deep),
            (
                MAX_DEPTH,
                "arrays and objects nested deeper than 128 levels"
            )
        );
        let objects = r#"{"a":"#.repeat(MAX_DEPTH + 1);
        assert_eq!(
            err(&objects).1,
            "arrays and objects nested deeper than 128 levels"
        );
        // Far deeper input is rejected just as cheaply (no recursion past the limit).
        assert!(parse(&"[".repeat(1_000_000)).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(Value::Number),
                any::<i32>().prop_map(Value::from),
                ".*".prop_map(Value::String),
                "[\u{0}-\u{20}\"\\\\/\u{7f}\u{fffd}\u{10000}]*".prop_map(Value::String),
            ];
            leaf.prop_recursive(6, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::vec((".{0,6}", inner), 0..6)
                        .prop_map(|members| Value::Object(members.into_iter().collect())),
                ]
            })
        }

        /// Inserts whitespace between tokens (outside strings) to exercise the skipping.
        fn spaced(text: &str) -> String {
            let mut out = String::new();
            let mut in_string = false;
            let mut escaped = false;
            for c in text.chars() {
                if in_string {
                    out.push(c);
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        in_string = false;
                    }
                    continue;
                }
                if c == '"' {
                    in_string = true;
                }
                if matches!(c, '[' | ']' | '{' | '}' | ',' | ':') {
                    out.push_str(" \n");
                    out.push(c);
                    out.push_str("\t\r");
                } else {
                    out.push(c);
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn write_then_parse_round_trips(v in value()) {
                let text = v.to_json();
                prop_assert_eq!(&parse(&text).unwrap(), &v);
                prop_assert_eq!(&parse(&spaced(&text)).unwrap(), &v);
            }

            #[test]
            fn never_panics_on_arbitrary_text(text in ".{0,64}") {
                if let Err(e) = parse(&text) {
                    prop_assert!(e.position() <= text.len());
                }
            }

            #[test]
            fn never_panics_on_json_like_text(text in r#"[\[\]{}:,"\\ 0-9eE.+\-tfrunalsxud]{0,48}"#) {
                match parse(&text) {
                    Ok(v) => prop_assert_eq!(parse(&v.to_json()).unwrap(), v),
                    Err(e) => prop_assert!(e.position() <= text.len()),
                }
            }

            #[test]
            fn every_truncation_of_valid_json_fails_cleanly(v in value(), cut in any::<prop::sample::Index>()) {
                let text = v.to_json();
                let mut end = cut.index(text.len() + 1);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                match parse(&text[..end]) {
                    Ok(_) => {}
                    Err(e) => prop_assert!(e.position() <= end),
                }
            }

            #[test]
            fn single_byte_mutations_never_panic(v in value(), at in any::<prop::sample::Index>(), b in 0u8..128) {
                let mut bytes = v.to_json().into_bytes();
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    if bytes[i].is_ascii() {
                        bytes[i] = b;
                    }
                }
                let text = String::from_utf8(bytes).unwrap();
                if let Err(e) = parse(&text) {
                    prop_assert!(e.position() <= text.len());
                }
            }
        }
    }
}
