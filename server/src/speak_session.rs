//! One `/v1/speak` connection as a sans-IO state machine: text frames in; JSON frames, audio frames and
//! a close out.
//!
//! Owns the text buffer, Flush (synthesize, frame, queue, then `Flushed`), Clear (drop text and queued
//! audio, `Cleared`), Close, the flush rate limit (more than [`MAX_FLUSHES`] accepted Flushes within
//! [`FLUSH_WINDOW`] → `Warning`, the Flush ignored and its text kept), and the sequence ids: `Flushed` and
//! `Cleared` share one counter per connection, starting at 0, taken when the message is produced, so an
//! ignored Flush and a Flush cancelled by Clear use no id. It must not sleep or touch sockets: the IO layer
//! (`speak_socket.rs`) paces [`SpeakSession::pop_frame`] and passes the current time in.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::codec::{encode, Encoding};
use crate::model::speak_model;
use crate::speak_options::SpeakOptions;
use crate::voice::{Voice, VoiceEngine};

/// Accepted Flushes allowed within [`FLUSH_WINDOW`].
pub const MAX_FLUSHES: usize = 20;
/// The sliding window of the flush rate limit.
pub const FLUSH_WINDOW: Duration = Duration::from_secs(60);

/// What the connection wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakOutput {
    /// A JSON text frame.
    Text(String),
    /// A close frame; nothing follows it.
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
}

enum Queued {
    Audio(Vec<u8>),
    Flushed,
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    request_id: &'a str,
    model_name: &'a str,
    model_version: &'a str,
    model_uuid: &'a str,
    additional_model_uuids: [&'a str; 0],
}

#[derive(Serialize)]
struct Sequenced {
    #[serde(rename = "type")]
    kind: &'static str,
    sequence_id: u64,
}

#[derive(Serialize)]
struct Warning<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    warn_code: &'a str,
    warn_msg: &'a str,
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| String::from("{}"))
}

/// One speak connection.
pub struct SpeakSession {
    voice: Box<dyn Voice>,
    encoding: Encoding,
    sample_rate: u32,
    frame_bytes: usize,
    text: String,
    queue: VecDeque<Queued>,
    next_sequence_id: u64,
    flushes: VecDeque<Instant>,
    out: VecDeque<SpeakOutput>,
    closed: bool,
    samples: Vec<f32>,
}

impl SpeakSession {
    /// A connection with validated options; queues the opening `Metadata`.
    pub fn new(
        opts: &SpeakOptions,
        request_id: &str,
        engine: &dyn VoiceEngine,
        frame_ms: u32,
    ) -> SpeakSession {
        let model = speak_model(opts.model.as_deref());
        let samples_per_frame =
            usize::try_from(u64::from(opts.sample_rate) * u64::from(frame_ms.max(1)) / 1000)
                .unwrap_or(1)
                .max(1);
        let mut s = SpeakSession {
            voice: engine.create(&model.name),
            encoding: opts.encoding,
            sample_rate: opts.sample_rate,
            frame_bytes: samples_per_frame * opts.encoding.bytes_per_sample(),
            text: String::new(),
            queue: VecDeque::new(),
            next_sequence_id: 0,
            flushes: VecDeque::new(),
            out: VecDeque::new(),
            closed: false,
            samples: Vec::new(),
        };
        s.out.push_back(SpeakOutput::Text(to_json(&Metadata {
            kind: "Metadata",
            request_id,
            model_name: &model.name,
            model_version: &model.version,
            model_uuid: &model.uuid,
            additional_model_uuids: [],
        })));
        s
    }

    /// Whether the connection has ended (a close was produced).
    pub fn is_finished(&self) -> bool {
        self.closed
    }

    /// Whether audio frames are waiting to be paced out.
    pub fn has_audio(&self) -> bool {
        self.queue.iter().any(|q| matches!(q, Queued::Audio(_)))
    }

    /// Text received and not yet flushed.
    pub fn buffered_text(&self) -> &str {
        &self.text
    }

    /// The next JSON frame or close to send.
    pub fn poll_output(&mut self) -> Option<SpeakOutput> {
        self.out.pop_front()
    }

    /// The next audio frame; the `Flushed` of a flush becomes available right after its last frame.
    pub fn pop_frame(&mut self) -> Option<Vec<u8>> {
        let frame = match self.queue.front() {
            Some(Queued::Audio(_)) => match self.queue.pop_front() {
                Some(Queued::Audio(f)) => Some(f),
                _ => None,
            },
            _ => None,
        };
        self.release_flushed();
        frame
    }

    fn release_flushed(&mut self) {
        while let Some(Queued::Flushed) = self.queue.front() {
            self.queue.pop_front();
            let id = self.take_sequence_id();
            self.out.push_back(SpeakOutput::Text(to_json(&Sequenced {
                kind: "Flushed",
                sequence_id: id,
            })));
        }
    }

    fn take_sequence_id(&mut self) -> u64 {
        let id = self.next_sequence_id;
        self.next_sequence_id = self.next_sequence_id.saturating_add(1);
        id
    }

    fn warning(&mut self, code: &str, msg: &str) {
        self.out.push_back(SpeakOutput::Text(to_json(&Warning {
            kind: "Warning",
            warn_code: code,
            warn_msg: msg,
        })));
    }

    /// A binary frame from the client: not part of the protocol, answered with a Warning.
    pub fn handle_binary(&mut self) {
        if !self.closed {
            self.warning(
                "INVALID_MESSAGE",
                "Binary messages are not accepted on /v1/speak; send text as {\"type\":\"Speak\",\"text\":\"...\"}.",
            );
        }
    }

    /// A text frame from the client at time `now`.
    pub fn handle_text(&mut self, text: &str, now: Instant) {
        if self.closed {
            return;
        }
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(text);
        let value = match parsed {
            Ok(v) => v,
            Err(e) => {
                return self.warning(
                    "INVALID_MESSAGE",
                    &format!("Could not deserialize last text message: {e}"),
                )
            }
        };
        match value.get("type").and_then(serde_json::Value::as_str) {
            Some("Speak") => match value.get("text").and_then(serde_json::Value::as_str) {
                Some(t) => self.text.push_str(t),
                None => self.warning(
                    "INVALID_MESSAGE",
                    "Could not deserialize last text message: Speak needs a string field `text`",
                ),
            },
            Some("Flush") => self.flush(now),
            Some("Clear") => {
                self.text.clear();
                self.queue.clear();
                let id = self.take_sequence_id();
                self.out.push_back(SpeakOutput::Text(to_json(&Sequenced {
                    kind: "Cleared",
                    sequence_id: id,
                })));
            }
            Some("Close") => {
                self.queue.clear();
                self.out.push_back(SpeakOutput::Close {
                    code: 1000,
                    reason: String::new(),
                });
                self.closed = true;
            }
            Some(other) => self.warning(
                "INVALID_MESSAGE",
                &format!(
                    "Could not deserialize last text message: unknown variant `{other}`, expected one of `Speak`, `Flush`, `Clear`, `Close`"
                ),
            ),
            None => self.warning(
                "INVALID_MESSAGE",
                "Could not deserialize last text message: missing field `type`",
            ),
        }
    }

    fn flush(&mut self, now: Instant) {
        while self
            .flushes
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= FLUSH_WINDOW)
        {
            self.flushes.pop_front();
        }
        if self.flushes.len() >= MAX_FLUSHES {
            return self.warning(
                "EXCESSIVE_FLUSH",
                "Rate limit exceeded for flushes. Please try again later.",
            );
        }
        self.flushes.push_back(now);
        let text = std::mem::take(&mut self.text);
        self.samples.clear();
        self.voice
            .synthesize(&text, self.sample_rate, &mut self.samples);
        let mut bytes = Vec::new();
        encode(self.encoding, &self.samples, &mut bytes);
        for frame in bytes.chunks(self.frame_bytes.max(1)) {
            self.queue.push_back(Queued::Audio(frame.to_vec()));
        }
        self.queue.push_back(Queued::Flushed);
        self.release_flushed();
    }

    /// The idle timeout fired: close 1011 with the NET-0001 text (UNCONFIRMED for speak).
    pub fn handle_idle_timeout(&mut self) {
        if !self.closed {
            self.queue.clear();
            self.out.push_back(SpeakOutput::Close {
                code: 1011,
                reason: crate::transcriber::NET0001_REASON.to_string(),
            });
            self.closed = true;
        }
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
    use crate::query::Query;
    use crate::voice::DtmfVoiceEngine;
    use serde_json::Value;

    fn session(q: &str) -> SpeakSession {
        let opts = SpeakOptions::from_query(&Query::parse(q).unwrap()).unwrap();
        SpeakSession::new(&opts, "rid", &DtmfVoiceEngine, 20)
    }

    fn texts(s: &mut SpeakSession) -> Vec<Value> {
        let mut v = Vec::new();
        while let Some(o) = s.poll_output() {
            match o {
                SpeakOutput::Text(t) => v.push(serde_json::from_str(&t).unwrap()),
                SpeakOutput::Close { code, .. } => v.push(serde_json::json!({ "close": code })),
            }
        }
        v
    }

    #[test]
    fn metadata_on_open_has_the_fixture_shape() {
        let mut s = session("model=aura-asteria-en");
        let msgs = texts(&mut s);
        let fixture: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/speak-metadata_gosdk_unittest_live_aura_asteria.json"
        ))
        .unwrap();
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&msgs[0]), keys(&fixture));
        assert_eq!(msgs[0]["model_uuid"], fixture["model_uuid"]);
        assert_eq!(msgs[0]["request_id"], "rid");
    }

    #[test]
    fn flush_frames_audio_then_acknowledges() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        texts(&mut s);
        let now = Instant::now();
        s.handle_text(r#"{"type":"Speak","text":"1"}"#, now);
        assert!(!s.has_audio());
        s.handle_text(r#"{"type":"Flush"}"#, now);
        assert!(texts(&mut s).is_empty(), "Flushed waits for the audio");
        let mut frames = Vec::new();
        while let Some(f) = s.pop_frame() {
            frames.push(f);
        }
        // 160 ms of audio at 16 kHz in 20 ms frames of 640 bytes.
        assert_eq!(frames.len(), 8);
        assert!(frames.iter().all(|f| f.len() == 640));
        let msgs = texts(&mut s);
        assert_eq!(
            msgs,
            vec![serde_json::json!({"type":"Flushed","sequence_id":0})]
        );
    }

    #[test]
    fn sequence_ids_are_shared_and_skip_ignored_and_cancelled_flushes() {
        let mut s = session("");
        texts(&mut s);
        let now = Instant::now();
        s.handle_text(r#"{"type":"Flush"}"#, now); // empty: acknowledged at once
        s.handle_text(r#"{"type":"Speak","text":"123"}"#, now);
        s.handle_text(r#"{"type":"Flush"}"#, now);
        s.pop_frame();
        s.handle_text(r#"{"type":"Clear"}"#, now); // cancels the second flush
        assert!(!s.has_audio());
        s.handle_text(r#"{"type":"Speak","text":"4"}"#, now);
        s.handle_text(r#"{"type":"Flush"}"#, now);
        while s.pop_frame().is_some() {}
        let msgs = texts(&mut s);
        assert_eq!(
            msgs,
            vec![
                serde_json::json!({"type":"Flushed","sequence_id":0}),
                serde_json::json!({"type":"Cleared","sequence_id":1}),
                serde_json::json!({"type":"Flushed","sequence_id":2}),
            ]
        );
    }

    #[test]
    fn excessive_flushes_warn_and_keep_the_text() {
        let mut s = session("");
        texts(&mut s);
        let t0 = Instant::now();
        for _ in 0..MAX_FLUSHES {
            s.handle_text(r#"{"type":"Flush"}"#, t0);
        }
        s.handle_text(r#"{"type":"Speak","text":"5"}"#, t0);
        s.handle_text(r#"{"type":"Flush"}"#, t0 + Duration::from_secs(59));
        let msgs = texts(&mut s);
        assert_eq!(msgs.len(), MAX_FLUSHES + 1);
        let fixture: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/speak-warning_excessive_flush_pysdk_issue617.json"
        ))
        .unwrap();
        assert_eq!(msgs[MAX_FLUSHES], fixture);
        assert_eq!(s.buffered_text(), "5");
        assert!(!s.has_audio());
        // The window slides: 60 s after the first flushes, one is accepted again with the next id.
        s.handle_text(r#"{"type":"Flush"}"#, t0 + Duration::from_secs(60));
        assert!(s.has_audio());
        while s.pop_frame().is_some() {}
        assert_eq!(
            texts(&mut s),
            vec![serde_json::json!({"type":"Flushed","sequence_id": MAX_FLUSHES})]
        );
    }

    #[test]
    fn close_and_bad_messages() {
        let mut s = session("");
        texts(&mut s);
        let now = Instant::now();
        s.handle_text("nope", now);
        s.handle_text(r#"{"type":"Shout"}"#, now);
        s.handle_text(r#"{"type":"Speak"}"#, now);
        s.handle_binary();
        let msgs = texts(&mut s);
        assert_eq!(msgs.len(), 4);
        assert!(msgs.iter().all(|m| m["type"] == "Warning"));
        s.handle_text(r#"{"type":"Speak","text":"1"}"#, now);
        s.handle_text(r#"{"type":"Flush"}"#, now);
        s.handle_text(r#"{"type":"Close"}"#, now);
        assert!(s.pop_frame().is_none(), "Close drops queued audio");
        assert_eq!(texts(&mut s), vec![serde_json::json!({"close": 1000})]);
        assert!(s.is_finished());
    }

    #[test]
    fn g711_frames_are_one_byte_per_sample() {
        let mut s = session("encoding=mulaw");
        texts(&mut s);
        s.handle_text(r#"{"type":"Speak","text":"one"}"#, Instant::now());
        s.handle_text(r#"{"type":"Flush"}"#, Instant::now());
        let f = s.pop_frame().unwrap();
        assert_eq!(f.len(), 160);
    }
}
