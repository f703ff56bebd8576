//! The `/v1/listen` session as a sans-IO state machine (the quinn-proto / rustls shape): the IO layer feeds it
//! socket events, typed server messages and the current time, and drains [`Transmit`]s and [`ListenEvent`]s.
//!
//! Owns the rules of one live transcription connection: audio before open is queued and sent on open, in order;
//! control messages keep their order relative to audio; automatic KeepAlive; backpressure from the socket's
//! `bufferedAmount` with drop-oldest past a cap; the Finalize timeout; CloseStream completion (Metadata + close,
//! or a timeout). It never reads a clock, never touches a socket, never panics on a bad frame.
//!
//! `R` is the IO layer's value for a parsed frame (a JS object in the browser): the session hands it back in the
//! events that come from that frame, so the app receives the server's object unchanged.
//!
//! Driving it: after any call, drain `poll_transmit` (calling `set_socket_buffered` first with the socket's
//! `bufferedAmount`) and `poll_event`; arm a timer for `next_timeout` and call `handle_timeout` when it fires.

use std::collections::VecDeque;

use super::client_message::ClientMessage;
use super::close_reason::{CloseInfo, CloseKind};
use super::configure::ConfigureUpdate;
use super::error::{ProtocolError, SessionError};
use super::lifecycle::Lifecycle;
use super::outbound_queue::{Dropped, Outbound, OutboundQueue};
use super::server_message::{
    ListenMetadata, ListenServerMessage, Results, ServerError, SpeechStarted, UtteranceEnd,
};
use super::timer::TimerTable;
use super::transmit::{SessionState, Transmit};
use super::warning_code;

/// While audio is held for backpressure, how soon to ask the IO layer to look at `bufferedAmount` again
/// (browsers fire no event when the send buffer drains).
pub const BACKPRESSURE_RECHECK_MS: u64 = 50;
/// At most one `audio_dropped` warning per this interval; drops in between are summed into the next one.
pub const DROP_WARNING_INTERVAL_MS: u64 = 1000;

/// How much audio sent since the last final a stream keeps for replay by default: 30 s.
pub const DEFAULT_REPLAY_CAP_MS: u64 = 30_000;

/// Timing and buffering knobs of a [`ListenSession`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenConfig {
    /// Send `KeepAlive` when nothing went out for this long while open (Deepgram closes after ~10 s idle).
    /// 0 = never.
    pub keep_alive_ms: u64,
    /// After `CloseStream` (or `close()`), how long to wait for the server before closing the socket ourselves.
    pub close_timeout_ms: u64,
    /// After a `Finalize` is sent, how long to wait for a `from_finalize` result before a `FinalizeTimeout` event.
    /// 0 = never.
    pub finalize_timeout_ms: u64,
    /// Hold audio while the socket's `bufferedAmount` is above this.
    pub buffer_high_water_bytes: usize,
    /// Drop the oldest held audio once the session holds more than this.
    pub buffer_cap_bytes: usize,
    /// Bytes per second of the audio (from [`ListenOptions::audio_bytes_per_second`]), to report drops in ms.
    ///
    /// [`ListenOptions::audio_bytes_per_second`]: super::ListenOptions::audio_bytes_per_second
    pub audio_bytes_per_second: Option<u32>,
    /// Bytes per sample frame of the audio (from [`ListenOptions::audio_block_align`]): where a stream may cut
    /// it to replay it on a new connection. `None` = no replay of audio already sent.
    ///
    /// [`ListenOptions::audio_block_align`]: super::ListenOptions::audio_block_align
    pub audio_block_align: Option<u32>,
    /// Channels of the audio (each finalized on its own).
    pub audio_channels: u32,
    /// How much audio sent since the server's last final a stream keeps to replay after a drop, ms (0 = none).
    pub replay_cap_ms: u64,
}

impl Default for ListenConfig {
    fn default() -> Self {
        Self {
            keep_alive_ms: 4000,
            close_timeout_ms: 5000,
            finalize_timeout_ms: 3000,
            buffer_high_water_bytes: 256 * 1024,
            buffer_cap_bytes: 4 * 1024 * 1024,
            audio_bytes_per_second: None,
            audio_block_align: None,
            audio_channels: 1,
            replay_cap_ms: DEFAULT_REPLAY_CAP_MS,
        }
    }
}

/// Something the app should hear about. `R` is the parsed frame an event comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenEvent<R> {
    /// The socket opened.
    Open,
    /// A `Results` message.
    Transcript {
        /// What the client reads of it.
        results: Results,
        /// The frame.
        raw: R,
    },
    /// The `Metadata` summary.
    Metadata {
        /// What the client reads of it.
        metadata: ListenMetadata,
        /// The frame.
        raw: R,
    },
    /// An `UtteranceEnd` message.
    UtteranceEnd {
        /// What the client reads of it.
        utterance_end: UtteranceEnd,
        /// The frame.
        raw: R,
    },
    /// A `SpeechStarted` message.
    SpeechStarted {
        /// What the client reads of it.
        speech_started: SpeechStarted,
        /// The frame.
        raw: R,
    },
    /// A text `Error` message from the server (the connection stays open).
    ServerError {
        /// What the client reads of it.
        error: ServerError,
        /// The frame.
        raw: R,
    },
    /// A `ConfigureSuccess`: the oldest unanswered `Configure` took effect.
    ConfigureSuccess {
        /// The frame.
        raw: R,
    },
    /// A `ConfigureFailure`: the oldest unanswered `Configure` was refused.
    ConfigureFailure {
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
    /// A condition the app may want to show or log (codes in [`warning_code`]).
    Warning {
        /// Stable code.
        code: &'static str,
        /// Human-readable detail.
        message: String,
    },
    /// No `from_finalize` result arrived within `finalize_timeout_ms` after a `Finalize` (a note, not an error:
    /// Deepgram sends none when nothing was buffered).
    FinalizeTimeout,
    /// The connection dropped and a new one opens after `delay_ms` (emitted by a
    /// [`ListenStream`](crate::stream::ListenStream), never by a session).
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before the attempt, ms.
        delay_ms: u64,
        /// How the dropped connection closed.
        close: CloseInfo,
    },
    /// A new connection opened after a drop (emitted by a [`ListenStream`](crate::stream::ListenStream)).
    Reconnected {
        /// The attempt that succeeded.
        attempt: u32,
        /// Where the new connection's timestamps (which restart at 0) sit in the stream, seconds; `None` when the
        /// audio's byte rate is unknown (compressed or containerized audio).
        time_offset: Option<f64>,
        /// Audio sent on the dropped connection after its last final, sent again first on this one, ms
        /// (`None` when the byte rate is unknown: nothing already sent is replayed then).
        replayed_ms: Option<f64>,
    },
    /// The connection closed. Always the last event.
    Close(CloseInfo),
}

/// Counters. Invariant: `audio_bytes_accepted = audio_bytes_sent + audio_bytes_dropped + audio_bytes_unsent +
/// audio_bytes_queued` (same for frames).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListenStats {
    /// Audio frames accepted by `send_audio` (empty frames are ignored, not counted).
    pub audio_frames_accepted: u64,
    /// Audio bytes accepted by `send_audio`.
    pub audio_bytes_accepted: u64,
    /// Audio frames handed to the socket.
    pub audio_frames_sent: u64,
    /// Audio bytes handed to the socket.
    pub audio_bytes_sent: u64,
    /// Audio frames dropped because the held audio exceeded `buffer_cap_bytes`.
    pub audio_frames_dropped: u64,
    /// Audio bytes dropped because the held audio exceeded `buffer_cap_bytes`.
    pub audio_bytes_dropped: u64,
    /// Audio frames still queued when the connection closed (see [`ListenSession::take_unsent_audio`]).
    pub audio_frames_unsent: u64,
    /// Audio bytes still queued when the connection closed.
    pub audio_bytes_unsent: u64,
    /// Audio frames queued now.
    pub audio_frames_queued: u64,
    /// Audio bytes queued now.
    pub audio_bytes_queued: u64,
    /// `KeepAlive` messages sent (automatic and explicit).
    pub keep_alives_sent: u64,
    /// Text (control) messages sent, KeepAlives included.
    pub control_messages_sent: u64,
    /// Text frames received.
    pub text_frames_received: u64,
    /// Frames that could not be read.
    pub protocol_errors: u64,
    /// Audio bytes sent again on a new connection after a drop (a stream's count; not in the invariant: the
    /// first sending is uncounted when the connection drops, so each byte is `sent` once).
    pub audio_bytes_replayed: u64,
    /// Audio bytes sent after a final that a drop left unreplayed because they were past the replay cap.
    pub audio_bytes_unreplayed: u64,
}

/// The session's deadlines.
#[derive(Debug, Clone, Copy)]
enum Timer {
    /// Our close frame went out and the socket has not reported its close.
    ForceClose,
    /// CloseStream went out: waiting for the server's Metadata and close.
    CloseWait,
    /// A Finalize went out: waiting for a `from_finalize` result.
    Finalize,
    /// Nothing went out for `keep_alive_ms`.
    KeepAlive,
    /// Audio is held: look at the socket's send buffer again.
    BackpressureRecheck,
    /// Drops were summed since the last warning: report them.
    DropReport,
}

const TIMERS: usize = 6;

impl From<Timer> for usize {
    fn from(t: Timer) -> usize {
        t as usize
    }
}

#[derive(Debug, Default)]
struct DropReport {
    frames: u64,
    bytes: u64,
    last_warning_at: Option<u64>,
}

/// The `/v1/listen` connection state machine.
#[derive(Debug)]
pub struct ListenSession<R> {
    config: ListenConfig,
    lifecycle: Lifecycle,
    close_to_transmit: Option<(u16, String)>,
    queue: OutboundQueue,
    first_audio_seen: bool,
    unsent: Vec<Vec<u8>>,
    events: VecDeque<ListenEvent<R>>,
    socket_buffered: usize,
    holding: bool,
    keep_alive_queued: bool,
    timers: TimerTable<Timer, TIMERS>,
    metadata: Option<(ListenMetadata, R)>,
    drops: DropReport,
    stats: ListenStats,
}

impl<R: Clone> ListenSession<R> {
    /// A session in state `Connecting`.
    pub fn new(config: ListenConfig) -> Self {
        Self {
            config,
            lifecycle: Lifecycle::new(),
            close_to_transmit: None,
            queue: OutboundQueue::default(),
            first_audio_seen: false,
            unsent: Vec::new(),
            events: VecDeque::new(),
            socket_buffered: 0,
            holding: false,
            keep_alive_queued: false,
            timers: TimerTable::default(),
            metadata: None,
            drops: DropReport::default(),
            stats: ListenStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ListenConfig {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> SessionState {
        self.lifecycle.public()
    }

    /// Whether the socket opened (now or before it closed).
    pub fn opened(&self) -> bool {
        self.lifecycle.opened()
    }

    /// The `Metadata` summary and its frame, once received.
    pub fn metadata(&self) -> Option<&(ListenMetadata, R)> {
        self.metadata.as_ref()
    }

    /// Counters (see [`ListenStats`] for the invariant).
    pub fn stats(&self) -> ListenStats {
        ListenStats {
            audio_frames_queued: self.queue.audio_frames() as u64,
            audio_bytes_queued: self.queue.audio_bytes() as u64,
            ..self.stats
        }
    }

    /// Audio that was queued but never sent when the connection closed, in order (for replay on a new
    /// connection). Empties the store; the `unsent` counters keep their totals.
    pub fn take_unsent_audio(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.unsent)
    }

    // ---- socket events -------------------------------------------------------------------------------------

    /// The socket opened: queued audio and messages can go.
    pub fn handle_open(&mut self, now: u64) {
        if self.lifecycle.move_to_open() {
            self.events.push_back(ListenEvent::Open);
        }
        self.arm_keep_alive(now);
    }

    /// A server text message arrived (`raw` is the parsed frame it was read from).
    pub fn handle_message(&mut self, message: ListenServerMessage, raw: R, now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        self.stats.text_frames_received += 1;
        let event = match message {
            ListenServerMessage::Results(results) => {
                if results.from_finalize {
                    self.timers.stop(Timer::Finalize);
                }
                ListenEvent::Transcript { results, raw }
            }
            ListenServerMessage::Metadata(metadata) => {
                // Metadata comes right before the server's close: give the close a fresh grace period.
                if self.timers.is_set(Timer::CloseWait) {
                    self.timers.set(
                        Timer::CloseWait,
                        now.saturating_add(self.config.close_timeout_ms),
                    );
                }
                self.metadata = Some((metadata.clone(), raw.clone()));
                ListenEvent::Metadata { metadata, raw }
            }
            ListenServerMessage::UtteranceEnd(utterance_end) => {
                ListenEvent::UtteranceEnd { utterance_end, raw }
            }
            ListenServerMessage::SpeechStarted(speech_started) => ListenEvent::SpeechStarted {
                speech_started,
                raw,
            },
            ListenServerMessage::Error(error) => ListenEvent::ServerError { error, raw },
            ListenServerMessage::ConfigureSuccess => ListenEvent::ConfigureSuccess { raw },
            ListenServerMessage::ConfigureFailure => ListenEvent::ConfigureFailure { raw },
            ListenServerMessage::Unknown { message_type } => {
                ListenEvent::Unhandled { message_type, raw }
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

    /// A binary frame arrived: `/v1/listen` servers send none, so it is reported and ignored.
    pub fn handle_binary(&mut self, bytes: &[u8], _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        self.protocol_error(ProtocolError::UnexpectedBinary { len: bytes.len() });
    }

    /// The socket closed (the `close` event).
    pub fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, _now: u64) {
        if self.lifecycle.is_closed() {
            return;
        }
        let kind = CloseKind::classify(
            code,
            reason,
            self.lifecycle.opened(),
            self.lifecycle.is_closing(),
        );
        self.finish(CloseInfo {
            code,
            reason: reason.to_owned(),
            was_clean,
            kind,
        });
    }

    /// The socket's current `bufferedAmount`. Call before draining `poll_transmit`.
    pub fn set_socket_buffered(&mut self, buffered_amount: usize) {
        self.socket_buffered = buffered_amount;
        if self.holding && buffered_amount <= self.config.buffer_high_water_bytes / 2 {
            self.holding = false;
            self.timers.stop(Timer::BackpressureRecheck);
            self.warn_backpressure_cleared(buffered_amount);
        }
    }

    // ---- app calls -----------------------------------------------------------------------------------------

    fn check_accepting(&self) -> Result<(), SessionError> {
        self.lifecycle.accepting(SessionError::StreamClosing)
    }

    /// Queues an audio frame (sent in order once open; before open it waits). An empty frame is ignored: Deepgram
    /// reads a zero-length binary frame as end of stream.
    pub fn send_audio(&mut self, bytes: Vec<u8>, now: u64) -> Result<(), SessionError> {
        self.check_accepting()?;
        if bytes.is_empty() {
            return Ok(());
        }
        self.stats.audio_frames_accepted += 1;
        self.stats.audio_bytes_accepted += bytes.len() as u64;
        let pinned = !self.first_audio_seen;
        self.first_audio_seen = true;
        self.queue.push_audio(bytes, pinned);
        let dropped = self.queue.drop_oldest_audio(self.config.buffer_cap_bytes);
        if dropped.frames > 0 {
            self.on_dropped(dropped, now);
        }
        Ok(())
    }

    /// Queues a `KeepAlive` (only meaningful on an open connection).
    pub fn keep_alive(&mut self, _now: u64) -> Result<(), SessionError> {
        self.check_accepting()?;
        if !self.lifecycle.is_open() {
            return Err(SessionError::NotOpen);
        }
        self.queue_keep_alive();
        Ok(())
    }

    /// Queues a `Configure` behind the audio already queued (checked by [`ConfigureUpdate::validate`] first).
    pub fn configure(&mut self, update: ConfigureUpdate, _now: u64) -> Result<(), SessionError> {
        self.check_accepting()?;
        self.queue.push_control(ClientMessage::Configure(update));
        Ok(())
    }

    /// Queues a `Finalize` (for one channel, or all) behind the audio already queued.
    pub fn finalize(&mut self, channel: Option<u32>, _now: u64) -> Result<(), SessionError> {
        self.check_accepting()?;
        self.queue.push_control(ClientMessage::Finalize { channel });
        Ok(())
    }

    /// Queues `CloseStream` behind the audio already queued. The session then stays `Closing` until the server
    /// closes (after its last Results and Metadata), or `close_timeout_ms` passes without Metadata and close.
    pub fn close_stream(&mut self, _now: u64) -> Result<(), SessionError> {
        self.lifecycle.move_to_ending(SessionError::StreamClosing)?;
        self.queue.push_control(ClientMessage::CloseStream);
        self.timers.stop(Timer::KeepAlive);
        Ok(())
    }

    /// Closes the socket now (code 1000), discarding what is still queued (kept for `take_unsent_audio`).
    /// Idempotent.
    pub fn close(&mut self, _now: u64) {
        self.begin_client_close(1000, "");
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
        if self.queue.front_is_audio() && self.socket_buffered > self.config.buffer_high_water_bytes
        {
            if !self.holding {
                self.holding = true;
                self.warn_backpressure();
            }
            self.timers.set(
                Timer::BackpressureRecheck,
                now.saturating_add(BACKPRESSURE_RECHECK_MS),
            );
            return None;
        }
        let transmit = match self.queue.pop()? {
            Outbound::Audio { bytes, .. } => {
                self.stats.audio_frames_sent += 1;
                self.stats.audio_bytes_sent += bytes.len() as u64;
                self.socket_buffered = self.socket_buffered.saturating_add(bytes.len());
                Transmit::Binary(bytes)
            }
            Outbound::Control(message) => {
                self.socket_buffered = self.socket_buffered.saturating_add(message.wire_len());
                self.stats.control_messages_sent += 1;
                match message {
                    ClientMessage::KeepAlive => {
                        self.stats.keep_alives_sent += 1;
                        self.keep_alive_queued = self.queue.has_keep_alive();
                    }
                    ClientMessage::Finalize { .. } if self.config.finalize_timeout_ms > 0 => {
                        self.timers.set(
                            Timer::Finalize,
                            now.saturating_add(self.config.finalize_timeout_ms),
                        );
                    }
                    ClientMessage::CloseStream => {
                        self.timers.set(
                            Timer::CloseWait,
                            now.saturating_add(self.config.close_timeout_ms),
                        );
                    }
                    _ => {}
                }
                Transmit::Message(message)
            }
        };
        self.arm_keep_alive(now);
        Some(transmit)
    }

    /// The next event for the app, if any.
    pub fn poll_event(&mut self) -> Option<ListenEvent<R>> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called (milliseconds, same origin as `now`), if ever.
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
            self.close_stream_timed_out();
        }
        if self.timers.expire(Timer::Finalize, now) {
            self.events.push_back(ListenEvent::FinalizeTimeout);
        }
        if self.timers.expire(Timer::KeepAlive, now) {
            self.queue_keep_alive();
        }
        // Its only job was to have the IO layer look at the send buffer (and drain) again.
        self.timers.expire(Timer::BackpressureRecheck, now);
        if self.timers.expire(Timer::DropReport, now) {
            self.report_drops(now);
        }
    }

    // ---- internals -----------------------------------------------------------------------------------------

    /// Re-arms the KeepAlive timer from `now`, while the connection is open and nothing is ending it.
    fn arm_keep_alive(&mut self, now: u64) {
        if self.lifecycle.is_open() && self.config.keep_alive_ms > 0 && !self.keep_alive_queued {
            self.timers.set(
                Timer::KeepAlive,
                now.saturating_add(self.config.keep_alive_ms),
            );
        }
    }

    fn queue_keep_alive(&mut self) {
        self.queue.push_control(ClientMessage::KeepAlive);
        self.keep_alive_queued = true;
        self.timers.stop(Timer::KeepAlive);
    }

    // The warnings below are rare: out of line and cold, so their message formatting is not inlined into
    // `poll_transmit` / `handle_timeout` and, through them, into every caller of those.

    #[cold]
    #[inline(never)]
    fn warn_backpressure_cleared(&mut self, buffered_amount: usize) {
        self.warn(
            warning_code::BACKPRESSURE_CLEARED,
            format!(
                "the socket's send buffer drained ({buffered_amount} bytes buffered); held audio flows again"
            ),
        );
    }

    #[cold]
    #[inline(never)]
    fn warn_backpressure(&mut self) {
        self.warn(
            warning_code::BACKPRESSURE,
            format!(
                "the socket is sending slower than audio arrives ({} bytes buffered, high-water mark {}): \
                 holding audio in the session queue",
                self.socket_buffered, self.config.buffer_high_water_bytes
            ),
        );
    }

    #[cold]
    #[inline(never)]
    fn close_stream_timed_out(&mut self) {
        self.warn(
            warning_code::CLOSE_TIMEOUT,
            format!(
                "the server did not send Metadata and close within {} ms after CloseStream: closing the socket",
                self.config.close_timeout_ms
            ),
        );
        self.begin_client_close(1000, "CloseStream timed out");
    }

    fn warn(&mut self, code: &'static str, message: String) {
        self.events
            .push_back(ListenEvent::Warning { code, message });
    }

    #[cold]
    #[inline(never)]
    fn protocol_error(&mut self, error: ProtocolError) {
        self.stats.protocol_errors += 1;
        self.events.push_back(ListenEvent::ProtocolError(error));
    }

    fn begin_client_close(&mut self, code: u16, reason: &str) {
        if !self.lifecycle.move_to_closing() {
            return;
        }
        self.close_to_transmit = Some((code, reason.to_owned()));
        self.timers.stop_all();
        self.move_queue_to_unsent();
    }

    fn move_queue_to_unsent(&mut self) {
        // The queue's counters are exactly the audio it holds: no need to walk the frames to total them.
        self.stats.audio_frames_unsent += self.queue.audio_frames() as u64;
        self.stats.audio_bytes_unsent += self.queue.audio_bytes() as u64;
        self.queue.move_all_audio(&mut self.unsent);
    }

    fn finish(&mut self, info: CloseInfo) {
        if !self.lifecycle.move_to_closed() {
            return;
        }
        self.move_queue_to_unsent();
        self.close_to_transmit = None;
        self.timers.stop_all();
        self.holding = false;
        if self.drops.frames > 0 {
            self.emit_drop_warning();
        }
        self.events.push_back(ListenEvent::Close(info));
    }

    fn on_dropped(&mut self, dropped: Dropped, now: u64) {
        self.stats.audio_frames_dropped += dropped.frames;
        self.stats.audio_bytes_dropped += dropped.bytes;
        self.drops.frames += dropped.frames;
        self.drops.bytes += dropped.bytes;
        match self.drops.last_warning_at {
            Some(last) if now < last.saturating_add(DROP_WARNING_INTERVAL_MS) => {
                if !self.timers.is_set(Timer::DropReport) {
                    self.timers.set(
                        Timer::DropReport,
                        last.saturating_add(DROP_WARNING_INTERVAL_MS),
                    );
                }
            }
            _ => self.report_drops(now),
        }
    }

    fn report_drops(&mut self, now: u64) {
        self.timers.stop(Timer::DropReport);
        if self.drops.frames > 0 {
            self.emit_drop_warning();
            self.drops.last_warning_at = Some(now);
        }
    }

    #[cold]
    #[inline(never)]
    fn emit_drop_warning(&mut self) {
        let (frames, bytes) = (self.drops.frames, self.drops.bytes);
        self.drops.frames = 0;
        self.drops.bytes = 0;
        let duration = match self.config.audio_bytes_per_second {
            Some(bps) if bps > 0 => format!(
                " (about {} ms)",
                bytes.saturating_mul(1000) / u64::from(bps)
            ),
            _ => String::new(),
        };
        self.warn(
            warning_code::AUDIO_DROPPED,
            format!(
                "dropped {bytes} bytes{duration} of the oldest unsent audio in {frames} frames: the connection cannot \
                 keep up and the session holds at most {} bytes",
                self.config.buffer_cap_bytes
            ),
        );
    }
}

#[cfg(test)]
impl ListenSession<String> {
    /// Feeds a text frame as the browser edge does: parsed as JSON, read as a typed message, the text as `raw`.
    pub(crate) fn handle_text(&mut self, text: &str, now: u64) {
        use super::server_message::test_frames::parse;
        match parse(text).and_then(|v| ListenServerMessage::read(&v)) {
            Ok(message) => self.handle_message(message, text.to_owned(), now),
            Err(e) => self.handle_bad_frame(e, now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Session = ListenSession<String>;

    const RESULTS_FINAL: &str = r#"{"type":"Results","channel_index":[0,1],"duration":1.0,"start":0.0,"is_final":true,"speech_final":true,"from_finalize":false,"channel":{"alternatives":[{"transcript":"hello","confidence":0.9,"words":[{"word":"hello","start":0.1,"end":0.5,"confidence":0.9}]}]},"metadata":{"request_id":"r1"}}"#;
    const RESULTS_FROM_FINALIZE: &str = r#"{"type":"Results","channel_index":[0,1],"duration":1.0,"start":1.0,"is_final":true,"speech_final":true,"from_finalize":true,"channel":{"alternatives":[{"transcript":"done","words":[]}]}}"#;
    const METADATA: &str = r#"{"type":"Metadata","transaction_key":"deprecated","request_id":"r1","sha256":"incomplete","created":"2026-01-01T00:00:00.000Z","duration":2.5,"channels":1}"#;

    fn drain_transmit(s: &mut Session, now: u64) -> Vec<Transmit> {
        std::iter::from_fn(|| s.poll_transmit(now)).collect()
    }

    fn drain_events(s: &mut Session) -> Vec<ListenEvent<String>> {
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    fn open_session(config: ListenConfig) -> Session {
        let mut s = Session::new(config);
        s.handle_open(0);
        assert_eq!(drain_events(&mut s), vec![ListenEvent::Open]);
        s
    }

    fn text(t: &Transmit) -> String {
        match t {
            Transmit::Message(m) => serde_json::to_string(m).unwrap(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn audio_before_open_is_queued_and_sent_in_order() {
        let mut s = Session::new(ListenConfig::default());
        assert_eq!(s.state(), SessionState::Connecting);
        s.send_audio(vec![1; 4], 0).unwrap();
        s.send_audio(vec![2; 4], 0).unwrap();
        s.finalize(None, 0).unwrap();
        s.send_audio(vec![3; 4], 0).unwrap();
        assert_eq!(s.poll_transmit(0), None, "nothing goes before open");
        s.handle_open(10);
        assert_eq!(s.state(), SessionState::Open);
        assert_eq!(
            drain_transmit(&mut s, 10),
            vec![
                Transmit::Binary(vec![1; 4]),
                Transmit::Binary(vec![2; 4]),
                Transmit::Message(ClientMessage::Finalize { channel: None }),
                Transmit::Binary(vec![3; 4]),
            ]
        );
        let st = s.stats();
        assert_eq!(
            (
                st.audio_frames_sent,
                st.audio_bytes_sent,
                st.audio_bytes_queued
            ),
            (3, 12, 0)
        );
    }

    #[test]
    fn empty_audio_frames_are_never_sent() {
        let mut s = open_session(ListenConfig::default());
        s.send_audio(Vec::new(), 0).unwrap();
        assert_eq!(s.poll_transmit(0), None);
        assert_eq!(s.stats().audio_frames_accepted, 0);
    }

    #[test]
    fn finalize_never_overtakes_held_audio() {
        let config = ListenConfig {
            buffer_high_water_bytes: 100,
            ..Default::default()
        };
        let mut s = open_session(config);
        s.set_socket_buffered(500);
        s.send_audio(vec![1; 10], 0).unwrap();
        s.finalize(Some(1), 0).unwrap();
        assert_eq!(
            s.poll_transmit(0),
            None,
            "audio held, Finalize waits behind it"
        );
        s.set_socket_buffered(0);
        let out = drain_transmit(&mut s, 1);
        assert_eq!(
            out,
            vec![
                Transmit::Binary(vec![1; 10]),
                Transmit::Message(ClientMessage::Finalize { channel: Some(1) })
            ]
        );
    }

    #[test]
    fn keep_alive_timing() {
        let config = ListenConfig {
            keep_alive_ms: 4000,
            ..Default::default()
        };
        let mut s = open_session(config);
        assert_eq!(s.next_timeout(), Some(4000));
        s.handle_timeout(3999);
        assert_eq!(s.poll_transmit(3999), None);
        // Audio at t=3000 pushes the KeepAlive back.
        s.send_audio(vec![0; 2], 3000).unwrap();
        assert!(matches!(s.poll_transmit(3000), Some(Transmit::Binary(_))));
        assert_eq!(s.next_timeout(), Some(7000));
        s.handle_timeout(7000);
        assert_eq!(
            s.next_timeout(),
            None,
            "the queued KeepAlive disarms the timer until sent"
        );
        let t = drain_transmit(&mut s, 7000);
        assert_eq!(t, vec![Transmit::Message(ClientMessage::KeepAlive)]);
        assert_eq!(s.next_timeout(), Some(11000));
        // A second timeout before it is sent does not queue a second KeepAlive.
        s.handle_timeout(11000);
        s.handle_timeout(11001);
        assert_eq!(drain_transmit(&mut s, 11001).len(), 1);
        assert_eq!(s.stats().keep_alives_sent, 2);
    }

    #[test]
    fn keep_alive_disabled_and_not_while_closing() {
        let s = open_session(ListenConfig {
            keep_alive_ms: 0,
            ..Default::default()
        });
        assert_eq!(s.next_timeout(), None);
        let mut s = open_session(ListenConfig::default());
        s.close_stream(0).unwrap();
        drain_transmit(&mut s, 0);
        assert_eq!(
            s.next_timeout(),
            Some(5000),
            "only the close timeout remains"
        );
    }

    #[test]
    fn explicit_keep_alive_and_state_errors() {
        let mut s = Session::new(ListenConfig::default());
        assert_eq!(s.keep_alive(0), Err(SessionError::NotOpen));
        s.handle_open(0);
        s.keep_alive(0).unwrap();
        assert_eq!(
            text(&s.poll_transmit(0).unwrap()),
            r#"{"type":"KeepAlive"}"#
        );
        s.close_stream(0).unwrap();
        assert_eq!(s.send_audio(vec![1], 0), Err(SessionError::StreamClosing));
        assert_eq!(s.finalize(None, 0), Err(SessionError::StreamClosing));
        assert_eq!(s.keep_alive(0), Err(SessionError::StreamClosing));
        assert_eq!(s.close_stream(0), Err(SessionError::StreamClosing));
        s.close(0);
        assert_eq!(s.send_audio(vec![1], 0), Err(SessionError::Closing));
        s.handle_close(1000, "", true, 0);
        assert_eq!(s.send_audio(vec![1], 0), Err(SessionError::Closed));
        assert_eq!(s.state(), SessionState::Closed);
    }

    #[test]
    fn backpressure_warns_once_and_clears_once() {
        let config = ListenConfig {
            buffer_high_water_bytes: 1000,
            ..Default::default()
        };
        let mut s = open_session(config);
        s.set_socket_buffered(2000);
        for i in 0..5 {
            s.send_audio(vec![0; 100], i).unwrap();
            assert_eq!(s.poll_transmit(i), None);
        }
        assert_eq!(s.next_timeout(), Some(4 + BACKPRESSURE_RECHECK_MS));
        let ev = drain_events(&mut s);
        assert_eq!(ev.len(), 1);
        assert!(
            matches!(&ev[0], ListenEvent::Warning { code, .. } if code == &warning_code::BACKPRESSURE)
        );
        s.set_socket_buffered(900);
        assert!(
            drain_events(&mut s).is_empty(),
            "no clear above half the high-water mark"
        );
        s.set_socket_buffered(400);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [ListenEvent::Warning { code, .. }] if code == &warning_code::BACKPRESSURE_CLEARED)
        );
        assert_eq!(drain_transmit(&mut s, 10).len(), 5);
    }

    #[test]
    fn own_sends_count_toward_the_high_water_mark() {
        let config = ListenConfig {
            buffer_high_water_bytes: 250,
            ..Default::default()
        };
        let mut s = open_session(config);
        for _ in 0..10 {
            s.send_audio(vec![0; 100], 0).unwrap();
        }
        // 0 → 100 → 200 → 300 (> 250: hold)
        assert_eq!(drain_transmit(&mut s, 0).len(), 3);
        s.set_socket_buffered(0);
        assert_eq!(drain_transmit(&mut s, 1).len(), 3);
    }

    #[test]
    fn cap_drops_oldest_and_accounts() {
        let config = ListenConfig {
            buffer_high_water_bytes: 0,
            buffer_cap_bytes: 1000,
            audio_bytes_per_second: Some(32000),
            ..Default::default()
        };
        let mut s = open_session(config);
        s.set_socket_buffered(1);
        for i in 0..15u8 {
            s.send_audio(vec![i; 100], 0).unwrap();
        }
        s.finalize(None, 0).unwrap();
        let st = s.stats();
        assert_eq!(st.audio_bytes_accepted, 1500);
        assert_eq!(st.audio_bytes_dropped, 500);
        assert_eq!(st.audio_frames_dropped, 5);
        assert_eq!(st.audio_bytes_queued, 1000);
        assert_eq!(s.poll_transmit(0), None);
        let warnings: Vec<String> = drain_events(&mut s)
            .into_iter()
            .filter_map(|e| match e {
                ListenEvent::Warning { code, message } if code == warning_code::AUDIO_DROPPED => {
                    Some(message)
                }
                _ => None,
            })
            .collect();
        // The first drop is reported at once; the rest within the interval are summed into one later warning.
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("dropped 100 bytes (about 3 ms)"),
            "{}",
            warnings[0]
        );
        assert_eq!(
            s.next_timeout(),
            Some(BACKPRESSURE_RECHECK_MS),
            "held audio asks for a re-check first"
        );
        s.handle_timeout(BACKPRESSURE_RECHECK_MS);
        assert!(drain_events(&mut s).is_empty());
        assert_eq!(s.next_timeout(), Some(DROP_WARNING_INTERVAL_MS));
        s.handle_timeout(DROP_WARNING_INTERVAL_MS);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [ListenEvent::Warning { message, .. }] if message.contains("dropped 400 bytes") && message.contains("4 frames")),
            "{ev:?}"
        );
        // High-water mark 0: each poll sends one frame, then waits for the socket to report it drained.
        let out: Vec<Transmit> = std::iter::from_fn(|| {
            s.set_socket_buffered(0);
            s.poll_transmit(2000)
        })
        .collect();
        // The very first frame (possible container header) survives; the oldest others went.
        assert_eq!(out.first(), Some(&Transmit::Binary(vec![0; 100])));
        assert_eq!(out.get(1), Some(&Transmit::Binary(vec![6; 100])));
        assert_eq!(
            out.last(),
            Some(&Transmit::Message(ClientMessage::Finalize {
                channel: None
            })),
            "control never dropped"
        );
        let st = s.stats();
        assert_eq!(
            st.audio_bytes_sent + st.audio_bytes_dropped,
            st.audio_bytes_accepted
        );
    }

    #[test]
    fn finalize_timeout_and_satisfaction() {
        let mut s = open_session(ListenConfig::default());
        s.finalize(None, 100).unwrap();
        assert_eq!(
            s.next_timeout(),
            Some(4000),
            "keepalive first; finalize timer starts at send"
        );
        drain_transmit(&mut s, 100);
        assert_eq!(s.next_timeout(), Some(3100));
        s.handle_timeout(3100);
        assert_eq!(drain_events(&mut s), vec![ListenEvent::FinalizeTimeout]);
        s.finalize(None, 3200).unwrap();
        drain_transmit(&mut s, 3200);
        s.handle_text(RESULTS_FROM_FINALIZE, 3300);
        s.handle_timeout(6200);
        let ev = drain_events(&mut s);
        assert!(matches!(&ev[0], ListenEvent::Transcript { results: r, .. } if r.from_finalize));
        assert!(!ev.contains(&ListenEvent::FinalizeTimeout));
    }

    #[test]
    fn close_stream_completes_on_metadata_and_close() {
        let mut s = open_session(ListenConfig::default());
        s.send_audio(vec![1; 8], 0).unwrap();
        s.close_stream(0).unwrap();
        assert_eq!(s.state(), SessionState::Closing);
        let out = drain_transmit(&mut s, 0);
        assert_eq!(out.len(), 2);
        assert_eq!(text(&out[1]), r#"{"type":"CloseStream"}"#);
        s.handle_text(RESULTS_FINAL, 500);
        s.handle_text(METADATA, 600);
        assert_eq!(s.metadata().map(|m| m.1.as_str()), Some(METADATA));
        assert_eq!(
            s.next_timeout(),
            Some(5600),
            "Metadata restarts the close grace period"
        );
        s.handle_close(1000, "", true, 650);
        assert_eq!(s.state(), SessionState::Closed);
        let ev = drain_events(&mut s);
        assert!(matches!(ev[0], ListenEvent::Transcript { .. }));
        assert!(matches!(ev[1], ListenEvent::Metadata { .. }));
        assert_eq!(
            ev[2],
            ListenEvent::Close(CloseInfo {
                code: 1000,
                reason: String::new(),
                was_clean: true,
                kind: CloseKind::Normal
            })
        );
        assert_eq!(s.next_timeout(), None);
        assert_eq!(s.poll_transmit(700), None);
    }

    #[test]
    fn close_stream_times_out_then_client_closes() {
        let mut s = open_session(ListenConfig::default());
        s.close_stream(1000).unwrap();
        drain_transmit(&mut s, 1000);
        assert_eq!(s.next_timeout(), Some(6000));
        s.handle_timeout(6000);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[..], [ListenEvent::Warning { code, .. }] if code == &warning_code::CLOSE_TIMEOUT)
        );
        assert_eq!(
            s.poll_transmit(6000),
            Some(Transmit::Close {
                code: 1000,
                reason: "CloseStream timed out".into()
            })
        );
        assert_eq!(s.poll_transmit(6000), None);
        s.handle_close(1000, "", true, 6010);
        assert!(matches!(
            drain_events(&mut s)[..],
            [ListenEvent::Close(CloseInfo {
                kind: CloseKind::Normal,
                ..
            })]
        ));
    }

    #[test]
    fn socket_that_never_reports_close_is_forced_closed() {
        let mut s = open_session(ListenConfig::default());
        s.close(0);
        assert_eq!(s.state(), SessionState::Closing);
        assert_eq!(
            s.poll_transmit(0),
            Some(Transmit::Close {
                code: 1000,
                reason: String::new()
            })
        );
        assert_eq!(s.next_timeout(), Some(5000));
        s.handle_timeout(5000);
        assert_eq!(s.state(), SessionState::Closed);
        assert!(matches!(
            drain_events(&mut s)[..],
            [ListenEvent::Close(CloseInfo {
                kind: CloseKind::Abnormal,
                ..
            })]
        ));
        s.handle_close(1000, "", true, 5001);
        assert!(
            drain_events(&mut s).is_empty(),
            "a late close after Closed is ignored"
        );
    }

    #[test]
    fn close_keeps_unsent_audio_for_replay() {
        let mut s = Session::new(ListenConfig::default());
        s.send_audio(vec![1, 2], 0).unwrap();
        s.send_audio(vec![3], 0).unwrap();
        s.handle_close(1006, "", false, 10);
        assert!(matches!(
            drain_events(&mut s)[..],
            [ListenEvent::Close(CloseInfo {
                kind: CloseKind::HandshakeRefused,
                ..
            })]
        ));
        let st = s.stats();
        assert_eq!(
            (
                st.audio_frames_unsent,
                st.audio_bytes_unsent,
                st.audio_bytes_queued
            ),
            (2, 3, 0)
        );
        assert_eq!(s.take_unsent_audio(), vec![vec![1, 2], vec![3]]);
        assert!(s.take_unsent_audio().is_empty());
    }

    #[test]
    fn close_kinds_from_server() {
        let cases = [
            (1011, "Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001", CloseKind::IdleTimeout),
            (1008, "DATA-0000", CloseKind::DataError),
            (1006, "", CloseKind::Abnormal),
        ];
        for (code, reason, kind) in cases {
            let mut s = open_session(ListenConfig::default());
            s.handle_close(code, reason, false, 2);
            match drain_events(&mut s).pop() {
                Some(ListenEvent::Close(info)) => assert_eq!(info.kind, kind, "{reason}"),
                other => panic!("{other:?}"),
            }
        }
        let mut s = Session::new(ListenConfig::default());
        s.close(0);
        assert!(matches!(s.poll_transmit(0), Some(Transmit::Close { .. })));
        s.handle_open(1);
        assert!(
            drain_events(&mut s).is_empty(),
            "no Open after the app asked to close"
        );
        s.handle_close(1006, "", false, 2);
        assert!(matches!(
            drain_events(&mut s)[..],
            [ListenEvent::Close(CloseInfo {
                kind: CloseKind::Normal,
                ..
            })]
        ));
    }

    #[test]
    fn server_messages_become_events_and_bad_frames_do_not_kill_the_session() {
        let mut s = open_session(ListenConfig::default());
        s.handle_text(RESULTS_FINAL, 1);
        s.handle_text("{not json", 2);
        s.handle_binary(&[1, 2, 3], 3);
        s.handle_text(
            r#"{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.3}"#,
            4,
        );
        s.handle_text(
            r#"{"type":"SpeechStarted","channel":[0,1],"timestamp":1.5}"#,
            5,
        );
        s.handle_text(
            r#"{"type":"Error","variant":"SchemaError","description":"bad"}"#,
            6,
        );
        s.handle_text(r#"{"type":"ConfigureSuccess"}"#, 7);
        s.handle_text(r#"{"type":"ConfigureFailure","request_id":"r"}"#, 8);
        s.handle_text(r#"{"type":"SomethingNew"}"#, 9);
        let ev = drain_events(&mut s);
        assert!(
            matches!(&ev[0], ListenEvent::Transcript { results: r, .. } if r.transcript() == "hello")
        );
        assert!(
            matches!(&ev[1], ListenEvent::ProtocolError(e) if e.to_string().ends_with(": {not json"))
        );
        assert!(
            matches!(&ev[2], ListenEvent::ProtocolError(e) if e.to_string().contains("3 bytes"))
        );
        assert!(matches!(&ev[3], ListenEvent::UtteranceEnd { .. }));
        assert!(matches!(&ev[4], ListenEvent::SpeechStarted { .. }));
        assert!(
            matches!(&ev[5], ListenEvent::ServerError { error: e, .. } if e.variant.as_deref() == Some("SchemaError"))
        );
        assert!(
            matches!(&ev[6], ListenEvent::ConfigureSuccess { raw } if raw == r#"{"type":"ConfigureSuccess"}"#)
        );
        assert!(matches!(&ev[7], ListenEvent::ConfigureFailure { .. }));
        assert!(
            matches!(&ev[8], ListenEvent::Unhandled { message_type: Some(t), .. } if t == "SomethingNew")
        );
        assert_eq!(s.state(), SessionState::Open);
        assert_eq!(s.stats().protocol_errors, 2);
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
            Binary(usize),
            Close(u16),
            Buffered(usize),
            Audio(usize),
            KeepAlive,
            Finalize(Option<u32>),
            CloseStream,
            ClientClose,
            Advance(u64),
            Timeout,
        }

        const TEXTS: &[&str] = &[
            RESULTS_FINAL,
            RESULTS_FROM_FINALIZE,
            METADATA,
            "garbage",
            "[]",
            r#"{"type":"X"}"#,
            "",
        ];

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                Just(Op::Open),
                (0..TEXTS.len()).prop_map(Op::Text),
                crate::protocol::test_frames::arbitrary_frame().prop_map(Op::Frame),
                (0usize..64).prop_map(Op::Binary),
                prop_oneof![Just(1000u16), Just(1006), Just(1008), Just(1011)].prop_map(Op::Close),
                (0usize..3000).prop_map(Op::Buffered),
                (0usize..700).prop_map(Op::Audio),
                Just(Op::KeepAlive),
                proptest::option::of(0u32..3).prop_map(Op::Finalize),
                Just(Op::CloseStream),
                Just(Op::ClientClose),
                (0u64..7000).prop_map(Op::Advance),
                Just(Op::Timeout),
            ]
        }

        fn state_rank(s: SessionState) -> u8 {
            match s {
                SessionState::Connecting | SessionState::Open => 0,
                SessionState::Closing => 1,
                SessionState::Closed => 2,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn arbitrary_sequences_keep_invariants(ops in proptest::collection::vec(op(), 0..80)) {
                let config = ListenConfig { buffer_high_water_bytes: 1000, buffer_cap_bytes: 2000, ..Default::default() };
                let mut s = Session::new(config);
                let mut now = 0u64;
                let mut rank = 0u8;
                let mut close_events = 0;
                for op in ops {
                    match op {
                        Op::Open => s.handle_open(now),
                        Op::Text(i) => s.handle_text(TEXTS[i], now),
                        Op::Frame(text) => s.handle_text(&text, now),
                        Op::Binary(n) => s.handle_binary(&vec![0; n], now),
                        Op::Close(code) => s.handle_close(code, "", code == 1000, now),
                        Op::Buffered(n) => s.set_socket_buffered(n),
                        Op::Audio(n) => { let _ = s.send_audio(vec![1; n], now); }
                        Op::KeepAlive => { let _ = s.keep_alive(now); }
                        Op::Finalize(c) => { let _ = s.finalize(c, now); }
                        Op::CloseStream => { let _ = s.close_stream(now); }
                        Op::ClientClose => s.close(now),
                        Op::Advance(ms) => now += ms,
                        Op::Timeout => {
                            if let Some(t) = s.next_timeout() {
                                now = now.max(t);
                                s.handle_timeout(now);
                            }
                        }
                    }
                    let closed_before = s.state() == SessionState::Closed;
                    while let Some(t) = s.poll_transmit(now) {
                        prop_assert!(!closed_before, "transmit after Closed: {:?}", t);
                        if let Transmit::Binary(b) = &t { prop_assert!(!b.is_empty()); }
                    }
                    while let Some(e) = s.poll_event() {
                        if matches!(e, ListenEvent::Close(_)) { close_events += 1; }
                        prop_assert!(close_events <= 1);
                        if close_events == 1 { prop_assert!(matches!(e, ListenEvent::Close(_)), "event after Close: {:?}", e); }
                    }
                    let new_rank = state_rank(s.state());
                    prop_assert!(new_rank >= rank, "state went back");
                    rank = new_rank;
                    if let Some(t) = s.next_timeout() {
                        // A timer that is already due must make progress when handled (no busy loop).
                        if t <= now {
                            s.handle_timeout(now);
                            while s.poll_transmit(now).is_some() {}
                            while let Some(e) = s.poll_event() {
                                if matches!(e, ListenEvent::Close(_)) { close_events += 1; }
                            }
                            prop_assert!(s.next_timeout().is_none_or(|t2| t2 > now), "timer stuck at {}", now);
                            rank = rank.max(state_rank(s.state()));
                        }
                    }
                    let st = s.stats();
                    prop_assert_eq!(st.audio_bytes_accepted, st.audio_bytes_sent + st.audio_bytes_dropped + st.audio_bytes_unsent + st.audio_bytes_queued);
                    prop_assert_eq!(st.audio_frames_accepted, st.audio_frames_sent + st.audio_frames_dropped + st.audio_frames_unsent + st.audio_frames_queued);
                    if s.state() == SessionState::Closed {
                        prop_assert_eq!(s.poll_transmit(now), None);
                        prop_assert_eq!(st.audio_bytes_queued, 0);
                    }
                }
            }
        }
    }
}
