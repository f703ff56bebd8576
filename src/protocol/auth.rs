//! Credentials for the browser WebSocket handshake, sent as subprotocols (`["token", key]` or
//! `["bearer", jwt]`) because browsers cannot set an `Authorization` header.
//!
//! Owns the credential kinds, their validation and their redaction. It must never let a secret reach a URL, a log
//! line, an error message or `Debug`/`Display` output: errors describe the problem without the value.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::error::AuthError;
use super::options::check_names;

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

impl<'de> Deserialize<'de> for Auth {
    /// Reads `{}`, `{"apiKey": "..."}` or `{"accessToken": "..."}` (`null` counts as `{}`), then validates. No
    /// error echoes a value given here: a secret passed in the wrong place (`auth: "key"`, an object holding the
    /// token) must not end up in an error message.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AuthVisitor)
    }
}

struct AuthVisitor;

impl AuthVisitor {
    #[cold]
    #[inline(never)]
    fn not_an_object<E: de::Error>(given: &str) -> E {
        E::custom(format!(
            "auth must be an object: {{\"apiKey\": \"...\"}}, {{\"accessToken\": \"...\"}} or {{}} (no \
             credentials, for a proxy); {given} was given"
        ))
    }
}

impl<'de> Visitor<'de> for AuthVisitor {
    type Value = Auth;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{\"apiKey\": \"...\"}, {\"accessToken\": \"...\"} or {}")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Auth, E> {
        Ok(Auth::None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Auth, E> {
        Ok(Auth::None)
    }

    fn visit_str<E: de::Error>(self, _v: &str) -> Result<Auth, E> {
        Err(Self::not_an_object("a string"))
    }

    fn visit_string<E: de::Error>(self, _v: String) -> Result<Auth, E> {
        Err(Self::not_an_object("a string"))
    }

    fn visit_bool<E: de::Error>(self, _v: bool) -> Result<Auth, E> {
        Err(Self::not_an_object("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _v: i64) -> Result<Auth, E> {
        Err(Self::not_an_object("a number"))
    }

    fn visit_u64<E: de::Error>(self, _v: u64) -> Result<Auth, E> {
        Err(Self::not_an_object("a number"))
    }

    fn visit_f64<E: de::Error>(self, _v: f64) -> Result<Auth, E> {
        Err(Self::not_an_object("a number"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Auth, A::Error> {
        Err(Self::not_an_object("a list"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Auth, A::Error> {
        let mut found: Option<Auth> = None;
        let mut both = false;
        while let Some(key) = map.next_key::<String>()? {
            let is_key = match key.as_str() {
                "apiKey" => true,
                "accessToken" => false,
                _ => {
                    let e = check_names([key.as_str()], AUTH_KEYS, "auth").err();
                    return Err(de::Error::custom(
                        e.map(|e| e.to_string()).unwrap_or_default(),
                    ));
                }
            };
            let Some(Secret(secret)) = map.next_value::<Option<Secret>>()? else {
                continue;
            };
            both |= found.is_some();
            found = Some(if is_key {
                Auth::ApiKey(secret)
            } else {
                Auth::AccessToken(secret)
            });
        }
        if both {
            return Err(de::Error::custom(AuthError::BothGiven));
        }
        let auth = found.unwrap_or_default();
        auth.validate().map_err(de::Error::custom)?;
        Ok(auth)
    }
}

/// A credential: a string, read without echoing anything else that was given in its place.
struct Secret(String);

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Secret, E> {
                Ok(Secret(v))
            }
        }
        // `deserialize_any`: a wrong value reaches the visitor's default, which names only its type; a
        // deserializer's own type error may describe the value itself.
        d.deserialize_any(V)
    }
}

impl Auth {
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
    use super::*;
    use serde_json::json;

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

    fn read(v: serde_json::Value) -> Result<Auth, String> {
        Auth::deserialize(&v).map_err(|e| e.to_string())
    }

    #[test]
    fn read_shapes() {
        assert_eq!(read(json!({})).unwrap(), Auth::None);
        assert_eq!(read(json!(null)).unwrap(), Auth::None);
        assert_eq!(read(json!({"apiKey": null})).unwrap(), Auth::None);
        assert_eq!(
            read(json!({"apiKey": KEY})).unwrap(),
            Auth::ApiKey(KEY.into())
        );
        assert_eq!(
            read(json!({"accessToken": JWT})).unwrap(),
            Auth::AccessToken(JWT.into())
        );
        assert_eq!(
            read(json!({"apiKey": KEY, "accessToken": JWT})).unwrap_err(),
            "auth has both apiKey and accessToken: give exactly one of them"
        );
        assert_eq!(
            read(json!({"apiKey": 5})).unwrap_err(),
            "invalid type: integer `5`, expected a string"
        );
        let e = read(json!({"api_key": KEY})).unwrap_err();
        assert_eq!(
            e,
            "unknown auth option \"api_key\": did you mean \"apiKey\"?"
        );
    }

    #[test]
    fn a_secret_in_the_wrong_place_is_never_echoed() {
        for v in [
            json!(KEY),
            json!([KEY]),
            json!({"apiKey": {"key": KEY}}),
            json!({"accessToken": [JWT]}),
            json!({"apiKey": KEY, "accessToken": JWT}),
            json!({"apiKey": format!("{KEY} ")}),
        ] {
            let e = read(v.clone()).unwrap_err();
            assert!(!e.contains(KEY) && !e.contains(JWT), "{v}: {e}");
        }
        assert!(read(json!(KEY))
            .unwrap_err()
            .contains("auth must be an object"));
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
