//! A live transcription stream over one or more `/v1/listen` connections: the [`ListenSession`] of the current
//! connection, replaced by a new one when the connection drops (the [`ReconnectPolicy`] decides). The new one
//! first sends again what the dead one had not finished (the [`ReplayBuffer`]: audio since the server's last
//! final, unanswered `Finalize`s), then the audio it never sent and everything captured meanwhile; counters are
//! summed across connections, and the time offset of the new connection's timestamps is the point its audio
//! starts at, the last final of the old one.
//!
//! Sans-IO like the session: the IO layer feeds socket events and drains [`Transmit`]s (a
//! [`Transmit::Connect`] asks it to open a new socket to the same URL) and [`ListenEvent`]s. The app sees one
//! stream: a dropped connection becomes `Reconnecting`, then `Open` and `Reconnected`, not a close.

use std::collections::VecDeque;

use super::ms;
use super::replay::{ReplayBuffer, ReplayFormat, ReplayItem};

use crate::protocol::{
    warning_code, ClientMessage, CloseInfo, ConfigureUpdate, Frame, ListenConfig, ListenEvent,
    ListenMetadata, ListenServerMessage, ListenSession, ListenStats, ProtocolError,
    ReconnectPolicy, SessionError, SessionIo, SessionState, Transmit,
};

/// Counters of the connections before the current one.
#[derive(Debug, Clone, Copy, Default)]
struct Prior {
    frames_sent: u64,
    bytes_sent: u64,
    frames_dropped: u64,
    bytes_dropped: u64,
    keep_alives: u64,
    control_messages: u64,
    text_frames: u64,
    protocol_errors: u64,
    bytes_replayed: u64,
    bytes_unreplayed: u64,
}

/// The stream: one session at a time, and what carries over between them.
#[derive(Debug)]
pub struct ListenStream<R> {
    config: ListenConfig,
    policy: ReconnectPolicy,
    session: ListenSession<R>,
    /// What the current connection sent that its server has not finished with.
    replay: ReplayBuffer,
    /// Attempts since the last successful open.
    failed: u32,
    /// The current connection is a reconnect (its open is reported as `Reconnected` too).
    reconnecting: bool,
    /// When to open the next connection.
    reconnect_at: Option<u64>,
    /// The IO layer is to open a new socket.
    connect: bool,
    /// The app closed the stream (`close()`): a drop from now on is the end, not a reason to reconnect.
    ending: bool,
    /// The app asked for a graceful end (`closeStream()`): a drop before the final Metadata reconnects, replays
    /// and asks again, so the last words still come.
    close_requested: bool,
    /// The replay the current connection started with, ms (for `Reconnected`).
    replayed_ms: Option<f64>,
    prior: Prior,
    frames_accepted: u64,
    bytes_accepted: u64,
    events: VecDeque<ListenEvent<R>>,
}

impl<R: Clone> ListenStream<R> {
    /// A stream whose first connection is being opened by the IO layer.
    pub fn new(config: ListenConfig, policy: ReconnectPolicy) -> Self {
        Self {
            session: ListenSession::new(config.clone()),
            replay: replay_buffer(&config),
            config,
            policy,
            failed: 0,
            reconnecting: false,
            reconnect_at: None,
            connect: false,
            ending: false,
            close_requested: false,
            replayed_ms: None,
            prior: Prior::default(),
            frames_accepted: 0,
            bytes_accepted: 0,
            events: VecDeque::new(),
        }
    }

    /// Whether the stream is between connections (a drop happened; the next one is not open yet).
    pub fn is_reconnecting(&self) -> bool {
        self.reconnecting && !self.session.opened()
    }

    /// The final `Metadata` and its frame, once the current connection received it.
    pub fn metadata(&self) -> Option<&(ListenMetadata, R)> {
        self.session.metadata()
    }

    /// Counters over every connection of the stream. Invariant: `audio_bytes_accepted = audio_bytes_sent +
    /// audio_bytes_dropped + audio_bytes_queued + audio_bytes_unsent` (same for frames): audio a dropped
    /// connection never sent, or sent after its last final, is queued again on the next one and counted once.
    pub fn stats(&self) -> ListenStats {
        let s = self.session.stats();
        let p = self.prior;
        ListenStats {
            audio_frames_accepted: self.frames_accepted,
            audio_bytes_accepted: self.bytes_accepted,
            audio_frames_sent: p.frames_sent + s.audio_frames_sent,
            audio_bytes_sent: p.bytes_sent + s.audio_bytes_sent,
            audio_frames_dropped: p.frames_dropped + s.audio_frames_dropped,
            audio_bytes_dropped: p.bytes_dropped + s.audio_bytes_dropped,
            keep_alives_sent: p.keep_alives + s.keep_alives_sent,
            control_messages_sent: p.control_messages + s.control_messages_sent,
            text_frames_received: p.text_frames + s.text_frames_received,
            protocol_errors: p.protocol_errors + s.protocol_errors,
            audio_bytes_replayed: p.bytes_replayed,
            audio_bytes_unreplayed: p.bytes_unreplayed,
            ..s
        }
    }

    /// Audio bytes the current connection would replay if it dropped now.
    pub fn replay_held_bytes(&self) -> u64 {
        self.replay.held_bytes()
    }

    // ---- app calls -----------------------------------------------------------------------------------------

    /// Queues an audio frame (see [`ListenSession::send_audio`]); while reconnecting it waits for the next
    /// connection.
    pub fn send_audio(&mut self, bytes: Vec<u8>, now: f64) -> Result<(), SessionError> {
        let (frames, len) = (u64::from(!bytes.is_empty()), bytes.len() as u64);
        self.session.send_audio(bytes, ms(now))?;
        self.frames_accepted += frames;
        self.bytes_accepted += len;
        self.absorb(now);
        Ok(())
    }

    /// Queues a `KeepAlive`.
    pub fn keep_alive(&mut self, now: f64) -> Result<(), SessionError> {
        let result = self.session.keep_alive(ms(now));
        self.absorb(now);
        result
    }

    /// Queues a `Configure` (checked by the caller with `ConfigureUpdate::validate`).
    pub fn configure(&mut self, update: ConfigureUpdate, now: f64) -> Result<(), SessionError> {
        let result = self.session.configure(update, ms(now));
        self.absorb(now);
        result
    }

    /// Queues a `Finalize`.
    pub fn finalize(&mut self, channel: Option<u32>, now: f64) -> Result<(), SessionError> {
        let result = self.session.finalize(channel, ms(now));
        self.absorb(now);
        result
    }

    /// Ends the stream gracefully (`CloseStream` after everything queued). While reconnecting it waits for the
    /// next connection, which replays what the dropped one had not finished and then asks for the final
    /// results; a drop before the final `Metadata` does the same again.
    pub fn close_stream(&mut self, now: f64) -> Result<(), SessionError> {
        let result = self.session.close_stream(ms(now));
        if result.is_ok() {
            self.close_requested = true;
        }
        self.absorb(now);
        result
    }

    /// Closes at once (no final results). Idempotent.
    pub fn close(&mut self, now: f64) {
        self.ending = true;
        let between = self.is_reconnecting();
        self.session.close(ms(now));
        if between {
            self.stop_reconnecting();
            self.session.handle_close(1000, "", true, ms(now));
        }
        self.absorb(now);
    }

    /// The socket's current `bufferedAmount`. Call before draining `poll_transmit`.
    pub fn set_socket_buffered(&mut self, buffered_amount: usize) {
        self.session.set_socket_buffered(buffered_amount);
        self.absorb(0.0);
    }

    /// The next event for the app, if any.
    pub fn poll_event(&mut self) -> Option<ListenEvent<R>> {
        self.events.pop_front()
    }

    // ---- internals -----------------------------------------------------------------------------------------

    fn stop_reconnecting(&mut self) {
        self.reconnect_at = None;
        self.connect = false;
    }

    /// Moves the session's events to the stream's, turning a drop into a reconnect.
    fn absorb(&mut self, now: f64) {
        while let Some(event) = self.session.poll_event() {
            match event {
                ListenEvent::Open => {
                    self.events.push_back(ListenEvent::Open);
                    if self.reconnecting {
                        self.events.push_back(ListenEvent::Reconnected {
                            attempt: self.failed,
                            time_offset: self.time_offset(),
                            replayed_ms: self.replayed_ms,
                        });
                    }
                    self.failed = 0;
                }
                ListenEvent::Transcript { results, raw } => {
                    self.replay.results(&results, results.channel_number());
                    self.events
                        .push_back(ListenEvent::Transcript { results, raw });
                }
                ListenEvent::Close(info) => match self.reconnect_delay(&info) {
                    Some(delay) => self.replace_session(info, delay, now),
                    None => self.events.push_back(ListenEvent::Close(info)),
                },
                other => self.events.push_back(other),
            }
        }
    }

    fn reconnect_delay(&self, info: &CloseInfo) -> Option<u64> {
        // After the final Metadata there is nothing left to finish.
        if self.ending || self.session.metadata().is_some() {
            return None;
        }
        self.policy.delay(self.failed, info)
    }

    /// Where the next connection's timestamps (which restart at 0) sit in the stream: the audio the
    /// connections before it finished with, in seconds.
    fn time_offset(&self) -> Option<f64> {
        let bps = self.config.audio_bytes_per_second.filter(|&b| b > 0)?;
        Some(self.prior.bytes_sent as f64 / f64::from(bps))
    }

    /// `bytes` of the stream's audio in ms, when its byte rate is known.
    fn audio_ms(&self, bytes: u64) -> Option<f64> {
        let bps = self.config.audio_bytes_per_second.filter(|&b| b > 0)?;
        Some(bytes as f64 * 1000.0 / f64::from(bps))
    }

    /// The connection dropped: a new session takes what the old one had not finished (the replay), then the
    /// audio it never sent and everything captured from now on (queued until it opens); its socket opens after
    /// `delay`. The replayed bytes are uncounted as sent here and counted again when the new session sends them.
    fn replace_session(&mut self, close: CloseInfo, delay: u64, now: f64) {
        let st = self.session.stats();
        let replay = self.replay.take();
        self.prior.frames_sent += st.audio_frames_sent.saturating_sub(replay.frames);
        self.prior.bytes_sent += st.audio_bytes_sent.saturating_sub(replay.bytes);
        self.prior.frames_dropped += st.audio_frames_dropped;
        self.prior.bytes_dropped += st.audio_bytes_dropped;
        self.prior.keep_alives += st.keep_alives_sent;
        self.prior.control_messages += st.control_messages_sent;
        self.prior.text_frames += st.text_frames_received;
        self.prior.protocol_errors += st.protocol_errors;
        self.prior.bytes_replayed += replay.bytes;
        self.prior.bytes_unreplayed += replay.truncated_bytes;
        self.replayed_ms = self.audio_ms(replay.bytes);
        let unsent = self.session.take_unsent_audio();
        let mut fresh = ListenSession::new(self.config.clone());
        // A fresh session accepts audio and messages; what its cap drops it counts as dropped (and warns).
        for item in replay.items {
            let _ = match item {
                ReplayItem::Audio(bytes) => fresh.send_audio(bytes, ms(now)),
                ReplayItem::Finalize(channel) => fresh.finalize(channel, ms(now)),
            };
        }
        for bytes in unsent {
            let _ = fresh.send_audio(bytes, ms(now));
        }
        if self.close_requested {
            let _ = fresh.close_stream(ms(now));
        }
        self.session = fresh;
        self.replay = replay_buffer(&self.config);
        self.failed += 1;
        self.reconnecting = true;
        self.reconnect_at = Some(ms(now).saturating_add(delay));
        if replay.truncated_bytes > 0 {
            self.warn_unreplayed(replay.truncated_bytes);
        }
        self.events.push_back(ListenEvent::Reconnecting {
            attempt: self.failed,
            delay_ms: delay,
            close,
        });
        // The fresh session may already have events (a drop warning of its cap).
        self.absorb(now);
    }

    #[cold]
    #[inline(never)]
    fn warn_unreplayed(&mut self, bytes: u64) {
        let duration = self
            .audio_ms(bytes)
            .map_or(String::new(), |ms| format!(" (about {ms:.0} ms)"));
        self.events.push_back(ListenEvent::Warning {
            code: warning_code::REPLAY_TRUNCATED,
            message: format!(
                "the connection dropped with {bytes} bytes{duration} of audio sent after the last final result \
                 beyond the replay limit of {} ms (reconnect.replayMs): that audio is not sent again, and its \
                 words may be missing",
                self.config.replay_cap_ms
            ),
        });
    }
}

/// The replay buffer of a new connection of a stream with `config`.
fn replay_buffer(config: &ListenConfig) -> ReplayBuffer {
    let format = match (config.audio_bytes_per_second, config.audio_block_align) {
        (Some(bytes_per_second), Some(block_align)) => Some(ReplayFormat {
            bytes_per_second,
            block_align,
            channels: config.audio_channels,
        }),
        _ => None,
    };
    let cap = format.map_or(0, |f| {
        u64::from(f.bytes_per_second).saturating_mul(config.replay_cap_ms) / 1000
    });
    ReplayBuffer::new(format, cap)
}

impl<R: Clone> SessionIo<R> for ListenStream<R> {
    super::forward_socket_events!(ListenServerMessage);

    fn handle_timeout(&mut self, now: f64) {
        if self.reconnect_at.is_some_and(|at| ms(now) >= at) {
            self.reconnect_at = None;
            self.connect = true;
        }
        self.session.handle_timeout(ms(now));
        self.absorb(now);
    }

    fn poll_transmit(&mut self, now: f64) -> Option<Transmit> {
        if std::mem::take(&mut self.connect) {
            return Some(Transmit::Connect);
        }
        let transmit = self.session.poll_transmit(ms(now));
        match &transmit {
            Some(Transmit::Binary(bytes)) => self.replay.sent_audio(bytes),
            Some(Transmit::Message(ClientMessage::Finalize { channel })) => {
                self.replay.sent_finalize(*channel)
            }
            _ => {}
        }
        self.absorb(now);
        transmit
    }

    fn next_timeout(&self) -> Option<u64> {
        match (self.session.next_timeout(), self.reconnect_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn state(&self) -> SessionState {
        self.session.state()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_frames::parse;
    use crate::protocol::{ClientMessage, CloseKind};

    type Stream = ListenStream<String>;

    const RESULTS: &str = r#"{"type":"Results","channel_index":[0,1],"duration":0.5,"start":0.0,"is_final":true,"channel":{"alternatives":[{"transcript":"one","words":[{"start":0.1,"end":0.4}]}]}}"#;

    fn config() -> ListenConfig {
        ListenConfig {
            // 16 kHz linear16 mono.
            audio_bytes_per_second: Some(32_000),
            audio_block_align: Some(2),
            ..ListenConfig::default()
        }
    }

    /// A final result whose segment ends at `end` seconds.
    fn final_until(end: f64) -> String {
        format!(
            r#"{{"type":"Results","channel_index":[0,1],"duration":{end},"start":0.0,"is_final":true,"channel":{{"alternatives":[{{"transcript":""}}]}}}}"#
        )
    }

    fn text(s: &mut Stream, text: &str, now: f64) {
        match parse(text) {
            Ok(v) => s.handle_text(&v, text.to_owned(), now),
            Err(e) => s.handle_bad_text(e, now),
        }
    }

    fn drain(s: &mut Stream, now: f64) -> Vec<Transmit> {
        std::iter::from_fn(|| s.poll_transmit(now)).collect()
    }

    fn events(s: &mut Stream) -> Vec<ListenEvent<String>> {
        std::iter::from_fn(|| s.poll_event()).collect()
    }

    fn opened() -> Stream {
        let mut s = Stream::new(config(), ReconnectPolicy::default());
        s.handle_open(0.0);
        assert_eq!(events(&mut s), vec![ListenEvent::Open]);
        s
    }

    #[test]
    fn a_drop_replays_from_the_last_final_then_the_unsent_audio() {
        let mut s = opened();
        s.send_audio(vec![1; 16_000], 10.0).unwrap();
        assert_eq!(drain(&mut s, 10.0), vec![Transmit::Binary(vec![1; 16_000])]);
        // The server finished the first 0.25 s; the rest of the frame went to a socket that then died.
        text(&mut s, &final_until(0.25), 15.0);
        assert_eq!(s.replay_held_bytes(), 8000);
        // Held by backpressure when the connection drops: never sent.
        s.set_socket_buffered(usize::MAX);
        s.send_audio(vec![2; 640], 20.0).unwrap();
        assert!(drain(&mut s, 20.0).is_empty());
        s.handle_close(1006, "", false, 30.0);
        let ev = events(&mut s);
        assert!(
            matches!(&ev[..], [ListenEvent::Transcript { .. }, ListenEvent::Warning { code: "backpressure", .. }, ListenEvent::Reconnecting { attempt: 1, delay_ms: 500, close }] if close.kind == CloseKind::Abnormal),
            "{ev:?}"
        );
        assert!(s.is_reconnecting());
        assert_eq!(s.state(), SessionState::Connecting);
        // Captured while reconnecting: queued behind the replay.
        s.send_audio(vec![3; 640], 100.0).unwrap();
        assert_eq!(s.next_timeout(), Some(530));
        assert!(drain(&mut s, 529.0).is_empty());
        s.handle_timeout(530.0);
        assert_eq!(drain(&mut s, 530.0), vec![Transmit::Connect]);
        s.handle_open(600.0);
        assert_eq!(
            events(&mut s),
            vec![
                ListenEvent::Open,
                ListenEvent::Reconnected {
                    attempt: 1,
                    time_offset: Some(0.25),
                    replayed_ms: Some(250.0),
                }
            ]
        );
        s.set_socket_buffered(0);
        assert_eq!(
            drain(&mut s, 600.0),
            vec![
                Transmit::Binary(vec![1; 8000]),
                Transmit::Binary(vec![2; 640]),
                Transmit::Binary(vec![3; 640])
            ]
        );
        let st = s.stats();
        assert_eq!(st.audio_bytes_accepted, 16_000 + 640 + 640);
        assert_eq!(
            st.audio_bytes_sent, st.audio_bytes_accepted,
            "each byte counted sent once"
        );
        assert_eq!(st.audio_frames_sent, 3);
        assert_eq!(
            (st.audio_bytes_replayed, st.audio_bytes_unreplayed),
            (8000, 0)
        );
    }

    #[test]
    fn an_unanswered_finalize_and_close_stream_go_again_after_the_replay() {
        let mut s = opened();
        s.send_audio(vec![1; 640], 0.0).unwrap();
        s.finalize(None, 0.0).unwrap();
        s.close_stream(0.0).unwrap();
        assert_eq!(drain(&mut s, 0.0).len(), 3);
        // The connection drops before the final results and Metadata: the stream is not over.
        s.handle_close(1006, "", false, 10.0);
        assert!(matches!(
            events(&mut s).last(),
            Some(ListenEvent::Reconnecting { .. })
        ));
        s.handle_timeout(510.0);
        assert_eq!(drain(&mut s, 510.0), vec![Transmit::Connect]);
        s.handle_open(520.0);
        assert_eq!(
            drain(&mut s, 520.0),
            vec![
                Transmit::Binary(vec![1; 640]),
                Transmit::Message(ClientMessage::Finalize { channel: None }),
                Transmit::Message(ClientMessage::CloseStream),
            ]
        );
        let meta = r#"{"type":"Metadata","request_id":"r","duration":0.02,"channels":1}"#;
        text(&mut s, meta, 530.0);
        // After the Metadata, even a drop ends the stream.
        s.handle_close(1006, "", false, 540.0);
        let ev = events(&mut s);
        assert!(matches!(ev.last(), Some(ListenEvent::Close(_))), "{ev:?}");
        assert_eq!(s.state(), SessionState::Closed);
    }

    #[test]
    fn a_replay_cap_of_zero_replays_only_unsent_audio() {
        let mut s = Stream::new(
            ListenConfig {
                replay_cap_ms: 0,
                ..config()
            },
            ReconnectPolicy::default(),
        );
        s.handle_open(0.0);
        s.send_audio(vec![1; 640], 0.0).unwrap();
        drain(&mut s, 0.0);
        s.handle_close(1006, "", false, 10.0);
        s.handle_timeout(510.0);
        drain(&mut s, 510.0);
        s.handle_open(520.0);
        assert!(events(&mut s).contains(&ListenEvent::Reconnected {
            attempt: 1,
            time_offset: Some(0.02),
            replayed_ms: Some(0.0),
        }));
        assert!(drain(&mut s, 520.0).is_empty());
    }

    #[test]
    fn attempts_are_limited_and_a_refused_handshake_while_reconnecting_is_retried() {
        let mut s = opened();
        s.handle_close(1006, "", false, 0.0);
        let mut now = 0.0;
        for attempt in 1..=3u32 {
            match events(&mut s).last() {
                Some(ListenEvent::Reconnecting {
                    attempt: a,
                    delay_ms,
                    ..
                }) => {
                    assert_eq!(*a, attempt);
                    assert_eq!(*delay_ms, 500 * u64::from(attempt));
                }
                other => panic!("{other:?}"),
            }
            now += 500.0 * f64::from(attempt);
            s.handle_timeout(now);
            assert_eq!(drain(&mut s, now), vec![Transmit::Connect]);
            // The server is still down: the handshake is refused.
            s.handle_close(1006, "", false, now);
        }
        let ev = events(&mut s);
        assert!(
            matches!(&ev[..], [ListenEvent::Close(c)] if c.kind == CloseKind::HandshakeRefused),
            "{ev:?}"
        );
        assert_eq!(s.state(), SessionState::Closed);
    }

    #[test]
    fn endings_are_not_retried() {
        let mut s = opened();
        s.close(0.0);
        drain(&mut s, 0.0);
        s.handle_close(1006, "", false, 10.0);
        assert!(matches!(&events(&mut s)[..], [ListenEvent::Close(_)]));

        let mut s = opened();
        s.handle_close(1011, "NET-0001", false, 10.0);
        assert!(
            matches!(&events(&mut s)[..], [ListenEvent::Close(c)] if c.kind == CloseKind::IdleTimeout)
        );

        let mut s = Stream::new(config(), ReconnectPolicy::default());
        s.handle_close(1006, "", false, 10.0);
        assert!(
            matches!(&events(&mut s)[..], [ListenEvent::Close(c)] if c.kind == CloseKind::HandshakeRefused),
            "a first handshake that fails is not retried"
        );
    }

    #[test]
    fn close_ends_at_once_while_reconnecting_and_close_stream_waits_for_the_next_connection() {
        let mut s = opened();
        s.handle_close(1006, "", false, 0.0);
        events(&mut s);
        s.close(10.0);
        assert!(
            matches!(&events(&mut s)[..], [ListenEvent::Close(c)] if c.kind == CloseKind::Normal)
        );
        assert_eq!(s.next_timeout(), None);
        assert!(
            drain(&mut s, 5000.0).is_empty(),
            "no socket to open or close"
        );

        let mut s = opened();
        s.handle_close(1006, "", false, 0.0);
        events(&mut s);
        s.close_stream(10.0).unwrap();
        assert!(events(&mut s).is_empty());
        assert_eq!(s.state(), SessionState::Closing);
        s.handle_timeout(500.0);
        assert_eq!(drain(&mut s, 500.0), vec![Transmit::Connect]);
        s.handle_open(510.0);
        assert_eq!(
            drain(&mut s, 510.0),
            vec![Transmit::Message(ClientMessage::CloseStream)]
        );
        s.handle_close(1000, "", true, 520.0);
        assert!(
            matches!(events(&mut s).last(), Some(ListenEvent::Close(c)) if c.kind == CloseKind::Normal)
        );
    }

    #[test]
    fn messages_flow_through_and_metadata_is_kept() {
        let mut s = opened();
        text(&mut s, RESULTS, 1.0);
        text(&mut s, "{oops", 2.0);
        let meta = r#"{"type":"Metadata","request_id":"r","duration":1.5,"channels":1}"#;
        s.close_stream(3.0).unwrap();
        assert_eq!(
            drain(&mut s, 3.0),
            vec![Transmit::Message(ClientMessage::CloseStream)]
        );
        text(&mut s, meta, 4.0);
        s.handle_close(1000, "", true, 5.0);
        let ev = events(&mut s);
        assert!(
            matches!(&ev[0], ListenEvent::Transcript { results, raw } if results.transcript() == "one" && raw == RESULTS)
        );
        assert!(matches!(
            &ev[1],
            ListenEvent::ProtocolError(ProtocolError::MalformedJson { .. })
        ));
        assert!(matches!(&ev[2], ListenEvent::Metadata { raw, .. } if raw == meta));
        assert!(matches!(&ev[3], ListenEvent::Close(c) if c.kind == CloseKind::Normal));
        assert_eq!(s.metadata().map(|m| m.1.as_str()), Some(meta));
        let st = s.stats();
        assert_eq!((st.text_frames_received, st.protocol_errors), (3, 1));
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        #[derive(Debug, Clone)]
        enum Op {
            Open,
            Text(String),
            Close(u16),
            Audio(usize),
            Buffered(usize),
            Advance(u64),
            Timeout,
            CloseStream,
            ClientClose,
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                Just(Op::Open),
                prop_oneof![Just(RESULTS.to_owned()), ".*".prop_map(|s: String| s)]
                    .prop_map(Op::Text),
                prop_oneof![Just(1000u16), Just(1006), Just(1011), Just(1008)].prop_map(Op::Close),
                (1usize..700).prop_map(Op::Audio),
                (0usize..400_000).prop_map(Op::Buffered),
                (0u64..3000).prop_map(Op::Advance),
                Just(Op::Timeout),
                Just(Op::CloseStream),
                Just(Op::ClientClose),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn drops_never_lose_count_of_audio(ops in proptest::collection::vec(op(), 0..120)) {
                let mut s = Stream::new(config(), ReconnectPolicy::default());
                let mut now = 0.0;
                let mut closes = 0;
                for op in ops {
                    match op {
                        Op::Open => s.handle_open(now),
                        Op::Text(t) => text(&mut s, &t, now),
                        Op::Close(code) => s.handle_close(code, "", code == 1000, now),
                        Op::Audio(n) => { let _ = s.send_audio(vec![1; n], now); }
                        Op::Buffered(n) => s.set_socket_buffered(n),
                        Op::Advance(d) => now += d as f64,
                        Op::Timeout => if let Some(t) = s.next_timeout() { now = now.max(t as f64); s.handle_timeout(now); },
                        Op::CloseStream => { let _ = s.close_stream(now); }
                        Op::ClientClose => s.close(now),
                    }
                    while s.poll_transmit(now).is_some() {}
                    while let Some(e) = s.poll_event() {
                        prop_assert!(closes == 0, "event after Close: {:?}", e);
                        if matches!(e, ListenEvent::Close(_)) { closes += 1; }
                    }
                    let st = s.stats();
                    prop_assert_eq!(
                        st.audio_bytes_accepted,
                        st.audio_bytes_sent + st.audio_bytes_dropped + st.audio_bytes_queued + st.audio_bytes_unsent
                    );
                    prop_assert_eq!(
                        st.audio_frames_accepted,
                        st.audio_frames_sent + st.audio_frames_dropped + st.audio_frames_queued + st.audio_frames_unsent
                    );
                }
            }
        }
    }
}
