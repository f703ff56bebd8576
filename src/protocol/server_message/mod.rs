//! Server → client text frames of both endpoints, parsed into typed messages.
//!
//! Owns the message types and the parse policy: lenient where the wire varies (missing `from_finalize` is
//! `false`, every number is read as a float, unknown fields are ignored and kept in `raw`), strict where the client
//! logic depends on a field (a `Results` without `start` is an error). Any other or absent `type` becomes
//! `Unknown` with its raw text. It never panics and never drops a frame silently: what cannot be read is a
//! [`ProtocolError`].

mod json_read;
mod listen;
mod speak;

use super::json::{self, Map, Value};

pub use listen::{
    ListenMetadata, ListenServerMessage, Results, SpeechStarted, UtteranceEnd, WordTiming,
};
pub use speak::{SequenceAck, ServerWarning, SpeakMetadata, SpeakServerMessage};

use super::error::ProtocolError;
use json_read::Fields;

/// A `{"type":"Error", ...}` text message (the connection stays open). Listen sends
/// `{variant, description, code?, message?}`; REST-style bodies use `{err_code, err_msg}`: both are read.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    /// `variant` (e.g. `SchemaError`).
    pub variant: Option<String>,
    /// `description`, else `err_msg`.
    pub description: Option<String>,
    /// `code`, else `err_code`.
    pub code: Option<String>,
    /// `message` (listen echoes the rejected client text here).
    pub message: Option<String>,
    /// The frame as received.
    pub raw: String,
}

/// A message whose `type` this version does not know (or that has none): passed through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMessage {
    /// The `type` field when it is a string.
    pub message_type: Option<String>,
    /// The frame as received.
    pub raw: String,
}

impl ServerError {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl UnknownMessage {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// Parses the text into a JSON object.
fn parse_object(text: &str) -> Result<Map, ProtocolError> {
    match json::parse(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ProtocolError::NotAnObject),
        Err(e) => Err(ProtocolError::MalformedJson {
            detail: e.to_string(),
        }),
    }
}

/// The `type` of a message, when it is a string.
fn message_type(map: &Map) -> Option<&str> {
    map.get("type").and_then(Value::as_str)
}

/// The `Unknown` message for a `type` this version does not know (or none).
fn unknown(message_type: Option<&str>, raw: String) -> UnknownMessage {
    UnknownMessage {
        message_type: message_type.map(str::to_owned),
        raw,
    }
}

fn parse_error(fields: Fields<'_>, raw: String) -> ServerError {
    ServerError {
        variant: fields.string_opt("variant"),
        description: fields.string_either("description", "err_msg"),
        code: fields.string_either("code", "err_code"),
        message: fields.string_opt("message"),
        raw,
    }
}
