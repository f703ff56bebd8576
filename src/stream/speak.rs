//! Live text-to-speech over one or more `/v1/speak` connections, played through a [`Playout`]: the
//! [`SpeakSession`] of the current connection, the playback schedule, and the bookkeeping between them.
//!
//! Owns what spans the two: each connection counts Flush/Clear tickets and clear generations from zero, so they
//! are rebased onto the playout's (one playout lives across reconnects); a `Flushed` ends the playout segment of
//! its Flush; a `clear()` is reported once both halves are in, the server's `Cleared` and the worklet's report of
//! what was heard (the [`ClearLedger`]); a connection the server closed is replaced on the next `speak()`.
//! Sans-IO: the IO layer feeds socket events and worklet reports, and drains [`Transmit`]s, [`PlayoutCommand`]s
//! and [`SpeakStreamEvent`]s.

use std::collections::VecDeque;

use super::ms;
use super::surrogates::SurrogateJoin;

use crate::audio::{Playout, PlayoutCommand, PlayoutEvent, WorkletReport};
use crate::protocol::{
    CloseInfo, Frame, ProtocolError, ServerError, SessionError, SessionIo, SessionState,
    SpeakConfig, SpeakEvent, SpeakMetadata, SpeakServerMessage, SpeakSession, SpeakStats, Transmit,
};

/// Warning code: playback ran dry inside a segment (the audio arrives slower than real time).
pub const PLAYBACK_UNDERRUN: &str = "PLAYBACK_UNDERRUN";
/// Warning code: the playback buffer dropped samples (flow control failed; should never happen).
pub const PLAYBACK_OVERFLOW: &str = "PLAYBACK_OVERFLOW";
/// Warning code: audio waits to play but the playback context has not been running for a while (suspended or
/// interrupted by the browser or the system); the Speaker tries `resume()`.
pub const PLAYBACK_STALLED: &str = "PLAYBACK_STALLED";
/// Warning code: the playback context runs again after `PLAYBACK_STALLED`.
pub const PLAYBACK_RESUMED: &str = "PLAYBACK_RESUMED";
/// How long the playback context may be stopped with audio waiting before `PLAYBACK_STALLED`, ms.
pub const PLAYBACK_STALL_MS: u64 = 1000;
/// Warning code: the text before a flush ended in the first half of a surrogate pair whose second half never
/// came (a chunk cut inside an emoji); that half was dropped.
pub const INCOMPLETE_CHARACTER: &str = "INCOMPLETE_CHARACTER";

/// A `clear()` as the app hears of it: the server's `Cleared` with what was heard and dropped here.
#[derive(Debug, Clone, PartialEq)]
pub struct ClearedReport<R> {
    /// The server's `Cleared` frame.
    pub raw: R,
    /// What `clear()` returned (`None` if the server acknowledged a Clear the session did not expect).
    pub predicted_sequence_id: Option<u32>,
    /// The playout generation the clear started.
    pub generation: u32,
    /// The Flush of the segment that was playing, if one was.
    pub interrupted_sequence_id: Option<u32>,
    /// Samples of the interrupted segment that were rendered, its fade included (0 without playback).
    pub played_samples: u64,
    /// Samples dropped: in the worklet's ring, and decoded and encoded backlog on this side.
    pub discarded_samples: u64,
    /// Audio bytes that arrived between `clear()` and the server's `Cleared`, dropped.
    pub discarded_bytes: u64,
    /// Context frame from which the output is silent (`None` without playback).
    pub silent_at_frame: Option<f64>,
}

/// Something the app should hear about. `R` is the parsed frame an event comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum SpeakStreamEvent<R> {
    /// A connection opened.
    Open,
    /// The server's `Metadata`.
    Metadata {
        /// What the client reads of it.
        metadata: SpeakMetadata,
        /// The frame.
        raw: R,
    },
    /// Audio as received (sample-aligned), for apps that play it themselves.
    Audio {
        /// Raw samples in the stream's encoding.
        bytes: Vec<u8>,
        /// The playout generation it belongs to.
        generation: u32,
    },
    /// `Flushed`.
    Flushed {
        /// The frame.
        raw: R,
    },
    /// A clear, both halves in.
    Cleared(ClearedReport<R>),
    /// A warning: the session's (local or the server's), or the playout's ([`PLAYBACK_UNDERRUN`],
    /// [`PLAYBACK_OVERFLOW`]).
    Warning {
        /// Stable code.
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
    /// A message of a type this version does not know, passed through.
    Unhandled {
        /// The frame.
        raw: R,
    },
    /// A frame that could not be read.
    ProtocolError(ProtocolError),
    /// A segment's first sample was rendered.
    PlaybackStart {
        /// What `flush()` returned for its Flush, when it was sent.
        sequence_id: Option<u32>,
        /// From its first audio bytes received to its first sample rendered, ms.
        latency_ms: Option<f64>,
        /// Context frame of its first sample.
        frame: f64,
    },
    /// A segment's last sample was rendered.
    PlaybackEnd {
        /// What `flush()` returned for its Flush.
        sequence_id: Option<u32>,
        /// Samples rendered, at the context rate.
        played_samples: u64,
        /// Context frame just after its last sample.
        frame: f64,
    },
    /// A new connection is being opened because the server closed the last one (`speak()` after the close).
    Reconnecting {
        /// Connections replaced so far, this one included.
        attempt: u32,
    },
    /// The replacement connection opened.
    Reconnected {
        /// As in `Reconnecting`.
        attempt: u32,
    },
    /// A connection closed. After the app's `close()` this is the last event; after a server close, the next
    /// `speak()` opens a new connection.
    Close(CloseInfo),
}

/// A clear waiting for its two halves.
#[derive(Debug, Clone, PartialEq)]
struct PendingClear<R> {
    generation: u32,
    /// The server's frame, the bytes discarded until it came, and what `clear()` returned.
    server: Option<(R, u64, Option<u32>)>,
    /// The interrupted segment's Flush, samples of it played, samples discarded, context frame of silence.
    worklet: Option<(Option<u32>, u64, u64, Option<f64>)>,
}

/// Pairs each `clear()` with the server's `Cleared` and the worklet's report, in order.
#[derive(Debug)]
pub struct ClearLedger<R> {
    pending: VecDeque<PendingClear<R>>,
}

impl<R> Default for ClearLedger<R> {
    fn default() -> Self {
        Self {
            pending: VecDeque::new(),
        }
    }
}

impl<R> ClearLedger<R> {
    /// A `clear()` started `generation`; without playback there is no worklet half to wait for.
    pub fn cleared(&mut self, generation: u32, playback: bool) {
        self.pending.push_back(PendingClear {
            generation,
            server: None,
            worklet: (!playback).then_some((None, 0, 0, None)),
        });
    }

    /// The server's `Cleared` (matched to the oldest clear still without one).
    pub fn server_half(&mut self, raw: R, discarded_bytes: u64, predicted: Option<u32>) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.server.is_none()) {
            p.server = Some((raw, discarded_bytes, predicted));
        }
    }

    /// The worklet's report of the clear that started `generation`.
    pub fn worklet_half(
        &mut self,
        generation: u32,
        interrupted: Option<u32>,
        played: u64,
        discarded: u64,
        frame: f64,
    ) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.generation == generation && p.worklet.is_none())
        {
            p.worklet = Some((
                interrupted,
                played,
                discarded,
                frame.is_finite().then_some(frame),
            ));
        }
    }

    /// The next clear whose halves are both in; with `force` (the connection closed), also one that will get
    /// no worklet report, but never one without the server's `Cleared` (it has no frame to report).
    pub fn next_complete(&mut self, force: bool) -> Option<ClearedReport<R>> {
        loop {
            let front = self.pending.front()?;
            if !force && (front.server.is_none() || front.worklet.is_none()) {
                return None;
            }
            let p = self.pending.pop_front()?;
            let Some((raw, discarded_bytes, predicted)) = p.server else {
                continue;
            };
            let (interrupted, played, discarded, frame) = p.worklet.unwrap_or((None, 0, 0, None));
            return Some(ClearedReport {
                raw,
                predicted_sequence_id: predicted,
                generation: p.generation,
                interrupted_sequence_id: interrupted,
                played_samples: played,
                discarded_samples: discarded,
                discarded_bytes,
                silent_at_frame: frame,
            });
        }
    }
}

/// The stream: the current connection's session, the playout (when playing), and what carries over.
#[derive(Debug)]
pub struct SpeakStream<R> {
    config: SpeakConfig,
    session: SpeakSession<R>,
    playout: Option<Playout>,
    ledger: ClearLedger<R>,
    /// Playout generation when the current connection opened (each connection counts clears from 0).
    generation_base: u32,
    /// Tickets of earlier connections (each counts from 1), so tickets stay unique across reconnects.
    ticket_base: u64,
    /// Connections opened so far.
    connections: u32,
    /// The app called `close()`: no reconnecting.
    app_closed: bool,
    /// Whether `Audio` events are wanted (someone listens to them).
    audio_events: bool,
    clear_started_ms: Option<f64>,
    last_clear_latency_ms: Option<f64>,
    last_first_audio_ms: Option<f64>,
    /// Half a surrogate pair held from the last chunk of text.
    text: SurrogateJoin,
    events: VecDeque<SpeakStreamEvent<R>>,
}

impl<R: Clone> SpeakStream<R> {
    /// A stream whose first connection the IO layer is opening; `playout` is `None` when the app plays the
    /// audio itself (`playback: false`).
    pub fn new(config: SpeakConfig, playout: Option<Playout>) -> Self {
        Self {
            session: SpeakSession::new(config.clone()),
            config,
            playout,
            ledger: ClearLedger::default(),
            generation_base: 0,
            ticket_base: 0,
            connections: 1,
            app_closed: false,
            audio_events: false,
            clear_started_ms: None,
            last_clear_latency_ms: None,
            last_first_audio_ms: None,
            text: SurrogateJoin::default(),
            events: VecDeque::new(),
        }
    }

    /// Whether the last connection is over and the app did not end the stream: the next `speak()` should open a
    /// new one ([`SpeakStream::reconnect`]).
    pub fn needs_connection(&self) -> bool {
        self.session.state() == SessionState::Closed && !self.app_closed
    }

    /// Whether the app ended the stream.
    pub fn app_closed(&self) -> bool {
        self.app_closed
    }

    /// Starts a new connection (the IO layer opens its socket): tickets and generations carry on from the last.
    pub fn reconnect(&mut self) {
        self.ticket_base += self.session.last_ticket();
        self.generation_base = self.playout.as_ref().map_or(0, Playout::generation);
        self.session = SpeakSession::new(self.config.clone());
        self.connections += 1;
        self.events.push_back(SpeakStreamEvent::Reconnecting {
            attempt: self.connections - 1,
        });
    }

    /// Whether `Audio` events are wanted (they copy every chunk).
    pub fn set_audio_events(&mut self, wanted: bool) {
        self.audio_events = wanted;
    }

    /// Whether audio of the current generation is queued or playing.
    pub fn is_playing(&self) -> bool {
        self.playout.as_ref().is_some_and(Playout::is_active)
    }

    /// The session's counters (of the current connection).
    pub fn session_stats(&self) -> SpeakStats {
        self.session.stats()
    }

    /// The playout, when playing.
    pub fn playout(&self) -> Option<&Playout> {
        self.playout.as_ref()
    }

    /// Milliseconds from the last `clear()` to the worklet's report of silence.
    pub fn last_clear_latency_ms(&self) -> Option<f64> {
        self.last_clear_latency_ms
    }

    /// Milliseconds from the last segment's first audio bytes to its first rendered sample.
    pub fn last_first_audio_ms(&self) -> Option<f64> {
        self.last_first_audio_ms
    }

    // ---- app calls -----------------------------------------------------------------------------------------

    /// Queues text (see [`SpeakSession::speak`]).
    pub fn speak(&mut self, text: &str, now: f64) -> Result<(), SessionError> {
        self.speak_chunk(text.to_owned(), None, None, now)
    }

    /// Queues a chunk of JavaScript text: `text` as the browser converted it (lone surrogates as U+FFFD) with its
    /// first and last UTF-16 code units, so that a surrogate pair split between two chunks is joined
    /// ([`SurrogateJoin`]).
    pub fn speak_chunk(
        &mut self,
        text: String,
        first: Option<u16>,
        last: Option<u16>,
        now: f64,
    ) -> Result<(), SessionError> {
        let mut join = self.text.clone();
        let text = join.push(text, first, last);
        let result = self.session.speak(&text, ms(now));
        if result.is_ok() {
            self.text = join;
        }
        self.absorb(now);
        result
    }

    /// Queues a Flush; returns what its `flushed` and `playbackEnd` will carry.
    pub fn flush(&mut self, now: f64) -> Result<u32, SessionError> {
        let id = self.session.flush(ms(now))?;
        if self.text.finish() {
            self.events.push_back(incomplete_character_warning());
        }
        let ticket = self.ticket_base + self.session.last_ticket();
        if let Some(p) = self.playout.as_mut() {
            p.expect_flush(id, ticket);
        }
        self.absorb(now);
        Ok(id)
    }

    /// Barge-in: the server drops its buffers, the playout fades out at once; returns the `cleared` id.
    pub fn clear(&mut self, now: f64) -> Result<u32, SessionError> {
        let id = self.session.clear(ms(now))?;
        self.text.reset();
        let generation = self.playout.as_mut().map_or(0, Playout::clear);
        self.ledger.cleared(generation, self.playout.is_some());
        self.clear_started_ms = Some(now);
        self.absorb(now);
        Ok(id)
    }

    /// Ends the stream: `Close` on the connection; no reconnect after it. Idempotent.
    pub fn close(&mut self, now: f64) {
        self.app_closed = true;
        self.session.close(ms(now));
        self.absorb(now);
    }

    /// A report from the playback worklet.
    pub fn on_report(&mut self, report: WorkletReport, now: f64) {
        if let WorkletReport::Cleared { .. } = report {
            if let Some(t) = self.clear_started_ms.take() {
                self.last_clear_latency_ms = Some((now - t).max(0.0));
            }
        }
        if let Some(p) = self.playout.as_mut() {
            p.on_report(report, now);
        }
        self.absorb(now);
    }

    /// The next command for the playback worklet.
    pub fn poll_command(&mut self) -> Option<PlayoutCommand> {
        self.playout.as_mut()?.poll_command()
    }

    /// The next event for the app.
    pub fn poll_event(&mut self) -> Option<SpeakStreamEvent<R>> {
        self.events.pop_front()
    }

    // ---- internals -----------------------------------------------------------------------------------------

    /// Moves the session's and the playout's events to the stream's.
    fn absorb(&mut self, now: f64) {
        let mut closed = false;
        while let Some(event) = self.session.poll_event() {
            match event {
                SpeakEvent::Open => {
                    self.events.push_back(SpeakStreamEvent::Open);
                    if self.connections > 1 {
                        self.events.push_back(SpeakStreamEvent::Reconnected {
                            attempt: self.connections - 1,
                        });
                    }
                }
                SpeakEvent::Metadata { metadata, raw } => self
                    .events
                    .push_back(SpeakStreamEvent::Metadata { metadata, raw }),
                SpeakEvent::Audio { bytes, generation } => {
                    let generation = self.generation_base.wrapping_add(generation);
                    if self.audio_events {
                        self.events.push_back(SpeakStreamEvent::Audio {
                            bytes: bytes.clone(),
                            generation,
                        });
                    }
                    if let Some(p) = self.playout.as_mut() {
                        if p.generation() == generation {
                            p.push_audio(bytes, now);
                        }
                    }
                }
                SpeakEvent::Flushed {
                    sequence_id,
                    ticket,
                    raw,
                    ..
                } => {
                    let ticket = ticket.map(|t| t + self.ticket_base);
                    if let Some(p) = self.playout.as_mut() {
                        p.end_segment(ticket, sequence_id);
                    }
                    self.events.push_back(SpeakStreamEvent::Flushed { raw });
                }
                SpeakEvent::Cleared {
                    discarded_bytes,
                    predicted_sequence_id,
                    raw,
                    ..
                } => self
                    .ledger
                    .server_half(raw, discarded_bytes, predicted_sequence_id),
                SpeakEvent::Warning { code, message, raw } => self
                    .events
                    .push_back(SpeakStreamEvent::Warning { code, message, raw }),
                SpeakEvent::ServerError { error, raw } => self
                    .events
                    .push_back(SpeakStreamEvent::ServerError { error, raw }),
                SpeakEvent::Unhandled { raw, .. } => {
                    self.events.push_back(SpeakStreamEvent::Unhandled { raw })
                }
                SpeakEvent::ProtocolError(e) => {
                    self.events.push_back(SpeakStreamEvent::ProtocolError(e))
                }
                SpeakEvent::Close(info) => {
                    closed = true;
                    // The server ended the connection (e.g. its idle timeout): what arrived plays out, and the
                    // next speak() opens a new connection into the same playout.
                    if let Some(p) = self.playout.as_mut() {
                        p.connection_lost();
                    }
                    self.settle_clears(true);
                    self.events.push_back(SpeakStreamEvent::Close(info));
                }
            }
        }
        self.absorb_playout();
        if !closed {
            self.settle_clears(false);
        }
    }

    fn absorb_playout(&mut self) {
        let Some(p) = self.playout.as_mut() else {
            return;
        };
        while let Some(event) = p.poll_event() {
            match event {
                PlayoutEvent::Started {
                    sequence_id,
                    latency_ms,
                    frame,
                    ..
                } => {
                    if latency_ms.is_some() {
                        self.last_first_audio_ms = latency_ms;
                    }
                    self.events.push_back(SpeakStreamEvent::PlaybackStart {
                        sequence_id,
                        latency_ms,
                        frame,
                    });
                }
                PlayoutEvent::Ended {
                    sequence_id,
                    played_samples,
                    frame,
                    ..
                } => self.events.push_back(SpeakStreamEvent::PlaybackEnd {
                    sequence_id,
                    played_samples,
                    frame,
                }),
                PlayoutEvent::Cleared {
                    generation,
                    sequence_id,
                    played_samples,
                    discarded_samples,
                    frame,
                } => self.ledger.worklet_half(
                    generation,
                    sequence_id,
                    played_samples,
                    discarded_samples,
                    frame,
                ),
                PlayoutEvent::Underrun { sequence_id, .. } => {
                    self.events.push_back(underrun_warning(sequence_id))
                }
                PlayoutEvent::Overflow { dropped_samples } => {
                    self.events.push_back(overflow_warning(dropped_samples))
                }
            }
        }
    }

    fn settle_clears(&mut self, force: bool) {
        while let Some(report) = self.ledger.next_complete(force) {
            self.events.push_back(SpeakStreamEvent::Cleared(report));
        }
    }
}

#[cold]
#[inline(never)]
fn underrun_warning<R>(sequence_id: Option<u32>) -> SpeakStreamEvent<R> {
    let segment = sequence_id
        .map(|s| format!(" in segment {s}"))
        .unwrap_or_default();
    SpeakStreamEvent::Warning {
        code: PLAYBACK_UNDERRUN.to_owned(),
        message: format!(
            "playback ran out of audio{segment}: the audio arrives slower than real time; it resumes after the \
             pre-roll"
        ),
        raw: None,
    }
}

#[cold]
#[inline(never)]
fn incomplete_character_warning<R>() -> SpeakStreamEvent<R> {
    SpeakStreamEvent::Warning {
        code: INCOMPLETE_CHARACTER.to_owned(),
        message: "the text before flush() ended in the first half of a surrogate pair (a chunk cut inside a \
                  character such as an emoji) and its second half never came: that half was dropped"
            .to_owned(),
        raw: None,
    }
}

#[cold]
#[inline(never)]
fn overflow_warning<R>(dropped_samples: u64) -> SpeakStreamEvent<R> {
    SpeakStreamEvent::Warning {
        code: PLAYBACK_OVERFLOW.to_owned(),
        message: format!("the playback buffer dropped {dropped_samples} samples"),
        raw: None,
    }
}

impl<R: Clone> SessionIo<R> for SpeakStream<R> {
    super::forward_socket_events!(SpeakServerMessage);

    fn handle_timeout(&mut self, now: f64) {
        self.session.handle_timeout(ms(now));
        self.absorb(now);
    }

    fn poll_transmit(&mut self, now: f64) -> Option<Transmit> {
        let transmit = self.session.poll_transmit(ms(now));
        self.absorb(now);
        transmit
    }

    fn next_timeout(&self) -> Option<u64> {
        self.session.next_timeout()
    }

    fn state(&self) -> SessionState {
        self.session.state()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{PlayoutConfig, SampleFormat};
    use crate::protocol::test_frames::parse;
    use crate::protocol::{ClientMessage, CloseKind};

    type Stream = SpeakStream<String>;

    fn playout() -> Playout {
        Playout::new(
            SampleFormat::Linear16,
            24_000,
            48_000,
            PlayoutConfig {
                block_samples: 960,
                ahead_samples: 48_000,
            },
        )
        .unwrap()
    }

    fn stream(playback: bool) -> Stream {
        let mut s = Stream::new(SpeakConfig::default(), playback.then(playout));
        s.handle_open(0.0);
        assert_eq!(events(&mut s), vec![SpeakStreamEvent::Open]);
        s
    }

    fn text(s: &mut Stream, text: &str, now: f64) {
        let v = parse(text).unwrap();
        s.handle_text(&v, text.to_owned(), now);
    }

    fn events(s: &mut Stream) -> Vec<SpeakStreamEvent<String>> {
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    fn sent(s: &mut Stream, now: f64) -> Vec<ClientMessage> {
        std::iter::from_fn(|| s.poll_transmit(now))
            .filter_map(|t| match t {
                Transmit::Message(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    fn commands(s: &mut Stream) -> Vec<PlayoutCommand> {
        std::iter::from_fn(|| s.poll_command()).collect()
    }

    #[test]
    fn a_clear_is_reported_once_both_halves_are_in() {
        let mut s = stream(true);
        s.speak("1 2 3", 0.0).unwrap();
        assert_eq!(s.flush(0.0).unwrap(), 0);
        sent(&mut s, 0.0);
        s.handle_binary(&[0; 9600], 10.0);
        assert!(s.is_playing());
        assert!(commands(&mut s)
            .iter()
            .any(|c| matches!(c, PlayoutCommand::Block { .. })));
        assert_eq!(s.clear(20.0).unwrap(), 1);
        assert!(matches!(
            commands(&mut s)[..],
            [PlayoutCommand::Clear { generation: 1 }]
        ));
        // In flight when the server saw the Clear: discarded.
        s.handle_binary(&[0; 480], 21.0);
        // The server's half first: nothing yet.
        text(&mut s, r#"{"type":"Cleared","sequence_id":0}"#, 30.0);
        assert!(events(&mut s).is_empty());
        // Then the worklet's.
        s.on_report(
            WorkletReport::Cleared {
                generation: 1,
                segment: Some(0),
                played: 4800,
                frame: 5000.0,
                discarded: 12_000,
            },
            33.0,
        );
        match &events(&mut s)[..] {
            [SpeakStreamEvent::Cleared(r)] => {
                assert_eq!(r.raw, r#"{"type":"Cleared","sequence_id":0}"#);
                assert_eq!(r.predicted_sequence_id, Some(1));
                assert_eq!(r.generation, 1);
                assert_eq!(r.interrupted_sequence_id, Some(0));
                assert_eq!(r.played_samples, 4800);
                assert_eq!(r.discarded_bytes, 480);
                assert_eq!(r.silent_at_frame, Some(5000.0));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.last_clear_latency_ms(), Some(13.0));
        assert!(!s.is_playing());
    }

    #[test]
    fn without_playback_the_servers_cleared_is_enough() {
        let mut s = stream(false);
        s.set_audio_events(true);
        s.handle_binary(&[1, 2, 3, 4], 1.0);
        assert_eq!(
            events(&mut s),
            vec![SpeakStreamEvent::Audio {
                bytes: vec![1, 2, 3, 4],
                generation: 0
            }]
        );
        s.clear(2.0).unwrap();
        text(&mut s, r#"{"type":"Cleared","sequence_id":0}"#, 3.0);
        assert!(matches!(
            &events(&mut s)[..],
            [SpeakStreamEvent::Cleared(ClearedReport {
                played_samples: 0,
                silent_at_frame: None,
                ..
            })]
        ));
    }

    #[test]
    fn a_close_reports_clears_still_waiting_for_the_worklet() {
        let mut s = stream(true);
        s.clear(1.0).unwrap();
        text(&mut s, r#"{"type":"Cleared","sequence_id":0}"#, 2.0);
        assert!(events(&mut s).is_empty());
        s.handle_close(1000, "", true, 3.0);
        let ev = events(&mut s);
        assert!(matches!(&ev[0], SpeakStreamEvent::Cleared(_)), "{ev:?}");
        assert!(matches!(&ev[1], SpeakStreamEvent::Close(c) if c.kind == CloseKind::Normal));
    }

    #[test]
    fn a_reconnect_keeps_tickets_and_generations_unique() {
        let mut s = stream(true);
        s.speak("1", 0.0).unwrap();
        s.flush(0.0).unwrap();
        s.clear(0.0).unwrap();
        sent(&mut s, 0.0);
        // The server closes the connection (idle): the next speak() needs a new one.
        s.handle_close(1011, "NET-0001", false, 10.0);
        events(&mut s);
        assert!(s.needs_connection());
        s.reconnect();
        assert_eq!(
            events(&mut s),
            vec![SpeakStreamEvent::Reconnecting { attempt: 1 }]
        );
        s.handle_open(20.0);
        assert_eq!(
            events(&mut s),
            vec![
                SpeakStreamEvent::Open,
                SpeakStreamEvent::Reconnected { attempt: 1 }
            ]
        );
        s.speak("2", 21.0).unwrap();
        // The new connection counts from 0 again...
        assert_eq!(s.flush(21.0).unwrap(), 0);
        sent(&mut s, 21.0);
        // ...and its audio belongs to the playout's current generation (1, after the clear).
        s.handle_binary(&[0; 9600], 30.0);
        let blocks: Vec<u32> = commands(&mut s)
            .into_iter()
            .filter_map(|c| match c {
                PlayoutCommand::Block { generation, .. } => Some(generation),
                _ => None,
            })
            .collect();
        assert!(
            !blocks.is_empty() && blocks.iter().all(|&g| g == 1),
            "{blocks:?}"
        );
        // Its Flushed ends the segment of this connection's Flush (ticket rebased past the first connection's).
        text(&mut s, r#"{"type":"Flushed","sequence_id":0}"#, 40.0);
        assert!(commands(&mut s)
            .iter()
            .any(|c| matches!(c, PlayoutCommand::End { generation: 1, .. })));
        assert!(matches!(
            &events(&mut s)[..],
            [SpeakStreamEvent::Flushed { .. }]
        ));
    }

    /// `text` as the browser hands it over: lossy UTF-8 and its first and last UTF-16 code units.
    fn chunk(s: &mut Stream, units: &[u16]) -> Result<(), SessionError> {
        let (first, last) = (units.first().copied(), units.last().copied());
        s.speak_chunk(String::from_utf16_lossy(units), first, last, 0.0)
    }

    #[test]
    fn a_character_split_between_speak_calls_goes_out_whole() {
        let mut s = stream(false);
        let units: Vec<u16> = "hi 😀!".encode_utf16().collect();
        chunk(&mut s, &units[..4]).unwrap();
        chunk(&mut s, &units[4..]).unwrap();
        s.flush(0.0).unwrap();
        assert_eq!(
            sent(&mut s, 0.0),
            vec![
                ClientMessage::Speak { text: "hi ".into() },
                ClientMessage::Speak {
                    text: "😀!".into()
                },
                ClientMessage::Flush
            ]
        );
        assert!(events(&mut s).is_empty());
    }

    #[test]
    fn half_a_character_at_a_flush_is_dropped_with_a_warning_and_a_clear_forgets_it() {
        let mut s = stream(false);
        chunk(&mut s, &[0x61, 0xD83D]).unwrap();
        s.flush(0.0).unwrap();
        let ev = events(&mut s);
        assert!(
            matches!(&ev[..], [SpeakStreamEvent::Warning { code, .. }] if code == INCOMPLETE_CHARACTER),
            "{ev:?}"
        );
        chunk(&mut s, &[0xD83D]).unwrap();
        s.clear(0.0).unwrap();
        chunk(&mut s, &[0xDE00, 0x62]).unwrap();
        s.flush(0.0).unwrap();
        assert!(events(&mut s).is_empty());
        let texts: Vec<ClientMessage> = sent(&mut s, 0.0)
            .into_iter()
            .filter(|m| matches!(m, ClientMessage::Speak { .. }))
            .collect();
        assert_eq!(
            texts,
            vec![
                ClientMessage::Speak { text: "a".into() },
                ClientMessage::Speak {
                    text: "\u{FFFD}b".into()
                }
            ]
        );
    }

    #[test]
    fn a_refused_chunk_leaves_the_held_half_alone() {
        let mut s = stream(false);
        chunk(&mut s, &[0xD83D]).unwrap();
        s.close(0.0);
        assert!(chunk(&mut s, &[0xDE00]).is_err());
        assert!(s.text.is_holding());
    }

    #[test]
    fn no_reconnect_after_the_apps_close() {
        let mut s = stream(true);
        s.close(0.0);
        assert_eq!(sent(&mut s, 0.0), vec![ClientMessage::Close]);
        s.handle_close(1000, "", true, 5.0);
        assert!(matches!(&events(&mut s)[..], [SpeakStreamEvent::Close(_)]));
        assert!(!s.needs_connection());
        assert!(s.app_closed());
    }

    #[test]
    fn ledger_pairs_in_order_and_skips_clears_the_server_never_acknowledged() {
        let mut l: ClearLedger<&str> = ClearLedger::default();
        l.cleared(1, true);
        l.cleared(2, true);
        l.worklet_half(2, None, 0, 10, 100.0);
        l.server_half("a", 0, Some(1));
        assert_eq!(
            l.next_complete(false),
            None,
            "the first still waits for its worklet half"
        );
        l.worklet_half(1, Some(0), 50, 5, 90.0);
        let r = l.next_complete(false).unwrap();
        assert_eq!((r.raw, r.generation, r.played_samples), ("a", 1, 50));
        assert_eq!(
            l.next_complete(false),
            None,
            "the second has no Cleared yet"
        );
        assert_eq!(
            l.next_complete(true),
            None,
            "forced: dropped, nothing to report it with"
        );
    }
}
