//! Server → client text frames of both endpoints, read into typed messages.
//!
//! A frame is parsed once, by whoever holds it (the browser's `JSON.parse` in the library, serde_json in tests):
//! a [`Frame`] is that parsed value. This module owns what is read from it: its `type`, and for the types the
//! client acts on, the fields it needs (`#[derive(Deserialize)]` views; every other field stays in the parsed
//! value, which the app receives unchanged). Lenient where the wire varies (a missing `from_finalize` is `false`,
//! unknown fields are ignored), strict where the client logic depends on a field (a `Results` without `start`
//! is an error). Any other or absent `type` is an unknown message, passed through. It never panics and never
//! drops a frame silently: what cannot be read is a [`ProtocolError`].

mod listen;
mod speak;

use serde::de::DeserializeOwned;
use serde::Deserialize;

pub use listen::{
    Alternative, ListenMetadata, ListenServerMessage, Results, ResultsChannel, SpeechStarted,
    UtteranceEnd, WordTiming,
};
pub use speak::{SequenceAck, ServerWarning, SpeakMetadata, SpeakServerMessage};

use super::error::ProtocolError;

/// A server text frame, already parsed as JSON into the IO layer's value type (a JS object in the browser).
pub trait Frame {
    /// The frame's `type` field, when it is a string.
    fn message_type(&self) -> Option<String>;
    /// The frame read as `T`; the error says what was wrong and where (`start: invalid type: ...`).
    fn read<T: DeserializeOwned>(&self) -> Result<T, String>;
}

/// Reads `frame` as the view `T` of the message type `message_type`.
fn read<T: DeserializeOwned>(
    frame: &impl Frame,
    message_type: &'static str,
) -> Result<T, ProtocolError> {
    frame.read().map_err(|detail| ProtocolError::Invalid {
        message_type,
        detail,
    })
}

/// A `{"type":"Error", ...}` text message (the connection stays open). Listen sends
/// `{variant, description, code?, message?}`; REST-style bodies use `{err_code, err_msg}`: both are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ServerError {
    /// `variant` (e.g. `SchemaError`).
    pub variant: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `err_msg` (the REST spelling of `description`).
    pub err_msg: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `err_code` (the REST spelling of `code`).
    pub err_code: Option<String>,
    /// `message` (listen echoes the rejected client text here).
    pub message: Option<String>,
}

impl ServerError {
    /// What went wrong, in the server's words: `description`, else `err_msg`, else `message`.
    pub fn text(&self) -> Option<&str> {
        [&self.description, &self.err_msg, &self.message]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .find(|t| !t.is_empty())
    }

    /// `code`, else `err_code`.
    pub fn error_code(&self) -> Option<&str> {
        self.code.as_deref().or(self.err_code.as_deref())
    }
}

#[cfg(test)]
pub(crate) mod test_frames {
    //! The native [`Frame`]: a serde_json value, as the tests and fixture replays parse frames.

    use super::Frame;
    use crate::protocol::error::{raw_excerpt, ProtocolError};
    use serde::de::DeserializeOwned;

    impl Frame for serde_json::Value {
        fn message_type(&self) -> Option<String> {
            self.get("type")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        }

        fn read<T: DeserializeOwned>(&self) -> Result<T, String> {
            crate::protocol::read_frame(self)
        }
    }

    /// Arbitrary server frames for property tests: JSON objects whose `type` is one a session knows (or another
    /// string, a number, or absent) and whose fields are those messages' names with values of any JSON type,
    /// nested; and texts that are not JSON at all.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn arbitrary_frame() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i32>().prop_map(|n| serde_json::json!(n)),
            (-1e6f64..1e6).prop_map(|n| serde_json::json!(n)),
            "[a-z ]{0,8}".prop_map(serde_json::Value::String),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::vec((field(), inner), 0..4)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        });
        fn field() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "is_final",
                "speech_final",
                "from_finalize",
                "start",
                "duration",
                "channel",
                "alternatives",
                "transcript",
                "words",
                "end",
                "sequence_id",
                "code",
                "warn_code",
                "description",
                "warn_msg",
                "err_msg",
                "err_code",
                "variant",
                "message",
                "x",
            ])
            .prop_map(str::to_owned)
        }
        let kind = prop::option::of(prop_oneof![
            prop::sample::select(vec![
                "Results",
                "Metadata",
                "UtteranceEnd",
                "SpeechStarted",
                "Error",
                "Flushed",
                "Cleared",
                "Warning",
                "Other",
            ])
            .prop_map(serde_json::Value::from),
            Just(serde_json::json!(5)),
        ]);
        let object =
            (kind, proptest::collection::vec((field(), value), 0..6)).prop_map(|(kind, fields)| {
                let mut map: serde_json::Map<String, serde_json::Value> =
                    fields.into_iter().collect();
                if let Some(kind) = kind {
                    map.insert("type".to_owned(), kind);
                }
                serde_json::Value::Object(map).to_string()
            });
        prop_oneof![4 => object, 1 => ".{0,12}"]
    }

    /// Parses `text` as the browser would (`JSON.parse`), with the edge's errors for what is not an object.
    pub(crate) fn parse(text: &str) -> Result<serde_json::Value, ProtocolError> {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) if v.is_object() => Ok(v),
            Ok(_) => Err(ProtocolError::NotAnObject {
                excerpt: raw_excerpt(text),
            }),
            Err(e) => Err(ProtocolError::MalformedJson {
                detail: e.to_string(),
                excerpt: raw_excerpt(text),
            }),
        }
    }
}
