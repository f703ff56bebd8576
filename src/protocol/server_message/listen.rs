//! `/v1/listen` server messages: `Results`, `Metadata`, `UtteranceEnd`, `SpeechStarted`, `Error`, and anything
//! else as `Unknown`.
//!
//! Owns which fields each type must have and which may vary. Note the trap it exists to avoid: `channel` is an
//! object in `Results` but a list `[index, total]` in `UtteranceEnd` and `SpeechStarted`.

use super::json_read::{FieldErrors, Fields};
use super::{message_type, parse_error, parse_object, unknown, ServerError, UnknownMessage};
use crate::protocol::error::ProtocolError;

/// Start and end (seconds from the start of this connection's audio) of one word of the first alternative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordTiming {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// A `Results` message: an interim or final transcript segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// `is_final`: the segment's text will not change again (absent = false).
    pub is_final: bool,
    /// `speech_final`: an endpoint was detected (absent = false).
    pub speech_final: bool,
    /// `from_finalize`: produced by a `Finalize` (absent = false).
    pub from_finalize: bool,
    /// `start` of the segment, seconds from the start of this connection's audio.
    pub start: f64,
    /// `duration` of the segment, seconds.
    pub duration: f64,
    /// `channel_index`: `[channel, total_channels]`.
    pub channel_index: Vec<u32>,
    /// The first alternative's `transcript` (`""` when there is none).
    pub transcript: String,
    /// The first alternative's `confidence`, when given.
    pub confidence: Option<f64>,
    /// The first alternative's words' timings, in order.
    pub words: Vec<WordTiming>,
    /// `metadata.request_id`, when given.
    pub request_id: Option<String>,
    /// The frame as received (unknown fields included).
    pub raw: String,
}

impl Results {
    /// The channel this segment belongs to (`channel_index[0]`, 0 when absent).
    pub fn channel(&self) -> u32 {
        self.channel_index.first().copied().unwrap_or(0)
    }

    /// Number of words in the first alternative.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// The terminal `Metadata` summary (after `CloseStream`, or just before a server-initiated close).
#[derive(Debug, Clone, PartialEq)]
pub struct ListenMetadata {
    /// `request_id`.
    pub request_id: String,
    /// `duration`: seconds of audio processed.
    pub duration: f64,
    /// `channels`.
    pub channels: u32,
    /// `sha256` of the received audio (or `"incomplete"`).
    pub sha256: Option<String>,
    /// `created` (RFC 3339).
    pub created: Option<String>,
    /// The frame as received.
    pub raw: String,
}

/// `UtteranceEnd`: a gap after the last finalized word (needs `utterance_end_ms`).
#[derive(Debug, Clone, PartialEq)]
pub struct UtteranceEnd {
    /// `channel`: `[index, total]` (a list here, unlike `Results`).
    pub channel: Vec<u32>,
    /// `last_word_end`, seconds (`-1` = already finalized).
    pub last_word_end: f64,
    /// The frame as received.
    pub raw: String,
}

/// `SpeechStarted`: voice activity began (needs `vad_events=true`).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechStarted {
    /// `channel`: `[index, total]` (a list here, unlike `Results`).
    pub channel: Vec<u32>,
    /// `timestamp`, seconds.
    pub timestamp: f64,
    /// The frame as received.
    pub raw: String,
}

/// A parsed `/v1/listen` server text frame.
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
    /// Any other or absent `type`.
    Unknown(UnknownMessage),
}

impl ListenServerMessage {
    /// Parses one text frame.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let map = parse_object(text)?;
        let message_type = message_type(&map);
        let raw = text.to_owned();
        let errors = FieldErrors::default();
        let fields = |message_type| Fields::new(&map, message_type, &errors);
        let message = match message_type {
            Some("Results") => Self::Results(parse_results(fields("Results"), raw)),
            Some("Metadata") => {
                let f = fields("Metadata");
                Self::Metadata(ListenMetadata {
                    request_id: f.string_req("request_id"),
                    duration: f.f64_req("duration"),
                    channels: f.u32_req("channels"),
                    sha256: f.string_opt("sha256"),
                    created: f.string_opt("created"),
                    raw,
                })
            }
            Some("UtteranceEnd") => {
                let f = fields("UtteranceEnd");
                Self::UtteranceEnd(UtteranceEnd {
                    channel: f.u32_list_req("channel"),
                    last_word_end: f.f64_req("last_word_end"),
                    raw,
                })
            }
            Some("SpeechStarted") => {
                let f = fields("SpeechStarted");
                Self::SpeechStarted(SpeechStarted {
                    channel: f.u32_list_req("channel"),
                    timestamp: f.f64_req("timestamp"),
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

fn parse_results(f: Fields<'_>, raw: String) -> Results {
    let channel = f.object_req("channel");
    let mut transcript = String::new();
    let mut confidence = None;
    let mut words = Vec::new();
    if let Some(first) = channel.array_opt("alternatives").first() {
        let alt = f.element(first, "channel.alternatives");
        for w in alt.array_opt("words") {
            let w = alt.element(w, "channel.alternatives[0].words");
            words.push(WordTiming {
                start: w.f64_req("start"),
                end: w.f64_req("end"),
            });
        }
        transcript = alt.string_opt("transcript").unwrap_or_default();
        confidence = alt.f64_opt("confidence");
    }
    let request_id = f
        .object_opt("metadata")
        .and_then(|m| m.string_opt("request_id"));
    Results {
        is_final: f.bool_or_false("is_final"),
        speech_final: f.bool_or_false("speech_final"),
        from_finalize: f.bool_or_false("from_finalize"),
        start: f.f64_req("start"),
        duration: f.f64_req("duration"),
        channel_index: f.u32_list_req("channel_index"),
        transcript,
        confidence,
        words,
        request_id,
        raw,
    }
}

impl ListenMetadata {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl UtteranceEnd {
    /// The frame as received (same as the `raw` field).
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl SpeechStarted {
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
    use crate::protocol::json::{self, Value};

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
    fn every_listen_fixture_parses_into_its_type() {
        let all = fixtures();
        assert!(
            all.len() >= 40,
            "expected the whole fixture set, got {}",
            all.len()
        );
        for (name, text) in all {
            let original: Value = json::parse(&text).unwrap();
            let msg = ListenServerMessage::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let (kind, raw) = match &msg {
                ListenServerMessage::Results(r) => ("Results", &r.raw),
                ListenServerMessage::Metadata(m) => ("Metadata", &m.raw),
                ListenServerMessage::UtteranceEnd(u) => ("UtteranceEnd", &u.raw),
                ListenServerMessage::SpeechStarted(s) => ("SpeechStarted", &s.raw),
                other => panic!("{name}: unexpected {other:?}"),
            };
            assert_eq!(original["type"].as_str(), Some(kind), "{name}");
            let reparsed: Value = json::parse(raw).unwrap();
            assert_eq!(reparsed, original, "{name}: raw text must keep every field");
            if let ListenServerMessage::Results(r) = &msg {
                let alt = &original["channel"]["alternatives"][0];
                assert_eq!(r.transcript, alt["transcript"].as_str().unwrap(), "{name}");
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
                assert_eq!(r.channel_index, vec![0, 1], "{name}");
                for (w, ow) in r.words.iter().zip(alt["words"].as_array().unwrap()) {
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
        match ListenServerMessage::parse(&read("loreline-nova3-dying-from-finalize.json")).unwrap()
        {
            ListenServerMessage::Results(r) => {
                assert!(r.from_finalize && r.is_final && r.speech_final);
                assert_eq!(r.transcript, "Dying, come at once, s");
                assert_eq!(r.word_count(), 5);
                assert_eq!(
                    r.words[0],
                    WordTiming {
                        start: 58.08,
                        end: 58.72
                    }
                );
                assert_eq!(
                    r.request_id.as_deref(),
                    Some("01a07aad-cb1e-78c3-80ef-181d08b56576")
                );
            }
            other => panic!("{other:?}"),
        }
        match ListenServerMessage::parse(&read("issue-js336-metadata-timeout.json")).unwrap() {
            ListenServerMessage::Metadata(m) => {
                assert_eq!(m.duration, 0.0);
                assert_eq!(m.channels, 0);
                assert_eq!(m.request_id, "cdf77fbc-8d38-4450-94cf-68fd56ca98a7");
            }
            other => panic!("{other:?}"),
        }
        match ListenServerMessage::parse(&read("docs-utterance-end.json")).unwrap() {
            ListenServerMessage::UtteranceEnd(u) => {
                assert_eq!(u.channel, vec![0, 1]);
                assert_eq!(u.last_word_end, 2.395);
            }
            other => panic!("{other:?}"),
        }
        match ListenServerMessage::parse(&read("docs-speech-started.json")).unwrap() {
            ListenServerMessage::SpeechStarted(s) => assert_eq!(s.timestamp, 9.54),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lenient_where_the_wire_varies() {
        let text = r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":{"alternatives":[]},"future":{"x":1}}"#;
        match ListenServerMessage::parse(text).unwrap() {
            ListenServerMessage::Results(r) => {
                assert!(!r.is_final && !r.speech_final && !r.from_finalize);
                assert_eq!(r.transcript, "");
                assert_eq!(r.duration, 1.0);
                assert_eq!(r.request_id, None);
                assert_eq!(r.raw, text);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_where_it_matters() {
        let cases = [
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"channel":{}}"#,
                "start",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0}"#,
                "channel",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":[0,1]}"#,
                "channel",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":"0","channel":{}}"#,
                "start",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"is_final":"yes","channel":{}}"#,
                "is_final",
            ),
            (
                r#"{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":{"alternatives":[{"words":[{"start":1}]}]}}"#,
                "end",
            ),
            (
                r#"{"type":"UtteranceEnd","channel":{"alternatives":[]},"last_word_end":1}"#,
                "channel",
            ),
            (r#"{"type":"SpeechStarted","channel":[0,1]}"#, "timestamp"),
            (
                r#"{"type":"Metadata","duration":1,"channels":1}"#,
                "request_id",
            ),
            (
                r#"{"type":"Metadata","request_id":"x","duration":1,"channels":1.5}"#,
                "channels",
            ),
        ];
        for (text, field) in cases {
            let e = ListenServerMessage::parse(text).unwrap_err();
            assert!(e.to_string().contains(field), "{text}: {e}");
        }
    }

    #[test]
    fn malformed_and_unknown() {
        assert!(matches!(
            ListenServerMessage::parse("not json"),
            Err(ProtocolError::MalformedJson { .. })
        ));
        assert!(matches!(
            ListenServerMessage::parse(""),
            Err(ProtocolError::MalformedJson { .. })
        ));
        assert_eq!(
            ListenServerMessage::parse("[1]"),
            Err(ProtocolError::NotAnObject)
        );
        let text = r#"{"type":"ConfigureSuccess","request_id":"r","keyterms":["a"]}"#;
        assert_eq!(
            ListenServerMessage::parse(text).unwrap(),
            ListenServerMessage::Unknown(UnknownMessage {
                message_type: Some("ConfigureSuccess".into()),
                raw: text.into()
            })
        );
        let text = r#"{"no_type":true}"#;
        assert!(matches!(
            ListenServerMessage::parse(text).unwrap(),
            ListenServerMessage::Unknown(UnknownMessage {
                message_type: None,
                ..
            })
        ));
        let text = r#"{"type":5}"#;
        assert!(matches!(
            ListenServerMessage::parse(text).unwrap(),
            ListenServerMessage::Unknown(_)
        ));
    }

    #[test]
    fn error_message() {
        let text = r#"{"type":"Error","variant":"SchemaError","description":"Could not deserialize last text message","message":"{\"type\":\"Nope\"}"}"#;
        match ListenServerMessage::parse(text).unwrap() {
            ListenServerMessage::Error(e) => {
                assert_eq!(e.variant.as_deref(), Some("SchemaError"));
                assert_eq!(
                    e.description.as_deref(),
                    Some("Could not deserialize last text message")
                );
                assert_eq!(e.message.as_deref(), Some(r#"{"type":"Nope"}"#));
                assert_eq!(e.code, None);
            }
            other => panic!("{other:?}"),
        }
    }
}
