//! Query strings: splitting, percent-decoding, and the typed readers the option parsers share.
//!
//! Owns the wire rules every parameter follows (lowercase `true`/`false`, whole numbers, repeated keys,
//! last value wins for single-valued keys) and the error that names the parameter. It must not know
//! which parameters exist: that is `listen_options.rs` and `speak_options.rs`.

use std::fmt;

/// A query string decoded into `(key, value)` pairs, in order, repeats kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

/// A parameter the server refuses; its message becomes the 400's `err_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// A percent-escape or the decoded bytes were not valid.
    BadEncoding {
        /// The raw key (or the raw pair when the key itself is broken).
        param: String,
    },
    /// A boolean that is not exactly `true` or `false`.
    NotBoolean {
        /// The parameter.
        param: String,
        /// What was sent.
        value: String,
    },
    /// A number that does not parse.
    NotNumber {
        /// The parameter.
        param: String,
        /// What was sent.
        value: String,
    },
    /// A number outside the accepted range.
    OutOfRange {
        /// The parameter.
        param: String,
        /// What was sent.
        value: String,
        /// Human description of the accepted range.
        accepted: String,
    },
    /// A value not in the parameter's set.
    NotOneOf {
        /// The parameter.
        param: String,
        /// What was sent.
        value: String,
        /// The accepted values, for the message.
        accepted: String,
    },
    /// A required parameter is absent.
    Missing {
        /// The parameter.
        param: String,
        /// Why it is needed.
        because: String,
    },
    /// Two parameters that cannot be combined.
    Conflict {
        /// The parameter that is refused.
        param: String,
        /// Why.
        because: String,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::BadEncoding { param } => write!(
                f,
                "Invalid query string: parameter `{param}` is not valid percent-encoded UTF-8; encode it with encodeURIComponent"
            ),
            QueryError::NotBoolean { param, value } => write!(
                f,
                "Invalid query parameter `{param}`: `{value}` is not a boolean; use lowercase `true` or `false`"
            ),
            QueryError::NotNumber { param, value } => write!(
                f,
                "Invalid query parameter `{param}`: `{value}` is not a number; send digits only"
            ),
            QueryError::OutOfRange {
                param,
                value,
                accepted,
            } => write!(
                f,
                "Invalid query parameter `{param}`: `{value}` is out of range; use {accepted}"
            ),
            QueryError::NotOneOf {
                param,
                value,
                accepted,
            } => write!(
                f,
                "Invalid query parameter `{param}`: `{value}` is not supported; use one of {accepted}"
            ),
            QueryError::Missing { param, because } => {
                write!(f, "Missing query parameter `{param}`: {because}")
            }
            QueryError::Conflict { param, because } => {
                write!(f, "Invalid query parameter `{param}`: {because}")
            }
        }
    }
}

impl std::error::Error for QueryError {}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one component (`+` is a space, as in form encoding, which URLSearchParams produces).
pub fn percent_decode(raw: &str) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'%' => {
                let hi = bytes.next().and_then(hex)?;
                let lo = bytes.next().and_then(hex)?;
                out.push(hi * 16 + lo);
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

impl Query {
    /// Parses a raw query string (without the `?`).
    pub fn parse(raw: &str) -> Result<Query, QueryError> {
        let mut pairs = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = percent_decode(k).ok_or_else(|| QueryError::BadEncoding {
                param: k.to_string(),
            })?;
            let value =
                percent_decode(v).ok_or_else(|| QueryError::BadEncoding { param: key.clone() })?;
            pairs.push((key, value));
        }
        Ok(Query { pairs })
    }

    /// The last value of a single-valued parameter.
    pub fn last(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A lowercase boolean; every occurrence must be valid.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, QueryError> {
        let mut last = None;
        for v in self.all(key) {
            last = Some(parse_bool(key, v)?);
        }
        Ok(last)
    }

    /// A whole number within `min..=max`; every occurrence must be valid.
    pub fn uint(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, QueryError> {
        let mut last = None;
        for v in self.all(key) {
            last = Some(parse_uint(key, v, min, max)?);
        }
        Ok(last)
    }

    /// A value from a closed set; every occurrence must be valid.
    pub fn one_of(&self, key: &str, accepted: &[&str]) -> Result<Option<String>, QueryError> {
        let mut last = None;
        for v in self.all(key) {
            if !accepted.contains(&v) {
                return Err(QueryError::NotOneOf {
                    param: key.to_string(),
                    value: v.to_string(),
                    accepted: accepted
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            last = Some(v.to_string());
        }
        Ok(last)
    }
}

/// Parses a boolean exactly as Deepgram does: only `true` and `false`.
pub fn parse_bool(key: &str, v: &str) -> Result<bool, QueryError> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(QueryError::NotBoolean {
            param: key.to_string(),
            value: v.to_string(),
        }),
    }
}

/// Parses a whole number in `min..=max`.
pub fn parse_uint(key: &str, v: &str, min: u64, max: u64) -> Result<u64, QueryError> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::NotNumber {
            param: key.to_string(),
            value: v.to_string(),
        });
    }
    let n: u64 = v.parse().map_err(|_| QueryError::OutOfRange {
        param: key.to_string(),
        value: v.to_string(),
        accepted: format!("{min} to {max}"),
    })?;
    if n < min || n > max {
        return Err(QueryError::OutOfRange {
            param: key.to_string(),
            value: v.to_string(),
            accepted: format!("{min} to {max}"),
        });
    }
    Ok(n)
}

/// Rewrites a raw query so values of parameters that look like credentials read `REDACTED`, for the
/// control API and logs (the server never takes credentials from the query, but a client might send them).
pub fn redact_raw_query(raw: &str) -> String {
    const SECRET_KEYS: [&str; 5] = ["token", "access_token", "api_key", "key", "authorization"];
    raw.split('&')
        .map(|part| match part.split_once('=') {
            Some((k, _))
                if SECRET_KEYS
                    .iter()
                    .any(|s| percent_decode(k).is_some_and(|d| d.eq_ignore_ascii_case(s))) =>
            {
                format!("{k}=REDACTED")
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
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

    #[test]
    fn decodes_and_keeps_repeats() {
        let q = Query::parse("keyterm=a%20b&keyterm=c+d&model=nova-3&flag").unwrap();
        assert_eq!(q.all("keyterm").collect::<Vec<_>>(), vec!["a b", "c d"]);
        assert_eq!(q.last("model"), Some("nova-3"));
        assert_eq!(q.last("flag"), Some(""));
        assert_eq!(q.last("nothing"), None);
    }

    #[test]
    fn bad_percent_escape_names_the_parameter() {
        let err = Query::parse("model=%zz").unwrap_err();
        assert!(err.to_string().contains("`model`"), "{err}");
        assert!(Query::parse("model=%ff").is_err());
    }

    #[test]
    fn booleans_are_lowercase_only() {
        let q = Query::parse("a=true&b=false&c=False&d=1").unwrap();
        assert_eq!(q.bool("a").unwrap(), Some(true));
        assert_eq!(q.bool("b").unwrap(), Some(false));
        assert_eq!(q.bool("x").unwrap(), None);
        let err = q.bool("c").unwrap_err();
        assert!(err.to_string().contains("`c`") && err.to_string().contains("False"));
        assert!(q.bool("d").is_err());
    }

    #[test]
    fn numbers_and_ranges() {
        let q = Query::parse("n=16000&m=-1&o=1.5&p=99999999999999999999999").unwrap();
        assert_eq!(q.uint("n", 1, 20000).unwrap(), Some(16000));
        assert!(matches!(
            q.uint("n", 1, 100),
            Err(QueryError::OutOfRange { .. })
        ));
        assert!(matches!(
            q.uint("m", 0, 10),
            Err(QueryError::NotNumber { .. })
        ));
        assert!(matches!(
            q.uint("o", 0, 10),
            Err(QueryError::NotNumber { .. })
        ));
        assert!(matches!(
            q.uint("p", 0, 10),
            Err(QueryError::OutOfRange { .. })
        ));
    }

    #[test]
    fn redaction_hides_only_credential_like_values() {
        assert_eq!(
            redact_raw_query("model=nova-3&token=abc&Access_Token=x"),
            "model=nova-3&token=REDACTED&Access_Token=REDACTED"
        );
    }
}
