//! The writer: [`Value`] → compact JSON text (no whitespace), and [`push_string`] for hand-built messages.
//!
//! Owns string escaping (RFC 8259 §7: `"`, `\` and control characters; everything else, non-ASCII included, as is)
//! and number text (see `number::push_f64`).

use super::number::push_f64;
use super::Value;

impl Value {
    /// The value as compact JSON text (object members in order; non-finite numbers as `null`).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// Appends the value as compact JSON text to `out`.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) if n.is_finite() => push_f64(*n, out),
            Self::Number(_) => out.push_str("null"),
            Self::String(s) => push_string(s, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Self::Object(map) => {
                out.push('{');
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_string(key, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// The compact JSON text, as [`Value::to_json`].
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// Appends `s` as a JSON string literal (RFC 8259 §7): quotes, backslash and control characters escaped (the short
/// forms where JSON has them, else `\u00XX`); everything else, non-ASCII included, as is.
pub fn push_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    // Copy runs of bytes that need no escape as they are; only ASCII bytes are ever escaped, so every run
    // boundary is a char boundary.
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0C => b'f',
            0..=0x1F => 0,
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        run = i + 1;
        out.push('\\');
        if short != 0 {
            out.push(char::from(short));
        } else {
            out.push_str("u00");
            for nibble in [b >> 4, b & 0x0F] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        }
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::super::{json, parse};
    use super::*;

    fn string(s: &str) -> String {
        let mut out = String::new();
        push_string(s, &mut out);
        out
    }

    #[test]
    fn escapes_exactly_what_json_requires() {
        assert_eq!(string(""), r#""""#);
        assert_eq!(
            string("say \"hi\"\\ now\nnext\ttab\r\u{8}\u{c}\u{1}\u{1f}\u{7f}/é😀"),
            "\"say \\\"hi\\\"\\\\ now\\nnext\\ttab\\r\\b\\f\\u0001\\u001f\u{7f}/é😀\""
        );
        for c in 0u8..0x20 {
            let text = string(&char::from(c).to_string());
            assert_eq!(
                parse(&text).unwrap().as_str(),
                Some(char::from(c).to_string().as_str())
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The escaping `ClientMessage` used before this module, char by char: the wire text must not change.
        fn reference(s: &str) -> String {
            let mut out = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{08}' => out.push_str("\\b"),
                    '\u{0C}' => out.push_str("\\f"),
                    c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn escaping_matches_the_previous_writer(s in ".*|[\u{0}-\u{7f}é😀]*") {
                prop_assert_eq!(string(&s), reference(&s));
                prop_assert_eq!(parse(&string(&s)).unwrap(), Value::String(s));
            }
        }
    }

    #[test]
    fn writes_compact_json() {
        let v = json!({"type": "Speak", "n": [1, 1.5, -0.25, 1e21, null, true, false], "o": {}, "a": []});
        assert_eq!(
            v.to_json(),
            r#"{"type":"Speak","n":[1,1.5,-0.25,1e+21,null,true,false],"o":{},"a":[]}"#
        );
        assert_eq!(Value::Number(f64::NAN).to_json(), "null");
        assert_eq!(Value::Number(f64::INFINITY).to_json(), "null");
    }
}
