//! Credentials for the browser WebSocket handshake, sent as subprotocols (`["token", key]` or
//! `["bearer", jwt]`) because browsers cannot set an `Authorization` header.
//!
//! Owns the credential kinds, their validation and their redaction. It must never let a secret reach a URL, a log
//! line, an error message or `Debug`/`Display` output: errors describe the problem without the value.

use std::fmt;

use super::json::Value;

use super::error::AuthError;
use super::options::nearest;

/// How the session authenticates.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// A Deepgram API key, sent as subprotocols `["token", key]`.
    ApiKey(String),
    /// A short-lived JWT from `POST /v1/auth/grant`, sent as subprotocols `["bearer", jwt]`.
    AccessToken(String),
    /// No credentials: the base URL is the app's own proxy, or a local server.
    #[default]
    None,
}

const AUTH_KEYS: &[&str] = &["apiKey", "accessToken"];

/// RFC 7230 `tchar`: what a `Sec-WebSocket-Protocol` entry may contain (RFC 6455 §4.1 requires tokens).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '.'
                | '^'
                | '_'
                | '`'
                | '|'
                | '~'
        )
}

/// Three non-empty base64url parts separated by dots: the shape of a JWT. Deepgram API keys have no dots.
///
/// One pass over the bytes (a non-ASCII character fails like any other non-base64url one) rather than a split
/// collected into a `Vec`.
fn looks_like_jwt(s: &str) -> bool {
    let mut parts = 1;
    let mut part_len = 0;
    for b in s.bytes() {
        if b == b'.' {
            if part_len == 0 {
                return false;
            }
            parts += 1;
            part_len = 0;
        } else if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            part_len += 1;
        } else {
            return false;
        }
    }
    parts == 3 && part_len > 0
}

impl Auth {
    /// Reads `{}`, `{"apiKey": "..."}` or `{"accessToken": "..."}` (`null` counts as `{}`), then validates.
    pub fn from_json(value: &Value) -> Result<Self, AuthError> {
        let map = match value {
            Value::Null => return Ok(Self::None),
            Value::Object(map) => map,
            _ => return Err(AuthError::NotAnObject),
        };
        let mut found: Option<Auth> = None;
        for (key, v) in map {
            let (field, is_key) = match key.as_str() {
                "apiKey" => ("auth.apiKey", true),
                "accessToken" => ("auth.accessToken", false),
                _ => {
                    return Err(AuthError::UnknownKey {
                        name: key.clone(),
                        suggestion: nearest(key, AUTH_KEYS),
                    })
                }
            };
            let secret = match v {
                Value::Null => continue,
                Value::String(s) => s.clone(),
                _ => return Err(AuthError::WrongType { field }),
            };
            if found.is_some() {
                return Err(AuthError::BothGiven);
            }
            found = Some(if is_key {
                Auth::ApiKey(secret)
            } else {
                Auth::AccessToken(secret)
            });
        }
        let auth = found.unwrap_or_default();
        auth.validate()?;
        Ok(auth)
    }

    /// Checks the secret: not empty, only subprotocol token characters, and an API key must not be a JWT.
    pub fn validate(&self) -> Result<(), AuthError> {
        let (field, secret) = match self {
            Self::None => return Ok(()),
            Self::ApiKey(s) => ("auth.apiKey", s),
            Self::AccessToken(s) => ("auth.accessToken", s),
        };
        if secret.is_empty() {
            return Err(AuthError::Empty { field });
        }
        if !secret.chars().all(is_token_char) {
            return Err(AuthError::InvalidCharacters { field });
        }
        if matches!(self, Self::ApiKey(_)) && looks_like_jwt(secret) {
            return Err(AuthError::JwtAsApiKey);
        }
        Ok(())
    }

    /// The subprotocol list for `new WebSocket(url, protocols)`: `["token", key]`, `["bearer", jwt]` or `[]`.
    pub fn subprotocols(&self) -> Vec<String> {
        match self {
            Self::ApiKey(k) => vec!["token".to_owned(), k.clone()],
            Self::AccessToken(t) => vec!["bearer".to_owned(), t.clone()],
            Self::None => Vec::new(),
        }
    }

    /// The scheme word the server is expected to echo as the selected subprotocol (`"token"` / `"bearer"`).
    pub fn scheme(&self) -> Option<&'static str> {
        match self {
            Self::ApiKey(_) => Some("token"),
            Self::AccessToken(_) => Some("bearer"),
            Self::None => None,
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiKey(_) => f.write_str("ApiKey(***)"),
            Self::AccessToken(_) => f.write_str("AccessToken(***)"),
            Self::None => f.write_str("None"),
        }
    }
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
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
    use crate::protocol::json::json;

    const KEY: &str = "0123456789abcdef0123456789abcdef01234567";
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZw";

    #[test]
    fn subprotocols_per_kind() {
        assert_eq!(
            Auth::ApiKey(KEY.into()).subprotocols(),
            vec!["token".to_owned(), KEY.to_owned()]
        );
        assert_eq!(
            Auth::AccessToken(JWT.into()).subprotocols(),
            vec!["bearer".to_owned(), JWT.to_owned()]
        );
        assert!(Auth::None.subprotocols().is_empty());
        assert_eq!(Auth::ApiKey(KEY.into()).scheme(), Some("token"));
        assert_eq!(Auth::AccessToken(JWT.into()).scheme(), Some("bearer"));
    }

    #[test]
    fn debug_and_display_redact() {
        for a in [Auth::ApiKey(KEY.into()), Auth::AccessToken(JWT.into())] {
            let d = format!("{a:?} {a}");
            assert!(!d.contains(KEY) && !d.contains(JWT), "{d}");
            assert!(d.contains("***"));
        }
        assert_eq!(format!("{:?}", Auth::ApiKey(KEY.into())), "ApiKey(***)");
    }

    #[test]
    fn from_json_shapes() {
        assert_eq!(Auth::from_json(&json!({})).unwrap(), Auth::None);
        assert_eq!(Auth::from_json(&json!(null)).unwrap(), Auth::None);
        assert_eq!(
            Auth::from_json(&json!({"apiKey": KEY})).unwrap(),
            Auth::ApiKey(KEY.into())
        );
        assert_eq!(
            Auth::from_json(&json!({"accessToken": JWT})).unwrap(),
            Auth::AccessToken(JWT.into())
        );
        assert_eq!(
            Auth::from_json(&json!({"apiKey": KEY, "accessToken": JWT})).unwrap_err(),
            AuthError::BothGiven
        );
        assert_eq!(
            Auth::from_json(&json!("key")).unwrap_err(),
            AuthError::NotAnObject
        );
        assert_eq!(
            Auth::from_json(&json!({"apiKey": 5})).unwrap_err(),
            AuthError::WrongType {
                field: "auth.apiKey"
            }
        );
        let e = Auth::from_json(&json!({"api_key": KEY})).unwrap_err();
        assert_eq!(
            e,
            AuthError::UnknownKey {
                name: "api_key".into(),
                suggestion: Some("apiKey")
            }
        );
        assert!(!e.to_string().contains(KEY));
    }

    #[test]
    fn validation_errors_never_print_the_secret() {
        let secret_with_space = "abc def-SECRET";
        let cases = [
            (
                Auth::ApiKey(String::new()),
                AuthError::Empty {
                    field: "auth.apiKey",
                },
            ),
            (
                Auth::AccessToken(String::new()),
                AuthError::Empty {
                    field: "auth.accessToken",
                },
            ),
            (
                Auth::ApiKey(secret_with_space.into()),
                AuthError::InvalidCharacters {
                    field: "auth.apiKey",
                },
            ),
            (
                Auth::ApiKey("key,other".into()),
                AuthError::InvalidCharacters {
                    field: "auth.apiKey",
                },
            ),
            (
                Auth::AccessToken("tök".into()),
                AuthError::InvalidCharacters {
                    field: "auth.accessToken",
                },
            ),
            (Auth::ApiKey(JWT.into()), AuthError::JwtAsApiKey),
        ];
        for (auth, expected) in cases {
            let e = auth.validate().unwrap_err();
            assert_eq!(e, expected);
            let m = e.to_string();
            assert!(!m.contains("SECRET") && !m.contains(JWT), "{m}");
            assert!(m.contains(e.field()), "{m}");
        }
        assert!(AuthError::JwtAsApiKey.to_string().contains("accessToken"));
        assert!(Auth::ApiKey(KEY.into()).validate().is_ok());
        assert!(Auth::ApiKey("a.b".into()).validate().is_ok());
        assert!(Auth::AccessToken(JWT.into()).validate().is_ok());
    }
}
