//! The error enums of the protocol core: bad options ([`OptionsError`]), bad credentials ([`AuthError`]), frames
//! the server sent that we cannot read ([`ProtocolError`]) and calls made in the wrong session state
//! ([`SessionError`]).
//!
//! Every message names the field (or the call) and says what to do. No message may contain a secret: auth errors
//! describe the problem without echoing the key or token, and base-URL errors never echo the URL (it could carry
//! `user:password@`).

use thiserror::Error;

/// Longest part of a bad server frame copied into a [`ProtocolError`], in characters.
pub(crate) const RAW_EXCERPT_CHARS: usize = 200;

/// The first [`RAW_EXCERPT_CHARS`] characters of `raw` (never cut inside a character), with `…` when shortened.
pub fn raw_excerpt(raw: &str) -> String {
    match raw.char_indices().nth(RAW_EXCERPT_CHARS) {
        Some((end, _)) => {
            let head = raw.get(..end).unwrap_or(raw);
            [head, "…"].concat()
        }
        None => raw.to_owned(),
    }
}

/// A listen or speak option, or the base URL, is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OptionsError {
    /// An option bag that is not a plain object.
    #[error("expected an object such as {{\"key\": value}}, not {given}")]
    NotAnObject {
        /// What was given, in words (`"a list"`, `"a string"`).
        given: &'static str,
    },
    /// A key that is not a known option.
    #[error("unknown {endpoint} option \"{name}\"{}{}", suggestion.map_or(String::new(), |s| format!(": did you mean \"{s}\"?")), extra_query_hint(endpoint))]
    UnknownOption {
        /// `"listen"`, `"speak"`, or the class whose option bag it is (`"Transcriber"`).
        endpoint: &'static str,
        /// The key as given.
        name: String,
        /// The nearest valid name, when one is close.
        suggestion: Option<&'static str>,
    },
    /// A value the option cannot take: the wrong type, or outside what it accepts (`field` is the path of the
    /// value, `keyterm[1]` for a list item; `problem` is the reader's description, e.g. "invalid type: string
    /// \"yes\", expected a boolean").
    #[error("{}{problem}", if field.is_empty() { String::new() } else { format!("\"{field}\": ") })]
    Invalid {
        /// Where the value is (`sample_rate`, `keyterm[1]`, `reconnect.attempts`).
        field: String,
        /// What was wrong and what is expected.
        problem: String,
    },
    /// A value that is not one of the allowed values.
    #[error("\"{field}\" cannot be \"{value}\": use {expected}")]
    InvalidValue {
        /// The option.
        field: String,
        /// The value as given.
        value: String,
        /// What is allowed, in words.
        expected: String,
    },
    /// An empty string where a value is needed.
    #[error("\"{field}\" is an empty string: give a value or remove it")]
    Empty {
        /// The option (with `[index]` for list items).
        field: String,
    },
    /// A number outside the accepted range.
    #[error("\"{field}\" is {value}, outside {allowed}: use a value in that range")]
    OutOfRange {
        /// The option.
        field: &'static str,
        /// The value as given.
        value: String,
        /// The accepted range, in words.
        allowed: String,
    },
    /// An option that needs (or excludes) another one.
    #[error("\"{field}\" {problem}: {fix}")]
    Dependency {
        /// The option at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
        /// What to do.
        fix: String,
    },
    /// An `extra_query` key that is a known option: it must be set through the typed option.
    #[error("extra_query key \"{key}\" is a known option: set \"{key}\" directly instead of through extra_query")]
    ReservedExtraQuery {
        /// The key.
        key: String,
    },
    /// The base URL cannot be used.
    #[error("invalid baseUrl: {problem}")]
    BadBaseUrl {
        /// What is wrong and what to do (the URL itself is not repeated: it may hold credentials).
        problem: String,
    },
}

/// Deepgram's option bags point at `extra_query` for parameters this version does not know; the classes' own
/// bags have no such escape hatch.
fn extra_query_hint(endpoint: &str) -> &'static str {
    if matches!(endpoint, "listen" | "speak") {
        " (use \"extra_query\" for parameters this version does not know)"
    } else {
        ""
    }
}

impl OptionsError {
    /// The option the error is about (`"baseUrl"` for the base URL).
    pub fn field(&self) -> &str {
        match self {
            Self::NotAnObject { .. } => "",
            Self::UnknownOption { name, .. } => name,
            Self::Invalid { field, .. }
            | Self::InvalidValue { field, .. }
            | Self::Empty { field } => field,
            Self::OutOfRange { field, .. } | Self::Dependency { field, .. } => field,
            Self::ReservedExtraQuery { .. } => "extra_query",
            Self::BadBaseUrl { .. } => "baseUrl",
        }
    }

    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotAnObject { .. } => "not_an_object",
            Self::UnknownOption { .. } => "unknown_option",
            Self::Invalid { .. } => "invalid",
            Self::InvalidValue { .. } => "invalid_value",
            Self::Empty { .. } => "empty_value",
            Self::OutOfRange { .. } => "out_of_range",
            Self::Dependency { .. } => "option_dependency",
            Self::ReservedExtraQuery { .. } => "reserved_extra_query",
            Self::BadBaseUrl { .. } => "bad_base_url",
        }
    }

    /// The message as seen from the bag at `path` (`"Transcriber options.options"`): `path.field: problem` for a
    /// value that did not read (`field` is its path inside the bag), `path: message` for the rest.
    pub fn message_at(&self, path: &str) -> String {
        match self {
            Self::Invalid { field, problem } if field.is_empty() => format!("{path}: {problem}"),
            Self::Invalid { field, problem } if field.starts_with('[') => {
                format!("{path}{field}: {problem}")
            }
            Self::Invalid { field, problem } => format!("{path}.{field}: {problem}"),
            other => format!("{path}: {other}"),
        }
    }
}

/// The credentials object is wrong. Never contains the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// Both `apiKey` and `accessToken` were given.
    #[error("auth has both apiKey and accessToken: give exactly one of them")]
    BothGiven,
    /// The secret is empty.
    #[error("\"{field}\" is empty: pass the credential, or use {{}} for no credentials")]
    Empty {
        /// `"auth.apiKey"` or `"auth.accessToken"`.
        field: &'static str,
    },
    /// The secret holds a character a `Sec-WebSocket-Protocol` token cannot carry (RFC 6455 / RFC 7230).
    #[error(
        "\"{field}\" contains characters a WebSocket subprotocol cannot carry (spaces, quotes, commas, \
         non-ASCII...): check that the whole value was copied and nothing else"
    )]
    InvalidCharacters {
        /// `"auth.apiKey"` or `"auth.accessToken"`.
        field: &'static str,
    },
    /// An API key that is shaped like a JWT: it is an access token and must be sent as `bearer`.
    #[error(
        "\"auth.apiKey\" looks like a JWT (three dot-separated parts): temporary tokens from /v1/auth/grant \
         must be passed as accessToken"
    )]
    JwtAsApiKey,
}

impl AuthError {
    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::BothGiven => "auth",
            Self::Empty { field } | Self::InvalidCharacters { field } => field,
            Self::JwtAsApiKey => "auth.apiKey",
        }
    }

    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BothGiven => "auth_both_given",
            Self::Empty { .. } => "auth_empty",
            Self::InvalidCharacters { .. } => "auth_invalid_characters",
            Self::JwtAsApiKey => "auth_jwt_as_api_key",
        }
    }
}

/// A server frame that could not be read. The session reports it as an event and carries on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// The text frame is not JSON.
    #[error("server sent a text frame that is not JSON ({detail}); frame ignored: {excerpt}")]
    MalformedJson {
        /// The parser's description.
        detail: String,
        /// The start of the frame.
        excerpt: String,
    },
    /// The text frame is JSON but not an object.
    #[error("server sent JSON that is not an object; frame ignored: {excerpt}")]
    NotAnObject {
        /// The start of the frame.
        excerpt: String,
    },
    /// A known message type whose fields do not read as that type says (a missing field, a wrong type).
    #[error("server {message_type} message could not be read ({detail}); frame ignored")]
    Invalid {
        /// The message `type`.
        message_type: &'static str,
        /// What was wrong, with the field (`missing field `start``, `start: invalid type: ...`).
        detail: String,
    },
    /// A binary frame on an endpoint whose server sends only text (`/v1/listen`).
    #[error(
        "server sent a binary frame of {len} bytes on a text-only endpoint; frame ignored \
         (is the base URL pointing at a Deepgram-compatible server?)"
    )]
    UnexpectedBinary {
        /// The frame length in bytes.
        len: usize,
    },
}

/// A session method was called in a state where it cannot act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SessionError {
    /// The connection has not opened yet and the call only makes sense on an open connection.
    #[error("the connection is not open yet: wait for the open event")]
    NotOpen,
    /// `close_stream()` was called: the stream accepts nothing more.
    #[error(
        "closeStream() was already called, so the stream accepts no more audio or messages: start a new session"
    )]
    StreamClosing,
    /// `close()` was called: the connection is shutting down.
    #[error("close() was already called: start a new session")]
    Closing,
    /// The connection is closed.
    #[error("the connection is closed: start a new session")]
    Closed,
}

impl SessionError {
    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotOpen => "not_open",
            Self::StreamClosing => "stream_closing",
            Self::Closing => "closing",
            Self::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn option_messages_are_pinned() {
        let e = OptionsError::UnknownOption {
            endpoint: "listen",
            name: "modle".into(),
            suggestion: Some("model"),
        };
        assert_eq!(
            e.to_string(),
            "unknown listen option \"modle\": did you mean \"model\"? (use \"extra_query\" for parameters this \
             version does not know)"
        );
        let e = OptionsError::UnknownOption {
            endpoint: "Transcriber",
            name: "keepAlive".into(),
            suggestion: Some("keepAliveMs"),
        };
        assert_eq!(
            e.to_string(),
            "unknown Transcriber option \"keepAlive\": did you mean \"keepAliveMs\"?"
        );
        let e = OptionsError::Invalid {
            field: "options.keyterm[1]".into(),
            problem: "invalid type: integer `3`, expected a string".into(),
        };
        assert_eq!(
            e.to_string(),
            "\"options.keyterm[1]\": invalid type: integer `3`, expected a string"
        );
        assert_eq!(
            e.message_at("Transcriber options"),
            "Transcriber options.options.keyterm[1]: invalid type: integer `3`, expected a string"
        );
        assert_eq!(e.field(), "options.keyterm[1]");
        let e = OptionsError::Dependency {
            field: "sample_rate",
            problem: "is set without encoding".into(),
            fix: "set encoding or remove sample_rate".into(),
        };
        assert_eq!(
            e.message_at("Transcriber options.options"),
            "Transcriber options.options: \"sample_rate\" is set without encoding: set encoding or remove \
             sample_rate"
        );
    }
}
