//! `/v1/speak` server text messages: `Metadata`, `Flushed`, `Cleared`, `Warning`, `Error`, and anything else as
//! `Unknown`. (Audio arrives as binary frames and is not parsed here.)
//!
//! Owns reading both `Warning` spellings: documented `{description, code}` and the real capture
//! `{warn_code, warn_msg}` (the Python SDK crashed on the latter).

use super::json_read::{FieldErrors, Fields};
use super::{message_type, parse_error, parse_object, unknown, ServerError, UnknownMessage};
use crate::protocol::error::ProtocolError;

/// The `Metadata` the speak server sends right after the connection opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakMetadata {
    /// `request_id`.
    pub request_id: String,
    /// `model_name`, e.g. `aura-2-thalia-en`.
    pub model_name: Option<String>,
    /// `model_version`.
    pub model_version: Option<String>,
    /// `model_uuid`.
    pub model_uuid: Option<String>,
    /// `additional_model_uuids` (absent in older server builds = empty).
    pub additional_model_uuids: Vec<String>,
    /// The frame as received.
    pub raw: String,
}

/// A `Flushed` or `Cleared` acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceAck {
    /// `sequence_id`.
    pub sequence_id: u32,
    /// The frame as received.
    pub raw: String,
}

/// A `Warning`, read from either spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerWarning {
    /// `code`, else `warn_code` (`""` when neither is present).
    pub code: String,
    /// `description`, else `warn_msg` (`""` when neither is present).
    pub message: String,
    /// The frame as received.
    pub raw: String,
}

/// A parsed `/v1/speak` server text frame.
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
    Unknown(UnknownMessage),
}

impl SpeakServerMessage {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let map = parse_object(text)?;
        let message_type = message_type(&map);
        let raw = text.to_owned();
        let errors = FieldErrors::default();
        let fields = |message_type| Fields::new(&map, message_type, &errors);
        let message = match message_type {
            Some("Metadata") => {
                let f = fields("Metadata");
                Self::Metadata(SpeakMetadata {
                    request_id: f.string_req("request_id"),
                    model_name: f.string_opt("model_name"),
                    model_version: f.string_opt("model_version"),
                    model_uuid: f.string_opt("model_uuid"),
                    additional_model_uuids: f.string_list_opt("additional_model_uuids"),
                    raw,
                })
            }
            Some("Flushed") => Self::Flushed(SequenceAck {
                sequence_id: fields("Flushed").u32_req("sequence_id"),
                raw,
            }),
            Some("Cleared") => Self::Cleared(SequenceAck {
                sequence_id: fields("Cleared").u32_req("sequence_id"),
                raw,
            }),
            Some("Warning") => {
                let f = fields("Warning");
                Self::Warning(ServerWarning {
                    code: f.string_either("code", "warn_code").unwrap_or_default(),
                    message: f
                        .string_either("description", "warn_msg")
                        .unwrap_or_default(),
                    raw,
                })
            }
            Some("Error") => Self::Error(parse_error(fields("Error"), raw)),
            _ => Self::Unknown(unknown(message_type, raw)),
        };
        errors.check()?;
        Ok(message)
    }
}

impl SpeakMetadata {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl SequenceAck {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl ServerWarning {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
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
    use crate::protocol::json;

    #[test]
    fn every_speak_fixture_parses_into_its_type() {
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
            let original = json::parse(&text).unwrap();
            let msg = SpeakServerMessage::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (kind, raw) = match &msg {
                SpeakServerMessage::Metadata(m) => ("Metadata", &m.raw),
                SpeakServerMessage::Flushed(a) => ("Flushed", &a.raw),
                SpeakServerMessage::Cleared(a) => ("Cleared", &a.raw),
                SpeakServerMessage::Warning(w) => ("Warning", &w.raw),
                other => panic!("{name}: unexpected {other:?}"),
            };
            assert_eq!(original["type"].as_str(), Some(kind), "{name}");
            assert_eq!(json::parse(raw).unwrap(), original, "{name}");
            match &msg {
                SpeakServerMessage::Flushed(a) | SpeakServerMessage::Cleared(a) => {
                    assert_eq!(
                        u64::from(a.sequence_id),
                        original["sequence_id"].as_u64().unwrap()
                    )
                }
                SpeakServerMessage::Metadata(m) => {
                    assert_eq!(m.request_id, original["request_id"].as_str().unwrap());
                    assert_eq!(m.model_name.as_deref(), Some("aura-asteria-en"));
                }
                SpeakServerMessage::Warning(w) => {
                    assert_eq!(w.code, "EXCESSIVE_FLUSH");
                    assert_eq!(
                        w.message,
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
        assert_eq!(
            SpeakServerMessage::parse(text).unwrap(),
            SpeakServerMessage::Warning(ServerWarning {
                code: "EXCESSIVE_FLUSH".into(),
                message: "Too many flushes".into(),
                raw: text.into()
            })
        );
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
            let e = SpeakServerMessage::parse(text).unwrap_err();
            assert!(e.to_string().contains("sequence_id"), "{text}: {e}");
        }
        assert!(matches!(
            SpeakServerMessage::parse(r#"{"type":"Flushed","sequence_id":2.0}"#).unwrap(),
            SpeakServerMessage::Flushed(SequenceAck { sequence_id: 2, .. })
        ));
    }

    #[test]
    fn error_and_unknown() {
        let text = r#"{"type":"Error","err_code":"BAD","err_msg":"nope"}"#;
        match SpeakServerMessage::parse(text).unwrap() {
            SpeakServerMessage::Error(e) => {
                assert_eq!(e.code.as_deref(), Some("BAD"));
                assert_eq!(e.description.as_deref(), Some("nope"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            SpeakServerMessage::parse(r#"{"type":"Results"}"#).unwrap(),
            SpeakServerMessage::Unknown(UnknownMessage { .. })
        ));
    }
}
