//! One `/v1/speak` connection as a sans-IO state machine: text frames in; JSON frames, audio frames and
//! a close out.
//!
//! Owns the text buffer, Flush (synthesize, frame, queue, then `Flushed`), Clear (drop text and queued
//! audio, `Cleared`), Close, the two rolling windows of the real service's limits (more than
//! [`MAX_FLUSHES`] accepted Flushes within [`FLUSH_WINDOW`] → `Warning`, the Flush ignored and its text
//! kept; more than [`MAX_CHARS_PER_WINDOW`] characters of Speak text within [`CHAR_WINDOW`] → close 1008
//! `DATA-0001`), the closes for frames that are not commands (binary → 1003 `MESSAGE-0000`; text that is
//! not a known JSON command → 1008 `DATA-0000`), the connection time limit (1011 `NET-0003`), and the
//! sequence ids: `Flushed` and `Cleared` share one counter per connection, starting at 0, taken when the
//! message is produced, so an ignored Flush and a Flush cancelled by Clear use no id. Close codes are
//! Deepgram's TTS table (docs/tts-troubleshooting-websocket-net-and-data-errors); the reasons are the bare
//! codes (the real texts are not documented). It must not sleep or touch sockets: the IO layer paces
//! [`SpeakSession::pop_frame`] and passes the current time in, which is also the clock of both windows.

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
/// Characters of Speak text allowed within [`CHAR_WINDOW`] ("2400 characters per minute").
pub const MAX_CHARS_PER_WINDOW: usize = 2400;
/// The sliding window of the character limit (rolling: UNCONFIRMED, the docs say "per minute").
pub const CHAR_WINDOW: Duration = Duration::from_secs(60);

/// Close reason for a binary frame from the client (1003).
pub const MESSAGE0000_REASON: &str = "MESSAGE-0000";
/// Close reason for a text frame that is not a valid command (1008).
pub const DATA0000_REASON: &str = "DATA-0000";
/// Close reason for too many characters in the window (1008).
pub const DATA0001_REASON: &str = "DATA-0001";
/// Close reason for the connection time limit (1011).
pub const NET0003_REASON: &str = "NET-0003";

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
    chars: VecDeque<(Instant, usize)>,
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
            chars: VecDeque::new(),
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

    /// Ends the connection with `code`/`reason`; queued audio is dropped.
    fn close(&mut self, code: u16, reason: &str) {
        if !self.closed {
            self.queue.clear();
            self.out.push_back(SpeakOutput::Close {
                code,
                reason: reason.to_string(),
            });
            self.closed = true;
        }
    }

    /// A binary frame from the client: not a supported message type, close 1003 `MESSAGE-0000`.
    pub fn handle_binary(&mut self) {
        self.close(1003, MESSAGE0000_REASON);
    }

    /// A text frame from the client at time `now`. Anything but a known command closes 1008 `DATA-0000`.
    pub fn handle_text(&mut self, text: &str, now: Instant) {
        if self.closed {
            return;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return self.close(1008, DATA0000_REASON);
        };
        match value.get("type").and_then(serde_json::Value::as_str) {
            Some("Speak") => match value.get("text").and_then(serde_json::Value::as_str) {
                Some(t) => self.speak(t, now),
                None => self.close(1008, DATA0000_REASON),
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
            Some("Close") => self.close(1000, ""),
            Some(_) | None => self.close(1008, DATA0000_REASON),
        }
    }

    /// Buffers Speak text unless it takes the rolling window over [`MAX_CHARS_PER_WINDOW`]. Every
    /// character sent counts, whether or not it is ever flushed or a Clear drops it ("the limit is on
    /// the total number of characters submitted").
    fn speak(&mut self, text: &str, now: Instant) {
        while self
            .chars
            .front()
            .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= CHAR_WINDOW)
        {
            self.chars.pop_front();
        }
        let count = text.chars().count();
        let in_window: usize = self.chars.iter().map(|(_, n)| n).sum();
        if in_window.saturating_add(count) > MAX_CHARS_PER_WINDOW {
            return self.close(1008, DATA0001_REASON);
        }
        self.chars.push_back((now, count));
        self.text.push_str(text);
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

    /// The connection's time limit passed (Deepgram: 60 minutes from the connection): close 1011
    /// `NET-0003`.
    pub fn handle_time_limit(&mut self) {
        self.close(1011, NET0003_REASON);
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
    fn close_message_drops_queued_audio_and_closes_1000() {
        let mut s = session("");
        texts(&mut s);
        let now = Instant::now();
        s.handle_text(r#"{"type":"Speak","text":"1"}"#, now);
        s.handle_text(r#"{"type":"Flush"}"#, now);
        s.handle_text(r#"{"type":"Close"}"#, now);
        assert!(s.pop_frame().is_none(), "Close drops queued audio");
        assert_eq!(texts(&mut s), vec![serde_json::json!({"close": 1000})]);
        assert!(s.is_finished());
        // Nothing after the close.
        s.handle_text(r#"{"type":"Flush"}"#, now);
        s.handle_binary();
        assert!(texts(&mut s).is_empty());
    }

    fn close_of(s: &mut SpeakSession) -> Option<(u16, String)> {
        std::iter::from_fn(|| s.poll_output()).find_map(|o| match o {
            SpeakOutput::Close { code, reason } => Some((code, reason)),
            SpeakOutput::Text(_) => None,
        })
    }

    #[test]
    fn a_binary_frame_closes_1003_message_0000() {
        let mut s = session("");
        texts(&mut s);
        s.handle_text(r#"{"type":"Speak","text":"1"}"#, Instant::now());
        s.handle_text(r#"{"type":"Flush"}"#, Instant::now());
        s.handle_binary();
        assert_eq!(close_of(&mut s), Some((1003, "MESSAGE-0000".into())));
        assert!(s.is_finished());
        assert!(!s.has_audio(), "queued audio is dropped");
    }

    #[test]
    fn text_that_is_not_a_command_closes_1008_data_0000() {
        for bad in [
            "nope",
            "",
            r#"{"type":"Shout"}"#,
            r#"{"no":"type"}"#,
            r#"{"type":"Speak"}"#,
            r#"{"type":"Speak","text":5}"#,
            r#"["Speak"]"#,
            r#"{"type":"KeepAlive"}"#,
        ] {
            let mut s = session("");
            texts(&mut s);
            s.handle_text(bad, Instant::now());
            assert_eq!(
                close_of(&mut s),
                Some((1008, "DATA-0000".into())),
                "{bad:?}"
            );
            assert!(s.is_finished());
        }
    }

    #[test]
    fn more_than_2400_characters_in_60_s_closes_1008_data_0001() {
        let mut s = session("");
        texts(&mut s);
        let t0 = Instant::now();
        let thousand = "a".repeat(1000);
        let speak = |t: &str| serde_json::json!({"type": "Speak", "text": t}).to_string();
        s.handle_text(&speak(&thousand), t0);
        s.handle_text(&speak(&thousand), t0 + Duration::from_secs(10));
        // 400 more fit exactly (2400); characters, not bytes.
        s.handle_text(&speak(&"é".repeat(400)), t0 + Duration::from_secs(20));
        assert!(texts(&mut s).is_empty());
        assert!(!s.is_finished());
        // The window rolls: at 60 s the first 1000 leave it, so 1000 more fit.
        s.handle_text(&speak(&thousand), t0 + Duration::from_secs(60));
        assert!(!s.is_finished());
        // Flushing or clearing does not give characters back.
        s.handle_text(r#"{"type":"Clear"}"#, t0 + Duration::from_secs(61));
        texts(&mut s);
        s.handle_text(&speak("a"), t0 + Duration::from_secs(62));
        assert_eq!(close_of(&mut s), Some((1008, "DATA-0001".into())));
        assert!(s.is_finished());
    }

    #[test]
    fn the_time_limit_closes_1011_net_0003() {
        let mut s = session("");
        texts(&mut s);
        s.handle_time_limit();
        assert_eq!(close_of(&mut s), Some((1011, "NET-0003".into())));
        s.handle_time_limit();
        assert!(s.poll_output().is_none(), "one close only");
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
