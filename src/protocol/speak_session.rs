//! The `/v1/speak` session as a sans-IO state machine: text in, `Speak`/`Flush`/`Clear`/`Close` out, binary audio
//! back as sample-aligned [`SpeakEvent::Audio`] chunks.
//!
//! Owns the rules of one live text-to-speech connection: splitting long text, the Flush budget (warn locally
//! before the server's 21st-Flush warning), predicting Flushed/Cleared sequence ids (see `sequence_tracker`), the
//! Clear generation (audio still in flight after `clear()` is discarded until `Cleared` arrives), PCM16 odd-byte
//! carry, and Close completion. It never reads a clock, never touches a socket, and never plays audio.
//!
//! Driving it is the same as [`ListenSession`](super::ListenSession): after any call drain `poll_transmit` and
//! `poll_event`; arm a timer for `next_timeout` and call `handle_timeout`. `R` is the IO layer's parsed frame,
//! handed back in the events that come from it.

use std::collections::VecDeque;

use super::client_message::ClientMessage;
use super::close_reason::{CloseInfo, CloseKind};
use super::error::{ProtocolError, SessionError};
use super::flush_budget::{FlushBudget, FLUSH_LIMIT, FLUSH_WINDOW_MS};
use super::lifecycle::Lifecycle;
use super::options::SpeakEncoding;
use super::pcm_carry::PcmCarry;
use super::rate_window::RateWindow;
use super::sequence_tracker::{AckKind, SequenceTracker};
use super::server_message::{ServerError, SpeakMetadata, SpeakServerMessage};
use super::text_split::{split_for_speak, MAX_SPEAK_CHARS};
use super::timer::TimerTable;
use super::transmit::{SessionState, Transmit};
use super::warning_code;

/// Knobs of a [`SpeakSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakConfig {
    /// After `close()` sends `Close`, how long to wait for the server's close before closing the socket ourselves.
    pub close_timeout_ms: u64,
    /// The output encoding (decides the sample alignment of audio chunks: 2 bytes for linear16, 1 for G.711).
    pub encoding: SpeakEncoding,
    /// Longest text per `Speak` message, in characters.
    pub max_text_chars: usize,
    /// Flushes allowed per window before the local warning.
    pub flush_limit: usize,
    /// The Flush window, ms.
    pub flush_window_ms: u64,
}

impl Default for SpeakConfig {
    fn default() -> Self {
        Self {
            close_timeout_ms: 5000,
            encoding: SpeakEncoding::Linear16,
            max_text_chars: MAX_SPEAK_CHARS,
            flush_limit: FLUSH_LIMIT,
            flush_window_ms: FLUSH_WINDOW_MS,
        }
    }
}

/// Something the app should hear about. `R` is the parsed frame an event comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SpeakEvent<R> {
    /// The socket opened.
    Open,
    /// The server's `Metadata` (sent right after open).
    Metadata {
        /// What the client reads of it.
        metadata: SpeakMetadata,
        /// The frame.
        raw: R,
    },
    /// Audio, aligned to whole samples.
    Audio {
        /// Raw samples in the session's encoding.
        bytes: Vec<u8>,
        /// How many `clear()` calls preceded this audio (lets a player drop stale buffers).
        generation: u32,
    },
    /// `Flushed`: all audio for a Flush has been sent.
    Flushed {
        /// The server's `sequence_id`.
        sequence_id: u32,
        /// What `flush()` returned for the Flush this acknowledges (`None` if no Flush was pending). Equal to
        /// `sequence_id` unless the server counted differently than predicted (a Clear overtook a Flush).
        predicted_sequence_id: Option<u32>,
        /// The acknowledged Flush's unique ticket ([`SpeakSession::last_ticket`] after its `flush()`).
        ticket: Option<u64>,
        /// The frame.
        raw: R,
    },
    /// `Cleared`: the server dropped its buffers.
    Cleared {
        /// The server's `sequence_id`.
        sequence_id: u32,
        /// What `clear()` returned for the Clear this acknowledges (`None` if no Clear was pending).
        predicted_sequence_id: Option<u32>,
        /// The acknowledged Clear's unique ticket.
        ticket: Option<u64>,
        /// Audio bytes that arrived after `clear()` and before this `Cleared`, discarded.
        discarded_bytes: u64,
        /// The frame.
        raw: R,
    },
    /// A warning: local (codes in [`warning_code`]) or from the server (either spelling).
    Warning {
        /// Stable code (`EXCESSIVE_FLUSH` for both the local and the server's flush warning).
        code: String,
        /// Human-readable detail.
        message: String,
        /// The server frame, for server warnings.
        raw: Option<R>,
    },
    /// A text `Error` message from the server.
    ServerError {
        /// What the client reads of it.
        error: ServerError,
        /// The frame.
        raw: R,
    },
    /// A message of a type this version does not know (or without a `type`), passed through.
    Unhandled {
        /// Its `type`, when a string.
        message_type: Option<String>,
        /// The frame.
        raw: R,
    },
    /// A frame that could not be read; the session carries on.
    ProtocolError(ProtocolError),
    /// The connection closed. Always the last event.
    Close(CloseInfo),
}

/// Counters. Invariant: `audio_bytes_received = audio_bytes_delivered + audio_bytes_discarded +
/// carry_bytes_dropped + audio_bytes_carried`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpeakStats {
    /// `Speak` messages sent (after splitting).
    pub speak_messages_sent: u64,
    /// `Flush` messages sent.
    pub flushes_sent: u64,
    /// `Clear` messages sent.
    pub clears_sent: u64,
    /// Local `EXCESSIVE_FLUSH` warnings raised.
    pub local_flush_warnings: u64,
    /// Local `EXCESSIVE_CHARACTERS` warnings raised.
    pub local_text_warnings: u64,
    /// Binary frames received.
    pub audio_frames_received: u64,
    /// Audio bytes received.
    pub audio_bytes_received: u64,
    /// Audio bytes delivered in `Audio` events.
    pub audio_bytes_delivered: u64,
    /// Audio bytes discarded because they arrived between `clear()` and `Cleared`.
    pub audio_bytes_discarded: u64,
    /// Dangling partial-sample bytes dropped by a `clear()` or the close.
    pub carry_bytes_dropped: u64,
    /// Partial-sample bytes held now.
    pub audio_bytes_carried: u64,
    /// Text frames received.
    pub text_frames_received: u64,
    /// Frames that could not be read.
    pub protocol_errors: u64,
}

/// The session's deadlines.
#[derive(Debug, Clone, Copy)]
enum Timer {
    /// `Close` went out: waiting for the server to close.
    CloseWait,
    /// Our close frame went out and the socket has not reported its close.
    ForceClose,
}

const TIMERS: usize = 2;

impl From<Timer> for usize {
    fn from(t: Timer) -> usize {
        t as usize
    }
}

/// The `/v1/speak` connection state machine.
#[derive(Debug)]
pub struct SpeakSession<R> {
    config: SpeakConfig,
    lifecycle: Lifecycle,
    close_to_transmit: Option<(u16, String)>,
    queue: VecDeque<ClientMessage>,
    events: VecDeque<SpeakEvent<R>>,
    budget: FlushBudget,
    text_budget: RateWindow,
    /// An `EXCESSIVE_CHARACTERS` warning was raised and the window has not had room since.
    text_warned: bool,
    sequence: SequenceTracker,
    generation: u32,
    discarded_since_ack: u64,
    carry: PcmCarry,
    timers: TimerTable<Timer, TIMERS>,
    stats: SpeakStats,
}

impl<R> SpeakSession<R> {
    /// A session in state `Connecting`.
    pub fn new(config: SpeakConfig) -> Self {
        let carry = PcmCarry::new(config.encoding.bytes_per_sample());
        let budget = FlushBudget::new(config.flush_limit, config.flush_window_ms);
        Self {
            config,
            lifecycle: Lifecycle::new(),
            close_to_transmit: None,
            queue: VecDeque::new(),
            events: VecDeque::new(),
            budget,
            text_budget: RateWindow::text(),
            text_warned: false,
            sequence: SequenceTracker::default(),
            generation: 0,
            discarded_since_ack: 0,
            carry,
            timers: TimerTable::default(),
            stats: SpeakStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SpeakConfig {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> SessionState {
        self.lifecycle.public()
    }

    /// The ticket of the most recent `flush()` or `clear()`: a unique identity that the matching `Flushed` /
    /// `Cleared` event carries (sequence ids can repeat after the server re-counts; tickets never do).
    pub fn last_ticket(&self) -> u64 {
        self.sequence.last_ticket()
    }

    /// The current Clear generation (number of `clear()` calls so far).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Counters (see [`SpeakStats`] for the invariant).
    pub fn stats(&self) -> SpeakStats {
        SpeakStats {
            audio_bytes_carried: self.carry.pending() as u64,
            ..self.stats
        }
    }

    // ---- socket events -------------------------------------------------------------------------------------

    /// The socket opened.
    pub fn handle_open(&mut self, _now: u64) {
        if self.lifecycle.move_to_open() {
            self.events.push_back(SpeakEvent::Open);
        }
    }

    /// A server text message arrived (`raw` is the parsed frame it was read from).
    pub fn handle_message(&mut self, message: SpeakServerMessage, raw: R, _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        self.stats.text_frames_received += 1;
        let event = match message {
            SpeakServerMessage::Metadata(metadata) => SpeakEvent::Metadata { metadata, raw },
            SpeakServerMessage::Flushed(ack) => {
                let matched = self.sequence.acknowledge(AckKind::Flush, ack.sequence_id);
                SpeakEvent::Flushed {
                    sequence_id: ack.sequence_id,
                    predicted_sequence_id: matched.predicted,
                    ticket: matched.ticket,
                    raw,
                }
            }
            SpeakServerMessage::Cleared(ack) => {
                let matched = self.sequence.acknowledge(AckKind::Clear, ack.sequence_id);
                SpeakEvent::Cleared {
                    sequence_id: ack.sequence_id,
                    predicted_sequence_id: matched.predicted,
                    ticket: matched.ticket,
                    discarded_bytes: std::mem::take(&mut self.discarded_since_ack),
                    raw,
                }
            }
            SpeakServerMessage::Warning(w) => {
                let code = w.warning_code().to_owned();
                if code == warning_code::EXCESSIVE_FLUSH {
                    self.sequence.flush_ignored();
                }
                SpeakEvent::Warning {
                    message: w.text().to_owned(),
                    code,
                    raw: Some(raw),
                }
            }
            SpeakServerMessage::Error(error) => SpeakEvent::ServerError { error, raw },
            SpeakServerMessage::Unknown { message_type } => {
                SpeakEvent::Unhandled { message_type, raw }
            }
        };
        self.events.push_back(event);
    }

    /// A text frame that could not be read (not JSON, not an object, or a known type with bad fields).
    pub fn handle_bad_frame(&mut self, error: ProtocolError, _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        self.stats.text_frames_received += 1;
        self.protocol_error(error);
    }

    /// A binary (audio) frame arrived.
    pub fn handle_binary(&mut self, bytes: &[u8], _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        self.stats.audio_frames_received += 1;
        self.stats.audio_bytes_received += bytes.len() as u64;
        if self.sequence.pending_clears() > 0 {
            // Sent by the server before it saw our Clear: stale.
            self.stats.audio_bytes_discarded += bytes.len() as u64;
            self.discarded_since_ack += bytes.len() as u64;
            return;
        }
        let aligned = self.carry.push(bytes);
        if !aligned.is_empty() {
            self.stats.audio_bytes_delivered += aligned.len() as u64;
            self.events.push_back(SpeakEvent::Audio {
                bytes: aligned,
                generation: self.generation,
            });
        }
    }

    /// The socket closed.
    pub fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        let kind = CloseKind::classify_speak(
            code,
            reason,
            self.lifecycle.opened(),
            self.lifecycle.client_initiated(),
        );
        self.finish(CloseInfo {
            code,
            reason: reason.to_owned(),
            was_clean,
            kind,
        });
    }

    // ---- app calls -----------------------------------------------------------------------------------------

    fn check_accepting(&self) -> Result<(), SessionError> {
        self.lifecycle.accepting(SessionError::Closing)
    }

    /// Queues text as one or more `Speak` messages (split at `max_text_chars`, sentence ends preferred). Empty
    /// text sends nothing.
    pub fn speak(&mut self, text: &str, now: u64) -> Result<(), SessionError> {
        self.check_accepting()?;
        if self.text_budget.take(now, text.chars().count()) {
            self.text_warned = false;
        } else if !self.text_warned {
            self.text_warned = true;
            self.warn_excessive_characters(now);
        }
        for piece in split_for_speak(text, self.config.max_text_chars) {
            self.queue.push_back(ClientMessage::Speak {
                text: piece.to_owned(),
            });
        }
        Ok(())
    }

    /// Queues a `Flush` and returns the `sequence_id` its `Flushed` is predicted to carry. Over the Flush budget a
    /// local `EXCESSIVE_FLUSH` warning is raised first; the Flush is still sent (the server decides).
    pub fn flush(&mut self, now: u64) -> Result<u32, SessionError> {
        self.check_accepting()?;
        if !self.budget.try_take(now) {
            self.warn_excessive_flush();
        }
        let id = self.sequence.register(AckKind::Flush);
        self.queue.push_back(ClientMessage::Flush);
        Ok(id)
    }

    /// Queues a `Clear` (barge-in) and returns its predicted `sequence_id`. Starts a new generation: audio
    /// arriving until the matching `Cleared` is discarded, and the partial-sample carry is dropped.
    pub fn clear(&mut self, _now: u64) -> Result<u32, SessionError> {
        self.check_accepting()?;
        self.generation = self.generation.wrapping_add(1);
        self.stats.carry_bytes_dropped += self.carry.reset() as u64;
        let id = self.sequence.register(AckKind::Clear);
        self.queue.push_back(ClientMessage::Clear);
        Ok(id)
    }

    /// Queues `{"type":"Close"}` behind what is already queued; the session completes on the server's close, or
    /// closes the socket itself after `close_timeout_ms`. Idempotent.
    pub fn close(&mut self, _now: u64) {
        if self.lifecycle.move_to_ending(SessionError::Closing).is_ok() {
            self.queue.push_back(ClientMessage::Close);
        }
    }

    // ---- draining ------------------------------------------------------------------------------------------

    /// The next thing to do on the socket, if any.
    pub fn poll_transmit(&mut self, now: u64) -> Option<Transmit> {
        if self.lifecycle.is_closed() {
            return None;
        }
        if let Some((code, reason)) = self.close_to_transmit.take() {
            self.timers.set(
                Timer::ForceClose,
                now.saturating_add(self.config.close_timeout_ms),
            );
            return Some(Transmit::Close { code, reason });
        }
        if !self.lifecycle.can_send() {
            return None;
        }
        let message = self.queue.pop_front()?;
        match message {
            ClientMessage::Speak { .. } => self.stats.speak_messages_sent += 1,
            ClientMessage::Flush => self.stats.flushes_sent += 1,
            ClientMessage::Clear => self.stats.clears_sent += 1,
            ClientMessage::Close => {
                self.timers.set(
                    Timer::CloseWait,
                    now.saturating_add(self.config.close_timeout_ms),
                );
            }
            _ => {}
        }
        Some(Transmit::Message(message))
    }

    /// The next event for the app, if any.
    pub fn poll_event(&mut self) -> Option<SpeakEvent<R>> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called, if ever.
    pub fn next_timeout(&self) -> Option<u64> {
        self.timers.next_timeout()
    }

    /// Runs whatever timers are due at `now`.
    pub fn handle_timeout(&mut self, now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        if self.timers.expire(Timer::ForceClose, now) {
            self.finish(CloseInfo::unreported());
            return;
        }
        if self.timers.expire(Timer::CloseWait, now) {
            self.close_timed_out();
        }
    }

    // ---- internals -----------------------------------------------------------------------------------------

    // The rare paths below are out of line and cold, so their message formatting is not inlined into
    // `handle_message` / `flush` / `handle_timeout` and, through them, into every caller of those.

    #[cold]
    #[inline(never)]
    fn protocol_error(&mut self, error: ProtocolError) {
        self.stats.protocol_errors += 1;
        self.events.push_back(SpeakEvent::ProtocolError(error));
    }

    #[cold]
    #[inline(never)]
    fn warn_excessive_characters(&mut self, now: u64) {
        self.stats.local_text_warnings += 1;
        self.events.push_back(SpeakEvent::Warning {
            code: warning_code::EXCESSIVE_CHARACTERS.to_owned(),
            message: format!(
                "{} characters of text in the last 60 s, over Deepgram's 2,400 a minute: Deepgram will most likely \
                 close the connection (DATA-0001) and the text past the limit will not be spoken (sent anyway; the \
                 server decides). Send text no faster than it is spoken",
                self.text_budget.used(now)
            ),
            raw: None,
        });
    }

    #[cold]
    #[inline(never)]
    fn warn_excessive_flush(&mut self) {
        self.stats.local_flush_warnings += 1;
        self.events.push_back(SpeakEvent::Warning {
            code: warning_code::EXCESSIVE_FLUSH.to_owned(),
            message: format!(
                "more than {} Flush messages in {} s: Deepgram will most likely ignore this Flush and send no \
                 Flushed for it (sent anyway; the server decides). Flush once per response, not per chunk",
                self.config.flush_limit,
                self.config.flush_window_ms / 1000
            ),
            raw: None,
        });
    }

    #[cold]
    #[inline(never)]
    fn close_timed_out(&mut self) {
        self.events.push_back(SpeakEvent::Warning {
            code: warning_code::CLOSE_TIMEOUT.to_owned(),
            message: format!(
                "the server did not close within {} ms after Close: closing the socket",
                self.config.close_timeout_ms
            ),
            raw: None,
        });
        if self.lifecycle.move_to_closing() {
            self.close_to_transmit = Some((1000, "Close timed out".to_owned()));
        }
    }

    fn finish(&mut self, info: CloseInfo) {
        if !self.lifecycle.move_to_closed() {
            return;
        }
        self.stats.carry_bytes_dropped += self.carry.reset() as u64;
        self.queue.clear();
        self.close_to_transmit = None;
        self.timers.stop_all();
        self.events.push_back(SpeakEvent::Close(info));
    }
}

#[cfg(test)]
impl SpeakSession<String> {
    /// Feeds a text frame as the browser edge does: parsed as JSON, read as a typed message, the text as `raw`.
    pub(crate) fn handle_text(&mut self, text: &str, now: u64) {
        use super::server_message::test_frames::parse;
        match parse(text).and_then(|v| SpeakServerMessage::read(&v)) {
            Ok(message) => self.handle_message(message, text.to_owned(), now),
            Err(e) => self.handle_bad_frame(e, now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Session = SpeakSession<String>;

    fn open_session() -> Session {
        let mut s = Session::new(SpeakConfig::default());
        s.handle_open(0);
        assert_eq!(s.poll_event(), Some(SpeakEvent::Open));
        s
    }

    fn drain_transmit(s: &mut Session, now: u64) -> Vec<String> {
        std::iter::from_fn(|| s.poll_transmit(now))
            .map(|t| match t {
                Transmit::Message(m) => serde_json::to_string(&m).unwrap(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn drain_events(s: &mut Session) -> Vec<SpeakEvent<String>> {
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    fn flushed(id: u32) -> String {
        format!(r#"{{"type":"Flushed","sequence_id":{id}}}"#)
    }

    fn cleared(id: u32) -> String {
        format!(r#"{{"type":"Cleared","sequence_id":{id}}}"#)
    }

    const SERVER_FLUSH_WARNING: &str = r#"{"type": "Warning", "warn_code": "EXCESSIVE_FLUSH", "warn_msg": "Rate limit exceeded for flushes. Please try again later."}"#;

    #[test]
    fn text_before_open_is_sent_on_open_in_order() {
        let mut s = Session::new(SpeakConfig::default());
        s.speak("Hello.", 0).unwrap();
        assert_eq!(s.flush(0).unwrap(), 0);
        assert!(s.poll_transmit(0).is_none());
        s.handle_open(5);
        assert_eq!(
            drain_transmit(&mut s, 5),
            vec![r#"{"type":"Speak","text":"Hello."}"#, r#"{"type":"Flush"}"#]
        );
    }

    #[test]
    fn long_text_is_split() {
        let mut s = open_session();
        let text = "Sentence number one is here. ".repeat(100);
        s.speak(&text, 0).unwrap();
        s.speak("", 0).unwrap();
        let sent = drain_transmit(&mut s, 0);
        assert_eq!(sent.len(), 2);
        let joined: String = sent
            .iter()
            .map(|j| {
                serde_json::from_str::<serde_json::Value>(j).unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(joined, text);
        assert_eq!(s.stats().speak_messages_sent, 2);
    }

    #[test]
    fn flush_and_clear_share_one_counter() {
        let mut s = open_session();
        assert_eq!(s.flush(0).unwrap(), 0);
        assert_eq!(s.flush(0).unwrap(), 1);
        assert_eq!(s.clear(0).unwrap(), 2);
        assert_eq!(s.flush(0).unwrap(), 3);
        drain_transmit(&mut s, 0);
        s.handle_text(&flushed(0), 1);
        s.handle_text(&flushed(1), 1);
        s.handle_text(&cleared(2), 1);
        s.handle_text(&flushed(3), 1);
        let ids: Vec<(u32, Option<u32>)> = drain_events(&mut s)
            .into_iter()
            .map(|e| match e {
                SpeakEvent::Flushed {
                    sequence_id,
                    predicted_sequence_id,
                    ..
                }
                | SpeakEvent::Cleared {
                    sequence_id,
                    predicted_sequence_id,
                    ..
                } => (sequence_id, predicted_sequence_id),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            ids,
            vec![(0, Some(0)), (1, Some(1)), (2, Some(2)), (3, Some(3))]
        );
    }

    #[test]
    fn twenty_first_flush_warns_before_sending_then_window_slides() {
        let mut s = open_session();
        for i in 0..20 {
            assert_eq!(s.flush(i * 1000).unwrap(), i as u32);
        }
        assert!(drain_events(&mut s).is_empty());
        drain_transmit(&mut s, 20_000);
        let id = s.flush(30_000).unwrap();
        assert_eq!(
            id, 20,
            "predictions are optimistic until the server says otherwise"
        );
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [SpeakEvent::Warning { code, raw: None, .. }] if code == warning_code::EXCESSIVE_FLUSH),
            "{ev:?}"
        );
        assert_eq!(
            drain_transmit(&mut s, 30_000),
            vec![r#"{"type":"Flush"}"#],
            "still sent"
        );
        // The server ignores it and says so: the next prediction shifts back.
        s.handle_text(SERVER_FLUSH_WARNING, 30_050);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [SpeakEvent::Warning { code, raw: Some(_), .. }] if code == "EXCESSIVE_FLUSH")
        );
        // At t=60_000 the first flush (t=0) leaves the window.
        assert_eq!(s.flush(60_000).unwrap(), 20);
        assert!(drain_events(&mut s).is_empty(), "window slid: no warning");
        assert_eq!(s.stats().local_flush_warnings, 1);
    }

    #[test]
    fn text_over_2400_characters_a_minute_is_warned_once_and_still_sent() {
        let mut s = open_session();
        s.speak(&"a".repeat(2000), 0).unwrap();
        s.speak(&"b".repeat(400), 10_000).unwrap();
        assert!(
            drain_events(&mut s).is_empty(),
            "2,400 is the limit, not over it"
        );
        s.speak("c", 20_000).unwrap();
        s.speak("d", 20_001).unwrap();
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [SpeakEvent::Warning { code, message, raw: None }]
                if code == warning_code::EXCESSIVE_CHARACTERS && message.starts_with("2401 characters")),
            "one warning, not one per chunk: {ev:?}"
        );
        let sent = drain_transmit(&mut s, 20_001);
        assert_eq!(sent.len(), 4, "still sent: {sent:?}");
        // The first 2,000 leave the window at 60 s: room again, and a new excess is warned again.
        s.speak("e", 60_000).unwrap();
        assert!(drain_events(&mut s).is_empty());
        s.speak(&"f".repeat(2000), 60_001).unwrap();
        assert_eq!(drain_events(&mut s).len(), 1);
        assert_eq!(s.stats().local_text_warnings, 2);
    }

    #[test]
    fn acknowledgement_mismatch_reports_both_ids() {
        let mut s = open_session();
        assert_eq!(s.flush(0).unwrap(), 0);
        assert_eq!(s.clear(0).unwrap(), 1);
        assert_eq!(s.flush(0).unwrap(), 2);
        drain_transmit(&mut s, 0);
        // The server discarded the first Flush with the Clear and never acknowledged it.
        s.handle_text(&cleared(0), 1);
        s.handle_text(&flushed(1), 2);
        let ev = drain_events(&mut s);
        assert!(matches!(
            &ev[0],
            SpeakEvent::Cleared {
                sequence_id: 0,
                predicted_sequence_id: Some(1),
                ..
            }
        ));
        // The app's handle (what flush() returned) beside the server's count.
        assert!(matches!(
            &ev[1],
            SpeakEvent::Flushed {
                sequence_id: 1,
                predicted_sequence_id: Some(2),
                ticket: Some(3),
                ..
            }
        ));
        assert_eq!(s.flush(3).unwrap(), 2);
    }

    #[test]
    fn clear_discards_frames_in_flight_until_cleared() {
        let mut s = open_session();
        s.speak("Hello there.", 0).unwrap();
        s.flush(0).unwrap();
        drain_transmit(&mut s, 0);
        s.handle_binary(&[1, 2, 3, 4], 10);
        assert_eq!(
            drain_events(&mut s),
            vec![SpeakEvent::Audio {
                bytes: vec![1, 2, 3, 4],
                generation: 0
            }]
        );
        assert_eq!(s.clear(20).unwrap(), 1);
        drain_transmit(&mut s, 20);
        s.handle_binary(&[5; 100], 25);
        s.handle_binary(&[6; 60], 26);
        assert!(
            drain_events(&mut s).is_empty(),
            "stale audio is not delivered"
        );
        s.handle_text(&cleared(1), 30);
        match drain_events(&mut s).as_slice() {
            [SpeakEvent::Cleared {
                sequence_id: 1,
                discarded_bytes: 160,
                ..
            }] => {}
            other => panic!("{other:?}"),
        }
        s.handle_binary(&[7; 4], 40);
        assert_eq!(
            drain_events(&mut s),
            vec![SpeakEvent::Audio {
                bytes: vec![7; 4],
                generation: 1
            }]
        );
        let st = s.stats();
        assert_eq!(st.audio_bytes_discarded, 160);
        assert_eq!(st.audio_bytes_delivered, 8);
        assert_eq!(st.clears_sent, 1);
    }

    #[test]
    fn odd_byte_is_carried_and_dropped_on_clear() {
        let mut s = open_session();
        s.handle_binary(&[1, 2, 3], 0);
        s.handle_binary(&[4], 1);
        s.handle_binary(&[5], 2);
        let ev = drain_events(&mut s);
        assert_eq!(
            ev,
            vec![
                SpeakEvent::Audio {
                    bytes: vec![1, 2],
                    generation: 0
                },
                SpeakEvent::Audio {
                    bytes: vec![3, 4],
                    generation: 0
                }
            ]
        );
        assert_eq!(s.stats().audio_bytes_carried, 1);
        s.clear(3).unwrap();
        drain_transmit(&mut s, 3);
        s.handle_text(&cleared(0), 4);
        s.handle_binary(&[6, 7], 5);
        let ev = drain_events(&mut s);
        assert_eq!(
            ev.last(),
            Some(&SpeakEvent::Audio {
                bytes: vec![6, 7],
                generation: 1
            })
        );
        assert_eq!(s.stats().carry_bytes_dropped, 1);
    }

    #[test]
    fn g711_has_no_carry() {
        let mut s = Session::new(SpeakConfig {
            encoding: SpeakEncoding::Mulaw,
            ..Default::default()
        });
        s.handle_open(0);
        s.handle_binary(&[1, 2, 3], 1);
        let ev = drain_events(&mut s);
        assert_eq!(
            ev.last(),
            Some(&SpeakEvent::Audio {
                bytes: vec![1, 2, 3],
                generation: 0
            })
        );
    }

    #[test]
    fn close_completes_on_server_close() {
        let mut s = open_session();
        s.speak("Bye.", 0).unwrap();
        s.close(0);
        assert_eq!(s.state(), SessionState::Closing);
        assert_eq!(s.speak("more", 0), Err(SessionError::Closing));
        assert_eq!(s.flush(0), Err(SessionError::Closing));
        assert_eq!(
            drain_transmit(&mut s, 0),
            vec![r#"{"type":"Speak","text":"Bye."}"#, r#"{"type":"Close"}"#]
        );
        assert_eq!(s.next_timeout(), Some(5000));
        s.handle_close(1000, "", true, 100);
        assert_eq!(s.state(), SessionState::Closed);
        assert!(matches!(
            drain_events(&mut s)[..],
            [SpeakEvent::Close(CloseInfo {
                kind: CloseKind::Normal,
                ..
            })]
        ));
        assert_eq!(s.clear(200), Err(SessionError::Closed));
        assert_eq!(s.next_timeout(), None);
    }

    #[test]
    fn close_times_out_then_socket_close_then_forced() {
        let mut s = open_session();
        s.close(0);
        drain_transmit(&mut s, 0);
        s.handle_timeout(5000);
        assert!(
            matches!(&drain_events(&mut s)[..], [SpeakEvent::Warning { code, .. }] if code == warning_code::CLOSE_TIMEOUT)
        );
        assert_eq!(
            s.poll_transmit(5000),
            Some(Transmit::Close {
                code: 1000,
                reason: "Close timed out".into()
            })
        );
        assert_eq!(s.next_timeout(), Some(10_000));
        s.handle_timeout(10_000);
        assert!(matches!(
            drain_events(&mut s)[..],
            [SpeakEvent::Close(CloseInfo {
                kind: CloseKind::Abnormal,
                ..
            })]
        ));
        assert_eq!(s.poll_transmit(10_001), None);
    }

    #[test]
    fn server_messages_and_bad_frames() {
        let mut s = open_session();
        let meta = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/speak/metadata_gosdk_unittest_live_aura_asteria.json"
        ))
        .unwrap();
        s.handle_text(&meta, 0);
        s.handle_text("nope", 1);
        s.handle_text(
            r#"{"type":"Warning","description":"slow down","code":"SOMETHING"}"#,
            2,
        );
        s.handle_text(r#"{"type":"Error","description":"bad"}"#, 3);
        s.handle_text(r#"{"type":"NewThing","x":1}"#, 4);
        s.handle_text(&flushed(9), 5);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[0], SpeakEvent::Metadata { raw, .. } if raw.contains("aura-asteria-en"))
        );
        assert!(
            matches!(&ev[1], SpeakEvent::ProtocolError(e) if e.to_string().ends_with(": nope"))
        );
        assert!(
            matches!(&ev[2], SpeakEvent::Warning { code, message, .. } if code == "SOMETHING" && message == "slow down")
        );
        assert!(matches!(&ev[3], SpeakEvent::ServerError { .. }));
        assert!(
            matches!(&ev[4], SpeakEvent::Unhandled { raw, .. } if raw == r#"{"type":"NewThing","x":1}"#)
        );
        assert!(matches!(
            &ev[5],
            SpeakEvent::Flushed {
                sequence_id: 9,
                predicted_sequence_id: None,
                ..
            }
        ));
        assert_eq!(s.state(), SessionState::Open);
    }

    #[test]
    fn handshake_refused() {
        let mut s = Session::new(SpeakConfig::default());
        s.handle_close(1006, "", false, 1);
        assert!(matches!(
            drain_events(&mut s)[..],
            [SpeakEvent::Close(CloseInfo {
                kind: CloseKind::HandshakeRefused,
                ..
            })]
        ));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        // ---- property test ----------------------------------------------------------------------------------

        #[derive(Debug, Clone)]
        enum Op {
            Open,
            Text(usize),
            Frame(String),
            Ack(bool, u32),
            Binary(usize),
            Close(u16),
            Speak(usize),
            Flush,
            Clear,
            ClientClose,
            Advance(u64),
            Timeout,
        }

        const TEXTS: &[&str] = &[
            SERVER_FLUSH_WARNING,
            r#"{"type":"Metadata","request_id":"r"}"#,
            r#"{"type":"Warning","code":"X","description":"y"}"#,
            "garbage",
            r#"{"type":"Flushed"}"#,
            "",
        ];

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                Just(Op::Open),
                (0..TEXTS.len()).prop_map(Op::Text),
                crate::protocol::test_frames::arbitrary_frame().prop_map(Op::Frame),
                (any::<bool>(), 0u32..6).prop_map(|(f, id)| Op::Ack(f, id)),
                (0usize..9).prop_map(Op::Binary),
                prop_oneof![Just(1000u16), Just(1006), Just(1011)].prop_map(Op::Close),
                (0usize..5000).prop_map(Op::Speak),
                Just(Op::Flush),
                Just(Op::Clear),
                Just(Op::ClientClose),
                (0u64..20_000).prop_map(Op::Advance),
                Just(Op::Timeout),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn arbitrary_sequences_keep_invariants(ops in proptest::collection::vec(op(), 0..80)) {
                let mut s = Session::new(SpeakConfig::default());
                let mut now = 0u64;
                let mut was_closed = false;
                let mut was_closing = false;
                let mut close_events = 0;
                for op in ops {
                    match op {
                        Op::Open => s.handle_open(now),
                        Op::Text(i) => s.handle_text(TEXTS[i], now),
                        Op::Frame(text) => s.handle_text(&text, now),
                        Op::Ack(flush, id) => s.handle_text(&if flush { flushed(id) } else { cleared(id) }, now),
                        Op::Binary(n) => s.handle_binary(&vec![1; n], now),
                        Op::Close(code) => s.handle_close(code, "", code == 1000, now),
                        Op::Speak(n) => { let _ = s.speak(&"word. ".repeat(n / 6 + 1), now); }
                        Op::Flush => { let _ = s.flush(now); }
                        Op::Clear => { let _ = s.clear(now); }
                        Op::ClientClose => s.close(now),
                        Op::Advance(ms) => now += ms,
                        Op::Timeout => {
                            if let Some(t) = s.next_timeout() {
                                now = now.max(t);
                                s.handle_timeout(now);
                            }
                        }
                    }
                    let closed = s.state() == SessionState::Closed;
                    while let Some(t) = s.poll_transmit(now) {
                        prop_assert!(!closed, "transmit after Closed: {:?}", t);
                        if let Transmit::Message(ClientMessage::Speak { text }) = &t {
                            prop_assert!(text.chars().count() <= MAX_SPEAK_CHARS);
                        }
                    }
                    while let Some(e) = s.poll_event() {
                        prop_assert!(close_events == 0, "event after Close: {:?}", e);
                        match e {
                            SpeakEvent::Close(_) => close_events += 1,
                            SpeakEvent::Audio { bytes, generation } => {
                                prop_assert_eq!(bytes.len() % 2, 0);
                                prop_assert!(!bytes.is_empty());
                                prop_assert_eq!(generation, s.generation());
                            }
                            _ => {}
                        }
                    }
                    let state = s.state();
                    prop_assert!(!(was_closed && state != SessionState::Closed), "left Closed");
                    prop_assert!(!(was_closing && matches!(state, SessionState::Open | SessionState::Connecting)), "left Closing");
                    was_closed |= state == SessionState::Closed;
                    was_closing |= state == SessionState::Closing;
                    if let Some(t) = s.next_timeout() {
                        if t <= now {
                            s.handle_timeout(now);
                            while s.poll_transmit(now).is_some() {}
                            while let Some(e) = s.poll_event() { if matches!(e, SpeakEvent::Close(_)) { close_events += 1; } }
                            prop_assert!(s.next_timeout().is_none_or(|t2| t2 > now), "timer stuck");
                            was_closed |= s.state() == SessionState::Closed;
                            was_closing |= s.state() == SessionState::Closing;
                        }
                    }
                    let st = s.stats();
                    prop_assert_eq!(
                        st.audio_bytes_received,
                        st.audio_bytes_delivered + st.audio_bytes_discarded + st.carry_bytes_dropped + st.audio_bytes_carried
                    );
                    if s.state() == SessionState::Closed { prop_assert_eq!(s.poll_transmit(now), None); }
                }
            }
        }
    }
}
