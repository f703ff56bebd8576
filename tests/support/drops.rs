//! Dropped connections against the real stream code: a [`ListenStream`] fed a word stream in real-time
//! frames, talking through a simulated network (latency both ways, everything in flight lost at a drop) to a
//! simulated Deepgram-like recognizer that transcribes what each connection received, with Deepgram's result
//! rules (contiguous segments; interims restate the open segment; a final after `endpointing` of silence or at
//! the last word boundary past the maximum segment; everything flushed on CloseStream, then Metadata and a
//! 1000 close). The connection is dropped at random moments, mid-word and mid-gap.
//!
//! Used by `tests/reconnect.rs` (asserts) and `benches/reconnect.rs` (prints the figures).

use std::collections::VecDeque;

use deepgram_live_wasm::protocol::{
    read_frame, ClientMessage, Frame, ListenConfig, ListenEvent, ReconnectPolicy, SessionIo,
    Transmit,
};
use deepgram_live_wasm::stream::ListenStream;
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Samples per second of the simulated audio (linear16 mono).
pub const RATE: u32 = 16_000;
const BYTES_PER_MS: usize = 32;
const FRAME_MS: usize = 20;
const STEP_MS: f64 = 5.0;
const ENDPOINTING_MS: usize = 100;
const INTERIM_EVERY_MS: usize = 250;
const MAX_SEGMENT_MS: usize = 3000;

/// One simulation's parameters.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Seed of every random choice.
    pub seed: u64,
    /// Words spoken.
    pub words: usize,
    /// Connection drops injected (spread over the audio).
    pub drops: usize,
    /// How much audio sent after the last final the stream keeps (`reconnect.replayMs`).
    pub replay_cap_ms: u64,
}

/// What a simulation measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Words spoken.
    pub spoken: usize,
    /// Distinct words in final results.
    pub heard: usize,
    /// Spoken words no final result has.
    pub lost: usize,
    /// Extra copies of words in final results.
    pub duplicated: usize,
    /// Final words out of spoken order.
    pub out_of_order: usize,
    /// Largest difference between a final word's stream time (its time + the connection's `timeOffset`) and
    /// when it was spoken, ms.
    pub max_time_error_ms: f64,
    /// Drops injected.
    pub drops: usize,
    /// Of those, while a word was being sent.
    pub mid_word_drops: usize,
    /// `reconnected` events.
    pub reconnects: usize,
    /// Audio bytes accepted, sent, dropped, replayed, unreplayed (the stream's counters).
    pub bytes_accepted: u64,
    /// See `bytes_accepted`.
    pub bytes_sent: u64,
    /// See `bytes_accepted`.
    pub bytes_dropped: u64,
    /// See `bytes_accepted`.
    pub bytes_replayed: u64,
    /// See `bytes_accepted`.
    pub bytes_unreplayed: u64,
    /// Audio bytes that reached a recognizer and count (before the next connection's start), and the audio's
    /// length: equal when no byte was lost.
    pub bytes_delivered: u64,
    /// The whole audio, bytes.
    pub bytes_total: u64,
    /// The last connection's Metadata arrived and the stream closed normally.
    pub metadata: bool,
    /// Warnings the stream raised, by code.
    pub warnings: Vec<String>,
}

/// A server frame as the tests read them: a JSON value.
struct Json<'a>(&'a Value);

impl Frame for Json<'_> {
    fn message_type(&self) -> Option<String> {
        self.0
            .get("type")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn read<T: DeserializeOwned>(&self) -> Result<T, String> {
        read_frame(self.0)
    }
}

/// A spoken word: its id (the sample value the audio carries while it sounds) and where it sounds.
#[derive(Debug, Clone, Copy)]
struct Word {
    id: i16,
    start: usize,
    end: usize,
}

/// The recognizer of one connection: every time here is in samples of this connection's audio.
#[derive(Default)]
struct Recognizer {
    pos: usize,
    segment_start: usize,
    segment: Vec<(i16, usize, usize)>,
    sounding: Option<(i16, usize)>,
    last_word_end: Option<usize>,
    since_interim: usize,
    carry: Vec<u8>,
}

fn ms_to_samples(ms: usize) -> usize {
    ms * RATE as usize / 1000
}

fn seconds(samples: usize) -> f64 {
    samples as f64 / f64::from(RATE)
}

impl Recognizer {
    fn results(&self, end: usize, words: &[(i16, usize, usize)], is_final: bool) -> Value {
        let words: Vec<Value> = words
            .iter()
            .map(|&(id, s, e)| json!({"word": id.to_string(), "start": seconds(s), "end": seconds(e)}))
            .collect();
        let transcript: Vec<String> = words
            .iter()
            .filter_map(|w| w["word"].as_str().map(str::to_owned))
            .collect();
        json!({
            "type": "Results", "channel_index": [0, 1], "is_final": is_final,
            "start": seconds(self.segment_start), "duration": seconds(end - self.segment_start),
            "channel": {"alternatives": [{"transcript": transcript.join(" "), "words": words}]},
        })
    }

    fn final_up_to(&mut self, end: usize, out: &mut Vec<Value>) {
        let words: Vec<_> = self.segment.drain(..).collect();
        out.push(self.results(end, &words, true));
        self.segment_start = end;
    }

    fn audio(&mut self, bytes: &[u8], out: &mut Vec<Value>) {
        self.carry.extend_from_slice(bytes);
        let whole = self.carry.len() / 2 * 2;
        let samples: Vec<i16> = self.carry[..whole]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        self.carry.drain(..whole);
        for v in samples {
            match (self.sounding, v) {
                (Some((id, _)), v) if v == id => {}
                (sounding, v) => {
                    if let Some((id, start)) = sounding {
                        self.segment.push((id, start, self.pos));
                        self.last_word_end = Some(self.pos);
                        self.sounding = None;
                    }
                    if v != 0 {
                        self.sounding = Some((v, self.pos));
                    }
                }
            }
            self.pos += 1;
            self.since_interim += 1;
            let silent_for = self.last_word_end.map_or(0, |e| self.pos - e);
            if self.sounding.is_none()
                && !self.segment.is_empty()
                && silent_for >= ms_to_samples(ENDPOINTING_MS)
            {
                self.final_up_to(self.pos, out);
            } else if let (Some(end), false) = (self.last_word_end, self.segment.is_empty()) {
                if self.pos - self.segment_start >= ms_to_samples(MAX_SEGMENT_MS)
                    && end > self.segment_start
                {
                    self.final_up_to(end, out);
                }
            }
            if self.since_interim >= ms_to_samples(INTERIM_EVERY_MS) {
                self.since_interim = 0;
                if self.segment.is_empty() && self.sounding.is_none() {
                    // Silence: the open segment starts now.
                    self.segment_start = self.pos;
                }
                let words = self.segment.clone();
                out.push(self.results(self.pos, &words, false));
            }
        }
    }

    fn close_stream(&mut self, out: &mut Vec<Value>) {
        if let Some((id, start)) = self.sounding.take() {
            self.segment.push((id, start, self.pos));
        }
        self.final_up_to(self.pos, out);
        out.push(json!({"type": "Metadata", "request_id": "sim", "duration": seconds(self.pos), "channels": 1}));
    }
}

/// What travels on the simulated network.
enum Packet {
    Audio(Vec<u8>),
    Text(ClientMessage),
}

/// One simulated connection: both directions' packets in flight with their arrival times.
struct Connection {
    up: VecDeque<(f64, Packet)>,
    down: VecDeque<(f64, Value)>,
    recognizer: Recognizer,
    opens_at: f64,
    opened: bool,
    latency_ms: f64,
    /// Stream byte position of this connection's first byte (its time offset), set when it opens.
    offset_bytes: u64,
    /// Audio bytes its recognizer received.
    received: u64,
    closing_at: Option<f64>,
}

impl Connection {
    fn buffered(&self) -> usize {
        self.up
            .iter()
            .map(|(_, p)| match p {
                Packet::Audio(b) => b.len(),
                Packet::Text(_) => 16,
            })
            .sum()
    }
}

fn word_stream(rng: &mut TestRng, n: usize) -> (Vec<Word>, Vec<u8>) {
    let mut words = Vec::with_capacity(n);
    let mut samples: Vec<i16> = Vec::new();
    for i in 0..n {
        // Gaps from 20 ms (words run together in one segment) to 700 ms (endpointing, silence interims).
        let gap = ms_to_samples(rng.random_range(20..700));
        samples.extend(std::iter::repeat_n(0, gap));
        let len = ms_to_samples(rng.random_range(120..600));
        let id = (i % 30_000) as i16 + 1;
        words.push(Word {
            id,
            start: samples.len(),
            end: samples.len() + len,
        });
        samples.extend(std::iter::repeat_n(id, len));
    }
    samples.extend(std::iter::repeat_n(0, ms_to_samples(400)));
    let bytes = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    (words, bytes)
}

/// Runs one simulation.
pub fn run(plan: Plan) -> Report {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&plan.seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let (words, audio) = word_stream(&mut rng, plan.words);
    let total_ms = audio.len() / BYTES_PER_MS;
    // Drop moments, spread at random over the audio (at most one per connection).
    let mut drops: VecDeque<f64> = {
        let mut at: Vec<f64> = (0..plan.drops)
            .map(|_| rng.random_range(100.0..total_ms as f64))
            .collect();
        at.sort_by(f64::total_cmp);
        at.into()
    };
    let config = ListenConfig {
        audio_bytes_per_second: Some(RATE * 2),
        audio_block_align: Some(2),
        audio_channels: 1,
        replay_cap_ms: plan.replay_cap_ms,
        ..ListenConfig::default()
    };
    let policy = ReconnectPolicy {
        attempts: 3,
        delay_ms: 50,
    };
    let mut stream: ListenStream<Value> = ListenStream::new(config, policy);
    let mut report = Report {
        spoken: words.len(),
        bytes_total: audio.len() as u64,
        ..Report::default()
    };
    let mut conn = Some(new_connection(&mut rng, 0.0));
    let mut finals: Vec<(i16, f64)> = Vec::new();
    let mut offset = 0.0f64;
    let mut sent_frames = 0usize;
    let mut delivered: Vec<(u64, u64)> = Vec::new();
    let mut closed = false;
    let mut now = 0.0f64;
    let mut close_asked = false;
    while !closed && now < (total_ms as f64) * 4.0 + 60_000.0 {
        now += STEP_MS;
        // The microphone: one frame every 20 ms.
        while sent_frames * FRAME_MS <= now as usize
            && sent_frames * FRAME_MS * BYTES_PER_MS < audio.len()
        {
            let at = sent_frames * FRAME_MS * BYTES_PER_MS;
            let end = (at + FRAME_MS * BYTES_PER_MS).min(audio.len());
            let _ = stream.send_audio(audio[at..end].to_vec(), now);
            sent_frames += 1;
        }
        if !close_asked && sent_frames * FRAME_MS * BYTES_PER_MS >= audio.len() {
            close_asked = true;
            let _ = stream.close_stream(now);
        }
        if let Some(c) = conn.as_mut() {
            if !c.opened && now >= c.opens_at {
                c.opened = true;
                stream.handle_open(now);
            }
        }
        // A drop: the socket is gone, with everything in flight both ways.
        let drop_now = drops.front().is_some_and(|&t| now >= t)
            && conn
                .as_ref()
                .is_some_and(|c| c.opened && c.closing_at.is_none());
        if drop_now {
            drops.pop_front();
            report.drops += 1;
            let pos = stream.stats().audio_bytes_sent as usize / 2;
            if words.iter().any(|w| w.start <= pos && pos < w.end) {
                report.mid_word_drops += 1;
            }
            if let Some(c) = conn.take() {
                delivered.push((c.offset_bytes, c.received));
            }
            stream.handle_close(1006, "", false, now);
        }
        if let Some(c) = conn.as_mut() {
            // Client -> server.
            while c.up.front().is_some_and(|(t, _)| *t <= now) {
                let Some((_, packet)) = c.up.pop_front() else {
                    break;
                };
                let mut out = Vec::new();
                match packet {
                    Packet::Audio(bytes) => {
                        c.received += bytes.len() as u64;
                        c.recognizer.audio(&bytes, &mut out);
                    }
                    Packet::Text(ClientMessage::CloseStream) => {
                        c.recognizer.close_stream(&mut out);
                        c.closing_at = Some(now + c.latency_ms + 1.0);
                    }
                    Packet::Text(_) => {}
                }
                for v in out {
                    c.down.push_back((now + c.latency_ms, v));
                }
            }
            // Server -> client.
            while c.down.front().is_some_and(|(t, _)| *t <= now) {
                let Some((_, v)) = c.down.pop_front() else {
                    break;
                };
                stream.handle_text(&Json(&v), v.clone(), now);
            }
            if c.closing_at.is_some_and(|t| now >= t) && c.down.is_empty() {
                if let Some(c) = conn.take() {
                    delivered.push((c.offset_bytes, c.received));
                }
                stream.handle_close(1000, "", true, now);
            }
        }
        if stream.next_timeout().is_some_and(|t| t as f64 <= now) {
            stream.handle_timeout(now);
        }
        loop {
            stream.set_socket_buffered(conn.as_ref().map_or(0, Connection::buffered));
            let Some(t) = stream.poll_transmit(now) else {
                break;
            };
            match (t, conn.as_mut()) {
                (Transmit::Connect, _) => conn = Some(new_connection(&mut rng, now)),
                (Transmit::Binary(b), Some(c)) => {
                    c.up.push_back((now + c.latency_ms, Packet::Audio(b)))
                }
                (Transmit::Message(m), Some(c)) => {
                    c.up.push_back((now + c.latency_ms, Packet::Text(m)))
                }
                (Transmit::Close { .. }, _) => {
                    if let Some(c) = conn.take() {
                        delivered.push((c.offset_bytes, c.received));
                    }
                    stream.handle_close(1000, "", true, now);
                }
                _ => {}
            }
        }
        while let Some(e) = stream.poll_event() {
            match e {
                ListenEvent::Transcript { results, raw } if results.is_final => {
                    for w in raw["channel"]["alternatives"][0]["words"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        let id = w["word"].as_str().and_then(|s| s.parse().ok()).unwrap_or(0);
                        let start = w["start"].as_f64().unwrap_or(f64::NAN);
                        finals.push((id, start + offset));
                    }
                }
                ListenEvent::Reconnected { time_offset, .. } => {
                    report.reconnects += 1;
                    offset = time_offset.unwrap_or(f64::NAN);
                    if let Some(c) = conn.as_mut() {
                        c.offset_bytes = (offset * f64::from(RATE * 2)).round() as u64;
                    }
                }
                ListenEvent::Metadata { .. } => report.metadata = true,
                ListenEvent::Warning { code, .. } => report.warnings.push(code.to_owned()),
                ListenEvent::Close(info) => {
                    closed = true;
                    report.metadata &= info.code == 1000;
                }
                _ => {}
            }
        }
    }
    // What the recognizers received that counts: each connection's bytes up to where the next one started.
    delivered.sort_unstable();
    for (i, &(start, received)) in delivered.iter().enumerate() {
        let next = delivered.get(i + 1).map_or(u64::MAX, |d| d.0);
        report.bytes_delivered += received.min(next - start);
    }
    let st = stream.stats();
    report.bytes_accepted = st.audio_bytes_accepted;
    report.bytes_sent = st.audio_bytes_sent;
    report.bytes_dropped = st.audio_bytes_dropped;
    report.bytes_replayed = st.audio_bytes_replayed;
    report.bytes_unreplayed = st.audio_bytes_unreplayed;
    let mut seen = vec![0usize; words.len() + 1];
    let mut last = 0i16;
    for &(id, start) in &finals {
        let i = id as usize;
        if i == 0 || i > words.len() || words[i - 1].id != id {
            report.duplicated += 1;
            continue;
        }
        seen[i] += 1;
        if id <= last {
            report.out_of_order += usize::from(seen[i] == 1);
        }
        last = last.max(id);
        let spoken = seconds(words[i - 1].start);
        report.max_time_error_ms = report
            .max_time_error_ms
            .max((start - spoken).abs() * 1000.0);
    }
    report.heard = seen[1..].iter().filter(|&&n| n > 0).count();
    report.lost = report.spoken - report.heard;
    report.duplicated += seen[1..]
        .iter()
        .map(|&n| n.saturating_sub(1))
        .sum::<usize>();
    report
}

fn new_connection(rng: &mut TestRng, now: f64) -> Connection {
    let latency_ms = rng.random_range(1.0..80.0);
    Connection {
        up: VecDeque::new(),
        down: VecDeque::new(),
        recognizer: Recognizer::default(),
        opens_at: now + latency_ms * 2.0,
        opened: false,
        latency_ms,
        offset_bytes: 0,
        received: 0,
        closing_at: None,
    }
}
