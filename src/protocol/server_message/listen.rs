//! `/v1/listen` server messages: `Results`, `Metadata`, `UtteranceEnd`, `SpeechStarted`, `Error`, and anything
//! else as `Unknown`.
//!
//! Owns which fields each type must have and which may vary. Note the trap it exists to avoid: `channel` is an
//! object in `Results` but a list `[index, total]` in `UtteranceEnd` and `SpeechStarted`.

use serde::Deserialize;

use super::{read, Frame, ServerError};
use crate::protocol::error::ProtocolError;

/// Start and end (seconds from the start of this connection's audio) of one word of an alternative.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct WordTiming {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// One alternative of a `Results` (the first is the transcript).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Alternative {
    /// `transcript` (`""` when absent).
    #[serde(default)]
    pub transcript: String,
    /// The words' timings, in order (absent = none).
    #[serde(default)]
    pub words: Vec<WordTiming>,
}

/// `Results.channel`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ResultsChannel {
    /// `alternatives` (absent = none).
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
}

/// A `Results` message: an interim or final transcript segment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Results {
    /// `is_final`: the segment's text will not change again (absent = false).
    #[serde(default)]
    pub is_final: bool,
    /// `speech_final`: an endpoint was detected (absent = false).
    #[serde(default)]
    pub speech_final: bool,
    /// `from_finalize`: produced by a `Finalize` (absent = false).
    #[serde(default)]
    pub from_finalize: bool,
    /// `start` of the segment, seconds from the start of this connection's audio.
    pub start: f64,
    /// `duration` of the segment, seconds.
    pub duration: f64,
    /// `channel`: the alternatives.
    pub channel: ResultsChannel,
    /// `channel_index`: `[channel, channels]` (absent or unreadable = channel 0 of 1).
    #[serde(default, deserialize_with = "lenient_index")]
    pub channel_index: Vec<u32>,
}

/// `channel_index` as a list of whole numbers; anything else reads as absent (only replay bookkeeping uses it).
fn lenient_index<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Index {
        List(Vec<u32>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Index::deserialize(d)? {
        Index::List(v) => v,
        Index::Other(_) => Vec::new(),
    })
}

impl Results {
    /// The first alternative's `transcript` (`""` when there is none).
    pub fn transcript(&self) -> &str {
        self.channel
            .alternatives
            .first()
            .map_or("", |a| a.transcript.as_str())
    }

    /// The first alternative's words' timings.
    pub fn words(&self) -> &[WordTiming] {
        self.channel
            .alternatives
            .first()
            .map_or(&[], |a| a.words.as_slice())
    }

    /// Number of words in the first alternative.
    pub fn word_count(&self) -> usize {
        self.words().len()
    }

    /// The channel these results are for (`channel_index[0]`, 0 when absent).
    pub fn channel_number(&self) -> usize {
        self.channel_index.first().map_or(0, |&c| c as usize)
    }

    /// Whether the first alternative has any text (speech was heard).
    pub fn has_words(&self) -> bool {
        !self.transcript().trim().is_empty()
    }
}

/// The terminal `Metadata` summary (after `CloseStream`, or just before a server-initiated close). The
/// client reads none of its fields (the app gets the object itself): the view only says it is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ListenMetadata {}

/// `UtteranceEnd`: a gap after the last finalized word (needs `utterance_end_ms`). No field of it is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UtteranceEnd {}

/// `SpeechStarted`: voice activity began (needs `vad_events=true`). No field of it is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SpeechStarted {}

/// A `/v1/listen` server text frame, as the client reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenServerMessage {
    /// `Results`.
    Results(Results),
    /// `Metadata`.
    Metadata(ListenMetadata),
    /// `UtteranceEnd`.
    UtteranceEnd(UtteranceEnd),
    /// `SpeechStarted`.
    SpeechStarted(SpeechStarted),
    /// `Error` (the connection stays open).
    Error(ServerError),
    /// `ConfigureSuccess`: a `Configure` took effect (passed through whole).
    ConfigureSuccess,
    /// `ConfigureFailure`: a `Configure` was refused (passed through whole).
    ConfigureFailure,
    /// Any other or absent `type`.
    Unknown {
        /// The `type` when it is a string.
        message_type: Option<String>,
    },
}

impl ListenServerMessage {
    /// Reads one parsed text frame.
    pub fn read(frame: &impl Frame) -> Result<Self, ProtocolError> {
        let message_type = frame.message_type();
        Ok(match message_type.as_deref() {
            Some("Results") => Self::Results(read(frame, "Results")?),
            Some("Metadata") => Self::Metadata(read(frame, "Metadata")?),
            Some("UtteranceEnd") => Self::UtteranceEnd(read(frame, "UtteranceEnd")?),
            Some("SpeechStarted") => Self::SpeechStarted(read(frame, "SpeechStarted")?),
            Some("Error") => Self::Error(read(frame, "Error")?),
            Some("ConfigureSuccess") => Self::ConfigureSuccess,
            Some("ConfigureFailure") => Self::ConfigureFailure,
            _ => Self::Unknown { message_type },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::server_message::test_frames::parse;
    use serde_json::Value;

    fn read_text(text: &str) -> Result<ListenServerMessage, ProtocolError> {
        ListenServerMessage::read(&parse(text)?)
    }

    fn fixtures() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/listen");
        let mut out = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            if name.ends_with(".jsonl") {
                for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                    out.push((format!("{name}:{}", i + 1), line.to_owned()));
                }
            } else if name.ends_with(".json") {
                out.push((name, text));
            }
        }
        out
    }

    #[test]
    fn every_listen_fixture_reads_into_its_type() {
        let all = fixtures();
        assert!(
            all.len() >= 40,
            "expected the whole fixture set, got {}",
            all.len()
        );
        for (name, text) in all {
            let original: Value = serde_json::from_str(&text).unwrap();
            let msg = read_text(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let kind = match &msg {
                ListenServerMessage::Results(_) => "Results",
                ListenServerMessage::Metadata(_) => "Metadata",
                ListenServerMessage::UtteranceEnd(_) => "UtteranceEnd",
                ListenServerMessage::SpeechStarted(_) => "SpeechStarted",
                other => panic!("{name}: unexpected {other:?}"),
            };
            assert_eq!(original["type"].as_str(), Some(kind), "{name}");
            if let ListenServerMessage::Results(r) = &msg {
                let alt = &original["channel"]["alternatives"][0];
                assert_eq!(
                    r.transcript(),
                    alt["transcript"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    r.word_count(),
                    alt["words"].as_array().unwrap().len(),
                    "{name}"
                );
                assert_eq!(
                    r.is_final,
                    original["is_final"].as_bool().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    r.speech_final,
                    original["speech_final"].as_bool().unwrap(),
                    "{name}"
                );
                assert_eq!(
                    r.from_finalize,
                    original["from_finalize"].as_bool().unwrap_or(false),
                    "{name}"
                );
                assert_eq!(r.start, original["start"].as_f64().unwrap(), "{name}");
                for (w, ow) in r.words().iter().zip(alt["words"].as_array().unwrap()) {
                    assert_eq!(w.start, ow["start"].as_f64().unwrap());
                    assert_eq!(w.end, ow["end"].as_f64().unwrap());
                }
            }
        }
    }

    #[test]
    fn specific_fixture_values() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/listen/");
        let read = |n: &str| std::fs::read_to_string(format!("{dir}{n}")).unwrap();
        match read_text(&read("loreline-nova3-dying-from-finalize.json")).unwrap() {
            ListenServerMessage::Results(r) => {
                assert!(r.from_finalize && r.is_final && r.speech_final);
                assert_eq!(r.transcript(), "Dying, come at once, s");
                assert_eq!(r.word_count(), 5);
                assert_eq!(
                    r.words()[0],
                    WordTiming {
                        start: 58.08,
                        end: 58.72
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_text(&read("issue-js336-metadata-timeout.json")).unwrap(),
            ListenServerMessage::Metadata(_)
        ));
        assert!(matches!(
            read_text(&read("docs-utterance-end.json")).unwrap(),
            ListenServerMessage::UtteranceEnd(_)
        ));
        assert!(matches!(
            read_text(&read("docs-speech-started.json")).unwrap(),
            ListenServerMessage::SpeechStarted(_)
        ));
    }

    #[test]
    fn lenient_where_the_wire_varies() {
        let text = r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":{"alternatives":[]},"future":{"x":1}}"#;
        match read_text(text).unwrap() {
            ListenServerMessage::Results(r) => {
                assert!(!r.is_final && !r.speech_final && !r.from_finalize);
                assert_eq!(r.transcript(), "");
                assert!(!r.has_words());
                assert_eq!(r.duration, 1.0);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_where_it_matters() {
        let cases = [
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"channel":{}}"#,
                "missing field `start`",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0}"#,
                "missing field `channel`",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":[0,1]}"#,
                "channel: invalid type",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":"0","channel":{}}"#,
                "start: invalid type: string \"0\", expected f64",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"is_final":"yes","channel":{}}"#,
                "is_final: invalid type",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":{"alternatives":[{"words":[{"start":1}]}]}}"#,
                "channel: missing field `end`",
            ),
        ];
        for (text, detail) in cases {
            let e = read_text(text).unwrap_err();
            assert!(
                matches!(&e, ProtocolError::Invalid { detail: d, .. } if d.contains(detail)),
                "{text}: {e}"
            );
            assert!(e.to_string().starts_with("server "), "{e}");
        }
        assert_eq!(
            read_text(r#"{"type":"Results","channel_index":[0,1],"duration":1,"channel":{}}"#)
                .unwrap_err()
                .to_string(),
            "server Results message could not be read (missing field `start`); frame ignored"
        );
        assert!(
            matches!(
                read_text(r#"{"type":"Metadata","request_id":5}"#),
                Ok(ListenServerMessage::Metadata(_))
            ),
            "no field of Metadata is read"
        );
    }

    #[test]
    fn malformed_and_unknown() {
        assert!(matches!(
            read_text("not json"),
            Err(ProtocolError::MalformedJson { .. })
        ));
        assert!(matches!(
            read_text(""),
            Err(ProtocolError::MalformedJson { .. })
        ));
        assert!(matches!(
            read_text("[1]"),
            Err(ProtocolError::NotAnObject { .. })
        ));
        let text = r#"{"type":"ConfigureSuccess","request_id":"r","keyterms":["a"]}"#;
        assert_eq!(
            read_text(text).unwrap(),
            ListenServerMessage::ConfigureSuccess
        );
        let text = r#"{"type":"ListenV9Surprise","x":1}"#;
        assert_eq!(
            read_text(text).unwrap(),
            ListenServerMessage::Unknown {
                message_type: Some("ListenV9Surprise".into()),
            }
        );
        assert_eq!(
            read_text(r#"{"no_type":true}"#).unwrap(),
            ListenServerMessage::Unknown { message_type: None }
        );
        assert_eq!(
            read_text(r#"{"type":5}"#).unwrap(),
            ListenServerMessage::Unknown { message_type: None }
        );
    }

    #[test]
    fn error_message() {
        let text = r#"{"type":"Error","variant":"SchemaError","description":"Could not deserialize last text message","message":"{\"type\":\"Nope\"}"}"#;
        match read_text(text).unwrap() {
            ListenServerMessage::Error(e) => {
                assert_eq!(e.variant.as_deref(), Some("SchemaError"));
                assert_eq!(e.text(), Some("Could not deserialize last text message"));
                assert_eq!(e.message.as_deref(), Some(r#"{"type":"Nope"}"#));
                assert_eq!(e.error_code(), None);
            }
            other => panic!("{other:?}"),
        }
    }
}
