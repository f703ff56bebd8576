//! `/v1/speak` server text messages: `Metadata`, `Flushed`, `Cleared`, `Warning`, `Error`, and anything else as
//! `Unknown`. (Audio arrives as binary frames and is not read here.)
//!
//! Owns reading both `Warning` spellings: documented `{description, code}` and the real capture
//! `{warn_code, warn_msg}` (the Python SDK crashed on the latter).

use serde::Deserialize;

use super::{read, Frame, ServerError};
use crate::protocol::error::ProtocolError;

/// The `Metadata` the speak server sends right after the connection opens. The client reads none of its fields
/// (the app gets the object itself): the view only says it is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SpeakMetadata {}

/// A `Flushed` or `Cleared` acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SequenceAck {
    /// `sequence_id`.
    pub sequence_id: u32,
}

/// A `Warning`, in either spelling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ServerWarning {
    /// `code` (documented spelling).
    pub code: Option<String>,
    /// `warn_code` (the spelling the server was seen to send).
    pub warn_code: Option<String>,
    /// `description` (documented spelling).
    pub description: Option<String>,
    /// `warn_msg` (the spelling the server was seen to send).
    pub warn_msg: Option<String>,
}

impl ServerWarning {
    /// `code`, else `warn_code` (`""` when neither is present).
    pub fn warning_code(&self) -> &str {
        self.code
            .as_deref()
            .or(self.warn_code.as_deref())
            .unwrap_or_default()
    }

    /// `description`, else `warn_msg` (`""` when neither is present).
    pub fn text(&self) -> &str {
        self.description
            .as_deref()
            .or(self.warn_msg.as_deref())
            .unwrap_or_default()
    }
}

/// A `/v1/speak` server text frame, as the client reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum SpeakServerMessage {
    /// `Metadata`.
    Metadata(SpeakMetadata),
    /// `Flushed`.
    Flushed(SequenceAck),
    /// `Cleared`.
    Cleared(SequenceAck),
    /// `Warning`.
    Warning(ServerWarning),
    /// `Error`.
    Error(ServerError),
    /// Any other or absent `type`.
    Unknown {
        /// The `type` when it is a string.
        message_type: Option<String>,
    },
}

impl SpeakServerMessage {
    /// Reads one parsed text frame.
    pub fn read(frame: &impl Frame) -> Result<Self, ProtocolError> {
        let message_type = frame.message_type();
        Ok(match message_type.as_deref() {
            Some("Metadata") => Self::Metadata(read(frame, "Metadata")?),
            Some("Flushed") => Self::Flushed(read(frame, "Flushed")?),
            Some("Cleared") => Self::Cleared(read(frame, "Cleared")?),
            Some("Warning") => Self::Warning(read(frame, "Warning")?),
            Some("Error") => Self::Error(read(frame, "Error")?),
            _ => Self::Unknown { message_type },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::server_message::test_frames::parse;
    use serde_json::Value;

    fn read_text(text: &str) -> Result<SpeakServerMessage, ProtocolError> {
        SpeakServerMessage::read(&parse(text)?)
    }

    #[test]
    fn every_speak_fixture_reads_into_its_type() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/speak");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let mut count = 0;
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
        {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let original: Value = serde_json::from_str(&text).unwrap();
            let msg = read_text(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let kind = match &msg {
                SpeakServerMessage::Metadata(_) => "Metadata",
                SpeakServerMessage::Flushed(_) => "Flushed",
                SpeakServerMessage::Cleared(_) => "Cleared",
                SpeakServerMessage::Warning(_) => "Warning",
                other => panic!("{name}: unexpected {other:?}"),
            };
            assert_eq!(original["type"].as_str(), Some(kind), "{name}");
            match &msg {
                SpeakServerMessage::Flushed(a) | SpeakServerMessage::Cleared(a) => {
                    assert_eq!(
                        u64::from(a.sequence_id),
                        original["sequence_id"].as_u64().unwrap()
                    )
                }
                SpeakServerMessage::Metadata(_) => {
                    assert!(original["request_id"].is_string());
                }
                SpeakServerMessage::Warning(w) => {
                    assert_eq!(w.warning_code(), "EXCESSIVE_FLUSH");
                    assert_eq!(
                        w.text(),
                        "Rate limit exceeded for flushes. Please try again later."
                    );
                }
                _ => {}
            }
            count += 1;
        }
        assert!(
            count >= 6,
            "expected the whole speak fixture set, got {count}"
        );
    }

    #[test]
    fn warning_documented_spelling() {
        let text =
            r#"{"type":"Warning","description":"Too many flushes","code":"EXCESSIVE_FLUSH"}"#;
        match read_text(text).unwrap() {
            SpeakServerMessage::Warning(w) => {
                assert_eq!(w.warning_code(), "EXCESSIVE_FLUSH");
                assert_eq!(w.text(), "Too many flushes");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_sequence_ids_are_errors() {
        for text in [
            r#"{"type":"Flushed"}"#,
            r#"{"type":"Flushed","sequence_id":"1"}"#,
            r#"{"type":"Cleared","sequence_id":-1}"#,
            r#"{"type":"Cleared","sequence_id":1.5}"#,
            r#"{"type":"Cleared","sequence_id":99999999999}"#,
        ] {
            let e = read_text(text).unwrap_err();
            assert!(e.to_string().contains("sequence_id"), "{text}: {e}");
        }
        assert!(matches!(
            read_text(r#"{"type":"Flushed","sequence_id":2}"#).unwrap(),
            SpeakServerMessage::Flushed(SequenceAck { sequence_id: 2 })
        ));
    }

    #[test]
    fn error_and_unknown() {
        let text = r#"{"type":"Error","err_code":"BAD","err_msg":"nope"}"#;
        match read_text(text).unwrap() {
            SpeakServerMessage::Error(e) => {
                assert_eq!(e.error_code(), Some("BAD"));
                assert_eq!(e.text(), Some("nope"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_text(r#"{"type":"Results"}"#).unwrap(),
            SpeakServerMessage::Unknown { .. }
        ));
    }
}
