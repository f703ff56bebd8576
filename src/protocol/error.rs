//! The error enums of the protocol core: bad options ([`OptionsError`]), bad credentials ([`AuthError`]), frames
//! the server sent that we cannot read ([`ProtocolError`]) and calls made in the wrong session state
//! ([`SessionError`]).
//!
//! Every message names the field (or the call) and says what to do. No message may contain a secret: auth errors
//! describe the problem without echoing the key or token, and base-URL errors never echo the URL (it could carry
//! `user:password@`).

use std::fmt;

/// Longest part of a bad server frame copied into a [`ProtocolError`] event, in characters.
pub(crate) const RAW_EXCERPT_CHARS: usize = 200;

/// The first [`RAW_EXCERPT_CHARS`] characters of `raw` (never cut inside a character), with `…` when shortened.
pub(crate) fn raw_excerpt(raw: &str) -> String {
    match raw.char_indices().nth(RAW_EXCERPT_CHARS) {
        Some((end, _)) => {
            let head = raw.get(..end).unwrap_or(raw);
            format!("{head}…")
        }
        None => raw.to_owned(),
    }
}

/// A listen or speak option, or the base URL, is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionsError {
    /// The options value is not a JSON object.
    NotAnObject {
        /// What was expected to be an object (`"listen options"`, `"speak options"`).
        what: &'static str,
    },
    /// A key that is not a known option.
    UnknownOption {
        /// `"listen"` or `"speak"`.
        endpoint: &'static str,
        /// The key as given.
        name: String,
        /// The nearest valid name, when one is close.
        suggestion: Option<&'static str>,
    },
    /// A value of the wrong JSON type.
    WrongType {
        /// The option (with `[index]` for list items).
        field: String,
        /// The expected type, in words.
        expected: &'static str,
        /// The JSON type that was given.
        got: &'static str,
    },
    /// A value that is not one of the allowed values.
    InvalidValue {
        /// The option.
        field: String,
        /// The value as given.
        value: String,
        /// What is allowed, in words.
        expected: String,
    },
    /// An empty string where a value is needed.
    Empty {
        /// The option (with `[index]` for list items).
        field: String,
    },
    /// A number outside the accepted range.
    OutOfRange {
        /// The option.
        field: &'static str,
        /// The value as given.
        value: String,
        /// The accepted range, in words.
        allowed: String,
    },
    /// An option that needs (or excludes) another one.
    Dependency {
        /// The option at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// An `extra_query` key that is a known option: it must be set through the typed option.
    ReservedExtraQuery {
        /// The key.
        key: String,
    },
    /// The base URL cannot be used.
    BadBaseUrl {
        /// What is wrong and what to do (the URL itself is not repeated: it may hold credentials).
        problem: String,
    },
}

impl OptionsError {
    /// The option the error is about (`"options"` for a non-object, `"baseUrl"` for the base URL).
    pub fn field(&self) -> &str {
        match self {
            Self::NotAnObject { .. } => "options",
            Self::UnknownOption { name, .. } => name,
            Self::WrongType { field, .. }
            | Self::InvalidValue { field, .. }
            | Self::Empty { field } => field,
            Self::OutOfRange { field, .. } | Self::Dependency { field, .. } => field,
            Self::ReservedExtraQuery { .. } => "extra_query",
            Self::BadBaseUrl { .. } => "baseUrl",
        }
    }

    /// A stable machine-readable kind for the JS error object.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotAnObject { .. } => "options_not_an_object",
            Self::UnknownOption { .. } => "unknown_option",
            Self::WrongType { .. } => "wrong_type",
            Self::InvalidValue { .. } => "invalid_value",
            Self::Empty { .. } => "empty_value",
            Self::OutOfRange { .. } => "out_of_range",
            Self::Dependency { .. } => "option_dependency",
            Self::ReservedExtraQuery { .. } => "reserved_extra_query",
            Self::BadBaseUrl { .. } => "bad_base_url",
        }
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject { what } => {
                write!(f, "{what} must be a JSON object such as {{\"model\":\"nova-3\"}}")
            }
            Self::UnknownOption { endpoint, name, suggestion } => {
                write!(f, "unknown {endpoint} option \"{name}\"")?;
                if let Some(s) = suggestion {
                    write!(f, ": did you mean \"{s}\"?")?;
                }
                write!(f, " (use \"extra_query\" for parameters this version does not know)")
            }
            Self::WrongType { field, expected, got } => {
                write!(f, "\"{field}\" must be {expected}, not {got}")
            }
            Self::InvalidValue { field, value, expected } => {
                write!(f, "\"{field}\" cannot be \"{value}\": use {expected}")
            }
            Self::Empty { field } => {
                write!(f, "\"{field}\" is an empty string: give a value or remove it")
            }
            Self::OutOfRange { field, value, allowed } => {
                write!(f, "\"{field}\" is {value}, outside {allowed}: use a value in that range")
            }
            Self::Dependency { field, problem, fix } => write!(f, "\"{field}\" {problem}: {fix}"),
            Self::ReservedExtraQuery { key } => write!(
                f,
                "extra_query key \"{key}\" is a known option: set \"{key}\" directly instead of through extra_query"
            ),
            Self::BadBaseUrl { problem } => write!(f, "invalid baseUrl: {problem}"),
        }
    }
}

impl std::error::Error for OptionsError {}

/// The credentials object is wrong. Never contains the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// `auth` is not a JSON object.
    NotAnObject,
    /// Both `apiKey` and `accessToken` were given.
    BothGiven,
    /// A key that is neither `apiKey` nor `accessToken`.
    UnknownKey {
        /// The key as given (a key name, not a secret).
        name: String,
        /// The nearest valid key, when one is close.
        suggestion: Option<&'static str>,
    },
    /// The secret is not a string.
    WrongType {
        /// `"auth.apiKey"` or `"auth.accessToken"`.
        field: &'static str,
    },
    /// The secret is empty.
    Empty {
        /// `"auth.apiKey"` or `"auth.accessToken"`.
        field: &'static str,
    },
    /// The secret holds a character a `Sec-WebSocket-Protocol` token cannot carry (RFC 6455 / RFC 7230).
    InvalidCharacters {
        /// `"auth.apiKey"` or `"auth.accessToken"`.
        field: &'static str,
    },
    /// An API key that is shaped like a JWT: it is an access token and must be sent as `bearer`.
    JwtAsApiKey,
}

impl AuthError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NotAnObject | Self::BothGiven | Self::UnknownKey { .. } => "auth",
            Self::WrongType { field }
            | Self::Empty { field }
            | Self::InvalidCharacters { field } => field,
            Self::JwtAsApiKey => "auth.apiKey",
        }
    }

    /// A stable machine-readable kind for the JS error object.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotAnObject => "auth_not_an_object",
            Self::BothGiven => "auth_both_given",
            Self::UnknownKey { .. } => "auth_unknown_key",
            Self::WrongType { .. } => "auth_wrong_type",
            Self::Empty { .. } => "auth_empty",
            Self::InvalidCharacters { .. } => "auth_invalid_characters",
            Self::JwtAsApiKey => "auth_jwt_as_api_key",
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => write!(
                f,
                "auth must be an object: {{\"apiKey\": \"...\"}}, {{\"accessToken\": \"...\"}} or {{}} (no credentials, for a proxy)"
            ),
            Self::BothGiven => {
                write!(f, "auth has both apiKey and accessToken: give exactly one of them")
            }
            Self::UnknownKey { name, suggestion } => {
                write!(f, "unknown auth key \"{name}\"")?;
                if let Some(s) = suggestion {
                    write!(f, ": did you mean \"{s}\"?")?;
                }
                write!(f, " (auth accepts apiKey or accessToken)")
            }
            Self::WrongType { field } => write!(f, "\"{field}\" must be a string"),
            Self::Empty { field } => {
                write!(f, "\"{field}\" is empty: pass the credential, or use {{}} for no credentials")
            }
            Self::InvalidCharacters { field } => write!(
                f,
                "\"{field}\" contains characters a WebSocket subprotocol cannot carry (spaces, quotes, commas, \
                 non-ASCII...): check that the whole value was copied and nothing else"
            ),
            Self::JwtAsApiKey => write!(
                f,
                "\"auth.apiKey\" looks like a JWT (three dot-separated parts): temporary tokens from /v1/auth/grant \
                 must be passed as accessToken"
            ),
        }
    }
}

impl std::error::Error for AuthError {}

/// A server frame that could not be read. The session reports it as an event and carries on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The text frame is not JSON.
    MalformedJson {
        /// The parser's description (position, not content).
        detail: String,
    },
    /// The text frame is JSON but not an object.
    NotAnObject,
    /// A known message type without a field it needs.
    MissingField {
        /// The message `type`.
        message_type: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A known message type with a field of the wrong JSON type.
    WrongFieldType {
        /// The message `type`.
        message_type: &'static str,
        /// The field.
        field: &'static str,
        /// The expected type, in words.
        expected: &'static str,
    },
    /// A binary frame on an endpoint whose server sends only text (`/v1/listen`).
    UnexpectedBinary {
        /// The frame length in bytes.
        len: usize,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedJson { detail } => {
                write!(f, "server sent a text frame that is not JSON ({detail}); frame ignored")
            }
            Self::NotAnObject => write!(f, "server sent JSON that is not an object; frame ignored"),
            Self::MissingField { message_type, field } => {
                write!(f, "server {message_type} message has no \"{field}\"; frame ignored")
            }
            Self::WrongFieldType { message_type, field, expected } => write!(
                f,
                "server {message_type} message has \"{field}\" that is not {expected}; frame ignored"
            ),
            Self::UnexpectedBinary { len } => write!(
                f,
                "server sent a binary frame of {len} bytes on a text-only endpoint; frame ignored \
                 (is the base URL pointing at a Deepgram-compatible server?)"
            ),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// A session method was called in a state where it cannot act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    /// The connection has not opened yet and the call only makes sense on an open connection.
    NotOpen,
    /// `close_stream()` was called: the stream accepts nothing more.
    StreamClosing,
    /// `close()` was called: the connection is shutting down.
    Closing,
    /// The connection is closed.
    Closed,
}

impl SessionError {
    /// A stable machine-readable kind for the JS error object.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotOpen => "not_open",
            Self::StreamClosing => "stream_closing",
            Self::Closing => "closing",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotOpen => "the connection is not open yet: wait for the open event",
            Self::StreamClosing => {
                "closeStream() was already called, so the stream accepts no more audio or messages: start a new session"
            }
            Self::Closing => "close() was already called: start a new session",
            Self::Closed => "the connection is closed: start a new session",
        })
    }
}

impl std::error::Error for SessionError {}

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
    fn excerpt_cuts_on_char_boundary() {
        let long: String = "é".repeat(RAW_EXCERPT_CHARS + 10);
        let e = raw_excerpt(&long);
        assert_eq!(e.chars().count(), RAW_EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(raw_excerpt("short"), "short");
    }

    #[test]
    fn auth_errors_never_need_the_secret() {
        let e = AuthError::InvalidCharacters {
            field: "auth.apiKey",
        };
        assert_eq!(e.field(), "auth.apiKey");
        assert!(e.to_string().contains("auth.apiKey"));
    }

    #[test]
    fn session_error_messages_say_what_to_do() {
        for e in [
            SessionError::NotOpen,
            SessionError::StreamClosing,
            SessionError::Closing,
            SessionError::Closed,
        ] {
            let m = e.to_string();
            assert!(m.contains(':'), "{m}");
            assert!(!e.kind().is_empty());
        }
    }
}
