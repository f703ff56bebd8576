//! Query-string rendering: ordered key/value pairs, percent-encoded per RFC 3986.
//!
//! Owns the encoding only. It does not know which options exist or in which order they go (the option types
//! decide that); it never reorders or de-duplicates pairs, because repeated keys (`keyterm=a&keyterm=b`) are how
//! Deepgram takes lists.

use super::json_fields::decimal;

/// Ordered query pairs, rendered as `k=v&k=v` with every byte outside RFC 3986 "unreserved" percent-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn push(&mut self, key: &str, value: impl Into<String>) {
        self.pairs.push((key.to_owned(), value.into()));
    }

    pub(crate) fn push_opt(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(v) = value {
            self.push(key, v.to_string());
        }
    }

    /// A number in decimal, without `to_string`'s formatting machinery.
    pub(crate) fn push_u32(&mut self, key: &str, value: Option<u32>) {
        if let Some(n) = value {
            self.push(key, decimal(n.into()));
        }
    }

    /// Booleans go lowercase: Deepgram answers `False` with HTTP 400.
    pub(crate) fn push_bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.push(key, if v { "true" } else { "false" });
        }
    }

    pub(crate) fn push_all<S: AsRef<str>>(&mut self, key: &str, values: &[S]) {
        for v in values {
            self.push(key, v.as_ref());
        }
    }

    pub(crate) fn into_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }
}

/// Renders pairs as a query string (no leading `?`).
pub(crate) fn render(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(k, &mut out);
        out.push('=');
        percent_encode_into(v, &mut out);
    }
    out
}

/// Appends `s` percent-encoded: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay, every other UTF-8
/// byte becomes `%XX` (uppercase hex). A space is `%20`, never `+`, so no server can misread it.
pub(crate) fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0x0F] {
                let digit = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
                out.push(char::from(digit));
            }
        }
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
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        percent_encode_into(s, &mut out);
        out
    }

    #[test]
    fn unreserved_kept_everything_else_encoded() {
        assert_eq!(enc("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(enc("hello world"), "hello%20world");
        assert_eq!(enc("a+b&c=d?e#f/g:h"), "a%2Bb%26c%3Dd%3Fe%23f%2Fg%3Ah");
        assert_eq!(enc("é"), "%C3%A9");
        assert_eq!(enc("%"), "%25");
        assert_eq!(enc("日本"), "%E6%97%A5%E6%9C%AC");
    }

    #[test]
    fn render_keeps_order_and_repeats() {
        let mut q = Query::default();
        q.push("keyterm", "a b");
        q.push("keyterm", "c");
        q.push_bool("punctuate", Some(false));
        q.push_bool("diarize", None);
        q.push_opt("sample_rate", Some(16000));
        assert_eq!(
            render(&q.into_pairs()),
            "keyterm=a%20b&keyterm=c&punctuate=false&sample_rate=16000"
        );
        assert_eq!(render(&[]), "");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn decode(s: &str) -> Vec<u8> {
            let bytes = s.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn encoding_round_trips_and_is_url_safe(s in ".*") {
                let e = enc(&s);
                prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
                prop_assert_eq!(decode(&e), s.as_bytes().to_vec());
            }
        }
    }
}
