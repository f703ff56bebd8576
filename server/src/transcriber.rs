//! One `/v1/listen` stream as a sans-IO state machine: audio bytes and text frames in, JSON frames and a
//! close out.
//!
//! Owns the stream's rules: input format (raw / WAV / opaque container / DATA-0000), the audio clock,
//! segments, interim and final Results, endpointing, UtteranceEnd, SpeechStarted, Finalize, CloseStream,
//! the idle-timeout summary and the terminal Metadata. Every time here is audio time (samples), never the
//! wall clock, so results are deterministic whatever the feeding speed. It must not touch sockets, timers
//! or the control registry: the IO layer (`listen_socket.rs`) feeds it and drains [`SessionOutput`]s.
//!
//! Timing rules (documented in README.md, several UNCONFIRMED against the real service):
//! - a segment starts where the previous final ended; results carry `start` = segment start and
//!   `duration` = audio clock - segment start;
//! - with `interim_results=true` an interim is sent when a word starts (restating the segment, the
//!   sounding word ending "now") and every [`TICK_MS`] of audio; during silence the interim is empty and the
//!   segment start moves up to "now";
//! - a final with `speech_final:true` is sent once `endpointing` ms of audio passed after the last word;
//!   a final with `speech_final:false` once a segment with words spans [`MAX_SEGMENT_MS`] (the only
//!   automatic finals with `endpointing=false`);
//! - `SpeechStarted` when a word starts at least [`VAD_GAP_MS`] after the previous word ended (or is the
//!   first word of the channel);
//! - `UtteranceEnd` once `utterance_end_ms` of audio passed after the last word of a final with words,
//!   unless a new word started meanwhile.
//!
//! `Configure` (changelog 2026-10-02/19) gets exactly one `ConfigureSuccess` or `ConfigureFailure`,
//! except an update whose keyterms exceed the token budget: then the stream stalls (no reply, no more
//! results, every later frame ignored) until the IO layer's timer calls
//! [`ListenSession::handle_configure_timeout`], which closes 1011 NET-0000. `features.numerals` (and the
//! `numerals` query parameter) writes digit words as digits.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::codec::PcmDecoder;
use crate::container::{sniff, Sniffed};
use crate::keyterm_limit;
use crate::listen_messages::{self, MetadataSummary, ResultsContext, ResultsFrame, WordJson};
use crate::listen_options::{model_supports_keyterms, Endpointing, ListenEncoding, ListenOptions};
use crate::model::listen_model;
use crate::recognizer::{Recognizer, RecognizerEngine, RecognizerEvent};
use crate::timestamp::rfc3339_millis;

/// Interval of periodic interim results (audio time).
pub const TICK_MS: u64 = 1000;
/// Longest segment before a final is forced at the next pause between words.
pub const MAX_SEGMENT_MS: u64 = 5000;
/// Silence before a word that makes its onset a `SpeechStarted`.
pub const VAD_GAP_MS: u64 = 200;
/// Audio is analysed in blocks of this length so that timing does not depend on the client's frame size.
pub const BLOCK_MS: u64 = 10;

/// The close reason after the idle timeout: the real service's text (LISTEN-NOTES §6, deepgram-python-sdk
/// #319); its code NET-0001 appears in it as the link `dpgr.am/net0001`.
pub const NET0001_REASON: &str = "Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001";
/// The close reason after a stalled Configure: the real service's NET-0000 text (LISTEN-NOTES §6,
/// deepgram-python-sdk#509); its code appears in it as the link `dpgr.am/net0000`.
pub const NET0000_REASON: &str = "Deepgram did not provide a response message within the timeout window. See https://dpgr.am/net0000";
/// The close reason for audio that cannot be decoded (the bare code, as the AsyncAPI close frames list it).
pub const DATA0000_REASON: &str = "DATA-0000";

/// What the stream wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOutput {
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

#[derive(Debug, Clone)]
struct Word {
    word: String,
    start: u64,
    end: u64,
    confidence: f32,
}

/// Per-stream settings in samples, shared by every channel.
#[derive(Debug, Clone, Copy)]
struct Policy {
    rate: u32,
    block: usize,
    interim: bool,
    endpointing: Option<u64>,
    utterance_end: Option<u64>,
    vad: bool,
    punctuate: bool,
    diarize: bool,
    numerals: bool,
    tick: u64,
    max_segment: u64,
    vad_gap: u64,
    total: u32,
}

impl Policy {
    fn new(opts: &ListenOptions, rate: u32, total: u32) -> Policy {
        let samples = |ms: u64| ms * u64::from(rate) / 1000;
        Policy {
            rate,
            block: usize::try_from(samples(BLOCK_MS)).unwrap_or(1).max(1),
            interim: opts.interim_results,
            endpointing: match opts.endpointing {
                Endpointing::Disabled => None,
                Endpointing::Ms(ms) => Some(samples(u64::from(ms))),
            },
            utterance_end: opts.utterance_end_ms.map(|ms| samples(u64::from(ms))),
            vad: opts.vad_events,
            punctuate: opts.punctuate,
            diarize: opts.diarize,
            numerals: opts.numerals,
            tick: samples(TICK_MS).max(1),
            max_segment: samples(MAX_SEGMENT_MS),
            vad_gap: samples(VAD_GAP_MS),
            total,
        }
    }

    fn seconds(&self, samples: u64) -> f64 {
        samples as f64 / f64::from(self.rate.max(1))
    }
}

/// Where Results go, with the stream-wide context they repeat.
struct Emitter<'a> {
    ctx: &'a ResultsContext,
    out: &'a mut VecDeque<SessionOutput>,
}

struct ChannelState {
    index: u32,
    rec: Box<dyn Recognizer>,
    segment_start: u64,
    words: Vec<Word>,
    sounding: Option<(String, u64)>,
    last_word_end: Option<u64>,
    next_tick: u64,
    utterance_end_armed: Option<u64>,
}

impl ChannelState {
    fn new(index: u32, rec: Box<dyn Recognizer>, p: &Policy) -> ChannelState {
        ChannelState {
            index,
            rec,
            segment_start: 0,
            words: Vec::new(),
            sounding: None,
            last_word_end: None,
            next_tick: p.tick,
            utterance_end_armed: None,
        }
    }

    fn channel(&self, p: &Policy) -> [u32; 2] {
        [self.index, p.total]
    }

    /// Feeds samples, deciding at every block boundary of the channel's timeline, so the results do not
    /// depend on how the client cut its frames.
    fn feed(&mut self, mut samples: &[f32], p: &Policy, em: &mut Emitter<'_>) {
        let block = p.block as u64;
        while !samples.is_empty() {
            let into_block = self.rec.samples_fed() % block;
            let room = usize::try_from(block - into_block).unwrap_or(p.block);
            let (now, rest) = samples
                .split_at_checked(room.min(samples.len()))
                .unwrap_or((samples, &[]));
            self.rec.feed(now);
            samples = rest;
            if self.rec.samples_fed().is_multiple_of(block) {
                self.drain_events(p, em);
                self.check_timers(p, em);
            }
        }
    }

    fn drain_events(&mut self, p: &Policy, em: &mut Emitter<'_>) {
        while let Some(event) = self.rec.poll() {
            match event {
                RecognizerEvent::WordStarted { word, start } => {
                    let after_silence = self
                        .last_word_end
                        .is_none_or(|end| start.saturating_sub(end) >= p.vad_gap);
                    if p.vad && after_silence {
                        em.out
                            .push_back(SessionOutput::Text(listen_messages::speech_started(
                                self.channel(p),
                                p.seconds(start),
                            )));
                    }
                    self.sounding = Some((word, start));
                    self.utterance_end_armed = None;
                    if p.interim {
                        let now = self.rec.samples_fed();
                        self.emit(p, em, now, false, false, false);
                        self.next_tick = now.saturating_add(p.tick);
                    }
                }
                RecognizerEvent::WordEnded {
                    word,
                    start,
                    end,
                    confidence,
                } => {
                    if self.sounding.as_ref().is_some_and(|(_, s)| *s == start) {
                        self.sounding = None;
                    }
                    self.last_word_end = Some(self.last_word_end.map_or(end, |e| e.max(end)));
                    self.words.push(Word {
                        word,
                        start,
                        end,
                        confidence,
                    });
                }
            }
        }
    }

    fn check_timers(&mut self, p: &Policy, em: &mut Emitter<'_>) {
        let now = self.rec.samples_fed();
        if self.sounding.is_none() {
            if let Some(last_end) = self.words.last().map(|w| w.end) {
                let endpoint = p
                    .endpointing
                    .is_some_and(|silence| now >= last_end.saturating_add(silence));
                let too_long = now.saturating_sub(self.segment_start) >= p.max_segment;
                if endpoint || too_long {
                    self.finalize(p, em, now, endpoint, false);
                }
            }
        }
        if now >= self.next_tick {
            if self.words.is_empty() && self.sounding.is_none() {
                if p.interim {
                    self.emit(p, em, now, false, false, false);
                }
                self.segment_start = now;
            } else if p.interim {
                self.emit(p, em, now, false, false, false);
            }
            self.next_tick = now.saturating_add(p.tick);
        }
        if let (Some(last_end), Some(wait)) = (self.utterance_end_armed, p.utterance_end) {
            if self.sounding.is_none() && now >= last_end.saturating_add(wait) {
                em.out
                    .push_back(SessionOutput::Text(listen_messages::utterance_end(
                        self.channel(p),
                        p.seconds(last_end),
                    )));
                self.utterance_end_armed = None;
            }
        }
    }

    /// Sends the segment as a final and starts the next one at `now`.
    fn finalize(
        &mut self,
        p: &Policy,
        em: &mut Emitter<'_>,
        now: u64,
        speech_final: bool,
        from_finalize: bool,
    ) {
        self.emit(p, em, now, true, speech_final, from_finalize);
        if p.utterance_end.is_some() {
            if let Some(last) = self.words.last() {
                self.utterance_end_armed = Some(last.end);
            }
        }
        self.words.clear();
        self.segment_start = now;
        self.next_tick = now.saturating_add(p.tick);
    }

    /// Completes the words buffered so far (Finalize, CloseStream) and sends them as a final; nothing is
    /// sent when no word is buffered.
    fn flush(&mut self, p: &Policy, em: &mut Emitter<'_>, from_finalize: bool) {
        self.rec.finish();
        self.drain_events(p, em);
        if !self.words.is_empty() {
            let now = self.rec.samples_fed();
            self.finalize(p, em, now, true, from_finalize);
        }
    }

    fn emit(
        &self,
        p: &Policy,
        em: &mut Emitter<'_>,
        now: u64,
        is_final: bool,
        speech_final: bool,
        from_finalize: bool,
    ) {
        let mut words: Vec<WordJson> = self
            .words
            .iter()
            .map(|w| (w.word.as_str(), w.start, w.end, w.confidence))
            .chain(
                self.sounding
                    .iter()
                    .filter(|_| !is_final)
                    .map(|(w, s)| (w.as_str(), *s, now, crate::recognizer::DTMF_CONFIDENCE)),
            )
            .map(|(word, start, end, confidence)| {
                let word = if p.numerals { numeral(word) } else { word };
                WordJson {
                    word: word.to_string(),
                    start: p.seconds(start) as f32,
                    end: p.seconds(end) as f32,
                    confidence,
                    speaker: p.diarize.then_some(0),
                    punctuated_word: word.to_string(),
                }
            })
            .collect();
        if p.punctuate {
            if let Some(first) = words.first_mut() {
                first.punctuated_word = capitalize(&first.punctuated_word);
            }
            if speech_final {
                if let Some(last) = words.last_mut() {
                    last.punctuated_word.push('.');
                }
            }
        }
        em.out
            .push_back(SessionOutput::Text(listen_messages::results(
                em.ctx,
                &ResultsFrame {
                    channel_index: self.channel(p),
                    start: p.seconds(self.segment_start),
                    end: p.seconds(now),
                    is_final,
                    speech_final,
                    from_finalize,
                    words: &words,
                },
            )));
    }
}

/// A digit word as its digit (`numerals`); any other word unchanged.
fn numeral(word: &str) -> &str {
    const DIGITS: [(&str, &str); 10] = [
        ("zero", "0"),
        ("one", "1"),
        ("two", "2"),
        ("three", "3"),
        ("four", "4"),
        ("five", "5"),
        ("six", "6"),
        ("seven", "7"),
        ("eight", "8"),
        ("nine", "9"),
    ];
    DIGITS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or(word, |(_, d)| d)
}

fn capitalize(w: &str) -> String {
    let mut chars = w.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

enum Input {
    /// No `encoding`: waiting for enough bytes to recognize the container.
    Sniffing(Vec<u8>),
    /// Raw samples (declared or from a WAV header).
    Pcm {
        decoder: PcmDecoder,
        multichannel: bool,
    },
    /// Accepted but not decoded.
    Opaque,
}

/// One listen stream.
pub struct ListenSession {
    opts: ListenOptions,
    ctx: ResultsContext,
    created: String,
    engine: Arc<dyn RecognizerEngine>,
    input: Input,
    policy: Option<Policy>,
    channels: Vec<ChannelState>,
    audio_channels: u32,
    samples_per_channel: u64,
    hasher: Sha256,
    bytes_received: u64,
    out: VecDeque<SessionOutput>,
    finished: bool,
    stalled: bool,
    decoded: Vec<Vec<f32>>,
    mix: Vec<f32>,
}

impl ListenSession {
    /// A stream with validated options, its request id, its start time and the recognizer engine.
    pub fn new(
        opts: ListenOptions,
        request_id: String,
        created: SystemTime,
        engine: Arc<dyn RecognizerEngine>,
    ) -> ListenSession {
        let ctx = ResultsContext {
            request_id,
            model: listen_model(opts.model.as_deref()),
            diarize: opts.diarize,
            detect_entities: opts.detect_entities,
            extra: opts.extra.clone(),
        };
        let input = match &opts.encoding {
            ListenEncoding::Container => Input::Sniffing(Vec::new()),
            ListenEncoding::Opaque(_) => Input::Opaque,
            ListenEncoding::Pcm(encoding) => Input::Pcm {
                decoder: PcmDecoder::new(*encoding, opts.channels),
                multichannel: opts.multichannel,
            },
        };
        let mut session = ListenSession {
            ctx,
            created: rfc3339_millis(created),
            engine,
            input,
            policy: None,
            channels: Vec::new(),
            audio_channels: 0,
            samples_per_channel: 0,
            hasher: Sha256::new(),
            bytes_received: 0,
            out: VecDeque::new(),
            finished: false,
            stalled: false,
            decoded: Vec::new(),
            mix: Vec::new(),
            opts,
        };
        if let ListenEncoding::Pcm(_) = session.opts.encoding {
            session.start_channels(session.opts.sample_rate, session.opts.channels);
        }
        session
    }

    fn start_channels(&mut self, rate: u32, audio_channels: u16) {
        let recognizers = if self.opts.multichannel {
            u32::from(audio_channels.max(1))
        } else {
            1
        };
        let policy = Policy::new(&self.opts, rate, recognizers);
        self.channels = (0..recognizers)
            .map(|i| ChannelState::new(i, self.engine.create(rate), &policy))
            .collect();
        self.policy = Some(policy);
        self.audio_channels = u32::from(audio_channels);
    }

    /// The stream's request id.
    pub fn request_id(&self) -> &str {
        &self.ctx.request_id
    }

    /// Whether the stream has ended (a close was produced).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether an over-limit `Configure` stalled the stream: the IO layer then closes it with
    /// [`ListenSession::handle_configure_timeout`] after its configure timeout.
    pub fn is_stalled(&self) -> bool {
        self.stalled && !self.finished
    }

    /// The keyterms in effect (the `keyterm` query parameters until a `Configure` replaces them).
    pub fn keyterms(&self) -> &[String] {
        &self.opts.keyterms
    }

    /// Whether digit words are written as digits now.
    pub fn numerals(&self) -> bool {
        self.opts.numerals
    }

    /// The configure timeout after a stall passed: close 1011 NET-0000 (no Metadata: the stream's
    /// processing is what stopped).
    pub fn handle_configure_timeout(&mut self) {
        if self.is_stalled() {
            self.out.push_back(SessionOutput::Close {
                code: 1011,
                reason: NET0000_REASON.to_string(),
            });
            self.finished = true;
        }
    }

    /// The running hash of every binary byte received (for the control API).
    pub fn audio_hash(&self) -> &Sha256 {
        &self.hasher
    }

    /// Seconds of audio decoded so far (per channel).
    pub fn audio_seconds(&self) -> f64 {
        self.policy
            .map_or(0.0, |p| p.seconds(self.samples_per_channel))
    }

    /// The next frame to send.
    pub fn poll_output(&mut self) -> Option<SessionOutput> {
        self.out.pop_front()
    }

    /// A binary frame: audio (a KeepAlive sent as binary is audio too, as on the real service).
    pub fn handle_audio(&mut self, bytes: &[u8]) {
        if self.finished {
            return;
        }
        self.hasher.update(bytes);
        self.bytes_received = self
            .bytes_received
            .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        if self.stalled {
            return;
        }
        match &mut self.input {
            Input::Opaque => {}
            Input::Pcm { .. } => self.decode_and_feed(bytes),
            Input::Sniffing(head) => {
                head.extend_from_slice(bytes);
                match sniff(head) {
                    Sniffed::NeedMore => {}
                    Sniffed::Opaque(_) => {
                        self.input = Input::Opaque;
                        self.audio_channels = 1;
                    }
                    Sniffed::Unrecognized => self.fail_data(),
                    Sniffed::Wav {
                        format,
                        data_offset,
                    } => {
                        let head = std::mem::take(head);
                        self.input = Input::Pcm {
                            decoder: PcmDecoder::new(format.encoding, format.channels),
                            multichannel: self.opts.multichannel,
                        };
                        self.start_channels(format.sample_rate, format.channels);
                        let rest = head.get(data_offset..).unwrap_or(&[]);
                        self.decode_and_feed(rest);
                    }
                }
            }
        }
    }

    fn decode_and_feed(&mut self, bytes: &[u8]) {
        let (
            Input::Pcm {
                decoder,
                multichannel,
            },
            Some(policy),
        ) = (&mut self.input, self.policy)
        else {
            return;
        };
        decoder.decode(bytes, &mut self.decoded);
        let per_channel = self.decoded.first().map_or(0, Vec::len);
        self.samples_per_channel = self
            .samples_per_channel
            .saturating_add(u64::try_from(per_channel).unwrap_or(0));
        let mut em = Emitter {
            ctx: &self.ctx,
            out: &mut self.out,
        };
        if *multichannel {
            for (state, samples) in self.channels.iter_mut().zip(&self.decoded) {
                state.feed(samples, &policy, &mut em);
            }
        } else {
            let samples: &[f32] = if self.decoded.len() == 1 {
                self.decoded.first().map_or(&[], Vec::as_slice)
            } else {
                // Mix down: the average of the channels.
                let n = self.decoded.len().max(1) as f32;
                self.mix.clear();
                self.mix.resize(per_channel, 0.0);
                for ch in &self.decoded {
                    for (m, s) in self.mix.iter_mut().zip(ch) {
                        *m += s / n;
                    }
                }
                &self.mix
            };
            if let Some(state) = self.channels.first_mut() {
                state.feed(samples, &policy, &mut em);
            }
        }
    }

    /// A text frame: a control message, or an `Error` answer when it is not one.
    pub fn handle_text(&mut self, text: &str) {
        if self.finished || self.stalled {
            return;
        }
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                return self.schema_error(
                    &format!("Could not deserialize last text message: {e}"),
                    text,
                )
            }
        };
        let Some(obj) = value.as_object() else {
            return self.schema_error(
                "Could not deserialize last text message: expected a JSON object with a `type` field",
                text,
            );
        };
        match obj.get("type").and_then(serde_json::Value::as_str) {
            Some("KeepAlive") => {}
            Some("Finalize") => match obj.get("channel") {
                None | Some(serde_json::Value::Null) => self.finalize(None),
                Some(v) => match v.as_u64().and_then(|c| u32::try_from(c).ok()) {
                    Some(c) if (c as usize) < self.channels.len().max(1) => self.finalize(Some(c)),
                    _ => self.schema_error(
                        &format!(
                            "Could not deserialize last text message: Finalize `channel` must be a channel index below {}",
                            self.channels.len().max(1)
                        ),
                        text,
                    ),
                },
            },
            Some("CloseStream") => self.close_stream(),
            Some("Configure") => self.configure(obj),
            Some(other) => self.schema_error(
                &format!(
                    "Could not deserialize last text message: unknown variant `{other}`, expected one of `KeepAlive`, `Finalize`, `CloseStream`, `Configure`"
                ),
                text,
            ),
            None => self.schema_error(
                "Could not deserialize last text message: missing field `type`",
                text,
            ),
        }
    }

    fn schema_error(&mut self, description: &str, original: &str) {
        self.out
            .push_back(SessionOutput::Text(listen_messages::schema_error(
                description,
                original,
            )));
    }

    fn configure_failure(&mut self, code: &str, description: &str) {
        self.out
            .push_back(SessionOutput::Text(listen_messages::configure_failure(
                &self.ctx.request_id,
                code,
                description,
            )));
    }

    /// `{"type":"Configure","keyterms":[...]|null,"features":{"numerals":bool}}`: exactly one reply,
    /// except over the keyterm budget (a stall, see the module docs).
    fn configure(&mut self, obj: &serde_json::Map<String, serde_json::Value>) {
        use serde_json::Value;
        const INVALID: &str = "InvalidConfigureMessage";
        if let Some(unknown) = obj
            .keys()
            .find(|k| !["type", "keyterms", "features"].contains(&k.as_str()))
        {
            return self.configure_failure(
                INVALID,
                &format!("Configure has an unknown field `{unknown}`; it takes `keyterms` and `features`"),
            );
        }
        let keyterms = match obj.get("keyterms") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                match items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                {
                    Some(t) => Some(t),
                    None => {
                        return self.configure_failure(
                            INVALID,
                            "Configure `keyterms` must be an array of strings (or null to keep the current ones)",
                        )
                    }
                }
            }
            Some(_) => {
                return self.configure_failure(
                    INVALID,
                    "Configure `keyterms` must be an array of strings (or null to keep the current ones)",
                )
            }
        };
        let mut numerals = None;
        match obj.get("features") {
            None | Some(Value::Null) => {}
            Some(Value::Object(features)) => {
                for (name, value) in features {
                    match (name.as_str(), value) {
                        ("numerals", Value::Bool(on)) => numerals = Some(*on),
                        ("numerals", _) => {
                            return self.configure_failure(
                                INVALID,
                                "Configure `features.numerals` must be true or false",
                            )
                        }
                        (other, _) => {
                            return self.configure_failure(
                                INVALID,
                                &format!(
                                    "Configure `features` has an unknown feature `{other}`; only `numerals` can be changed"
                                ),
                            )
                        }
                    }
                }
            }
            Some(_) => {
                return self.configure_failure(
                    INVALID,
                    "Configure `features` must be an object such as {\"numerals\": true}",
                )
            }
        }
        if let Some(terms) = &keyterms {
            if !terms.is_empty() && !model_supports_keyterms(self.opts.model.as_deref()) {
                return self.configure_failure(
                    "KeytermsNotSupported",
                    "Keyterms are only supported by Nova-3 models; the stream keeps its previous settings",
                );
            }
            if !keyterm_limit::within_limit(terms.iter().map(String::as_str)) {
                // Deepgram: no Error, transcription stops, 1011 NET-0000 about 30 s later.
                self.stalled = true;
                return;
            }
        }
        if let Some(on) = numerals {
            self.opts.numerals = on;
            if let Some(policy) = &mut self.policy {
                policy.numerals = on;
            }
        }
        let replaced = keyterms.is_some();
        if let Some(terms) = keyterms {
            self.opts.keyterms = terms;
        }
        self.out
            .push_back(SessionOutput::Text(listen_messages::configure_success(
                &self.ctx.request_id,
                replaced.then_some(self.opts.keyterms.as_slice()),
            )));
    }

    fn finalize(&mut self, channel: Option<u32>) {
        let Some(policy) = self.policy else {
            return;
        };
        let mut em = Emitter {
            ctx: &self.ctx,
            out: &mut self.out,
        };
        for state in &mut self.channels {
            if channel.is_none_or(|c| c == state.index) {
                state.flush(&policy, &mut em, true);
            }
        }
    }

    fn close_stream(&mut self) {
        if let Some(policy) = self.policy {
            let mut em = Emitter {
                ctx: &self.ctx,
                out: &mut self.out,
            };
            for state in &mut self.channels {
                state.flush(&policy, &mut em, false);
            }
        }
        let sha = hex(&self.hasher.clone().finalize());
        self.finish(&sha, 1000, "");
    }

    /// The idle timeout fired: summary (`sha256: "incomplete"`) and close 1011 NET-0001.
    pub fn handle_idle_timeout(&mut self) {
        // A stalled stream answers nothing; its configure timeout closes it.
        if !self.finished && !self.stalled {
            self.finish("incomplete", 1011, NET0001_REASON);
        }
    }

    fn fail_data(&mut self) {
        self.finish("incomplete", 1008, DATA0000_REASON);
    }

    fn finish(&mut self, sha256: &str, code: u16, reason: &str) {
        let any_audio = self.bytes_received > 0;
        let summary = listen_messages::metadata(&MetadataSummary {
            request_id: &self.ctx.request_id,
            sha256,
            created: &self.created,
            duration: self.audio_seconds(),
            channels: if any_audio { self.audio_channels } else { 0 },
            model: any_audio.then_some(&self.ctx.model),
            extra: &self.ctx.extra,
        });
        self.out.push_back(SessionOutput::Text(summary));
        self.out.push_back(SessionOutput::Close {
            code,
            reason: reason.to_string(),
        });
        self.finished = true;
    }
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    use crate::codec::{encode, Encoding};
    use crate::container::{wav_header, WavFormat};
    use crate::query::Query;
    use crate::recognizer::DtmfEngine;
    use dtmf::{Key, ToneSpec};
    use serde_json::Value;

    fn session(query: &str) -> ListenSession {
        let opts = ListenOptions::from_query(&Query::parse(query).unwrap()).unwrap();
        ListenSession::new(
            opts,
            "req-1".into(),
            SystemTime::UNIX_EPOCH,
            Arc::new(DtmfEngine),
        )
    }

    fn drain(s: &mut ListenSession) -> Vec<Value> {
        let mut v = Vec::new();
        while let Some(o) = s.poll_output() {
            match o {
                SessionOutput::Text(t) => v.push(serde_json::from_str(&t).unwrap()),
                SessionOutput::Close { code, reason } => {
                    v.push(serde_json::json!({"close": code, "reason": reason}))
                }
            }
        }
        v
    }

    fn feed(s: &mut ListenSession, samples: &[f32], enc: Encoding, frame_ms: usize, rate: usize) {
        let mut bytes = Vec::new();
        encode(enc, samples, &mut bytes);
        let frame = (rate * frame_ms / 1000).max(1) * enc.bytes_per_sample();
        for chunk in bytes.chunks(frame) {
            s.handle_audio(chunk);
        }
    }

    fn keys(s: &str) -> Vec<Key> {
        s.chars().map(|c| Key::from_char(c).unwrap()).collect()
    }

    fn finals(msgs: &[Value]) -> Vec<&Value> {
        msgs.iter()
            .filter(|m| m["type"] == "Results" && m["is_final"] == true)
            .collect()
    }

    fn words_of(m: &Value) -> Vec<(String, f64, f64)> {
        m["channel"]["alternatives"][0]["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["word"].as_str().unwrap().to_string(),
                    w["start"].as_f64().unwrap(),
                    w["end"].as_f64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn digits_become_words_with_times_at_every_rate_and_encoding() {
        let spec = ToneSpec {
            tone_ms: 100,
            gap_ms: 100,
            amplitude: 0.5,
        };
        for rate in [8000u32, 16000, 48000] {
            for enc in [
                Encoding::Linear16,
                Encoding::Linear32,
                Encoding::Mulaw,
                Encoding::Alaw,
            ] {
                let mut s = session(&format!(
                    "encoding={}&sample_rate={rate}&endpointing=300",
                    enc.name()
                ));
                let k = keys("159*#");
                let mut audio = dtmf::synthesize(&k, &spec, rate);
                audio.extend(std::iter::repeat_n(0.0, rate as usize / 2));
                feed(&mut s, &audio, enc, 20, rate as usize);
                let msgs = drain(&mut s);
                let f = finals(&msgs);
                assert_eq!(f.len(), 1, "{rate} {enc:?}: {msgs:?}");
                let words = words_of(f[0]);
                let names: Vec<_> = words.iter().map(|w| w.0.as_str()).collect();
                assert_eq!(
                    names,
                    ["one", "five", "nine", "star", "pound"],
                    "{rate} {enc:?}"
                );
                for (w, placed) in words.iter().zip(dtmf::tone_layout(&k, &spec, rate)) {
                    let start = placed.start_sample as f64 / rate as f64;
                    let end = placed.end_sample as f64 / rate as f64;
                    assert!(
                        (w.1 - start).abs() < 0.03,
                        "{rate} {enc:?} {w:?} vs {start}"
                    );
                    assert!((w.2 - end).abs() < 0.03, "{rate} {enc:?} {w:?} vs {end}");
                }
                assert_eq!(f[0]["speech_final"], true);
                assert_eq!(
                    f[0]["channel"]["alternatives"][0]["transcript"],
                    "one five nine star pound"
                );
            }
        }
    }

    #[test]
    fn default_endpointing_finalizes_each_digit_and_segments_tile() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        let audio = dtmf::synthesize(&keys("12"), &ToneSpec::default(), 16000);
        feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
        let msgs = drain(&mut s);
        let f = finals(&msgs);
        assert_eq!(f.len(), 2);
        let end0 = f[0]["start"].as_f64().unwrap() + f[0]["duration"].as_f64().unwrap();
        assert!((f[1]["start"].as_f64().unwrap() - end0).abs() < 1e-4);
        assert!(
            msgs.iter().all(|m| m["is_final"] == true),
            "no interims without interim_results"
        );
    }

    #[test]
    fn interims_restate_the_segment_and_flow_during_silence() {
        let mut s =
            session("encoding=linear16&sample_rate=8000&interim_results=true&endpointing=500");
        let mut audio = vec![0.0; 8000 * 2]; // 2 s silence
        audio.extend(dtmf::synthesize(&keys("34"), &ToneSpec::default(), 8000));
        audio.extend(vec![0.0; 8000]);
        feed(&mut s, &audio, Encoding::Linear16, 20, 8000);
        let msgs = drain(&mut s);
        let interims: Vec<_> = msgs.iter().filter(|m| m["is_final"] == false).collect();
        // Two empty ones during the leading silence, one when each digit starts.
        assert!(interims.len() >= 4, "{interims:?}");
        assert_eq!(words_of(interims[0]).len(), 0);
        assert_eq!(words_of(interims[1]).len(), 0);
        let with_words: Vec<_> = interims
            .iter()
            .filter(|m| !words_of(m).is_empty())
            .collect();
        assert_eq!(words_of(with_words[0])[0].0, "three");
        let second = words_of(with_words[1]);
        assert_eq!(
            second.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
            ["three", "four"]
        );
        let f = finals(&msgs);
        assert_eq!(f.len(), 1);
        // The final's segment started where the last empty interim ended (2 s).
        assert!((f[0]["start"].as_f64().unwrap() - 2.0).abs() < 0.02);
    }

    #[test]
    fn speech_started_and_utterance_end() {
        let mut s = session(
            "encoding=linear16&sample_rate=16000&interim_results=true&vad_events=true&utterance_end_ms=1000&endpointing=100",
        );
        let spec = ToneSpec::default();
        let mut audio = dtmf::synthesize(&keys("12"), &spec, 16000); // gap 100 ms: one onset
        audio.extend(vec![0.0; 16000 * 2]);
        audio.extend(dtmf::synthesize(&keys("3"), &spec, 16000));
        audio.extend(vec![0.0; 16000 * 2]);
        feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
        let msgs = drain(&mut s);
        let started: Vec<_> = msgs
            .iter()
            .filter(|m| m["type"] == "SpeechStarted")
            .collect();
        assert_eq!(started.len(), 2, "{msgs:?}");
        assert!((started[0]["timestamp"].as_f64().unwrap() - 0.0).abs() < 0.03);
        assert!((started[1]["timestamp"].as_f64().unwrap() - 2.4).abs() < 0.03);
        assert_eq!(started[0]["channel"], serde_json::json!([0, 1]));
        let ends: Vec<_> = msgs
            .iter()
            .filter(|m| m["type"] == "UtteranceEnd")
            .collect();
        assert_eq!(ends.len(), 2, "{msgs:?}");
        assert!((ends[0]["last_word_end"].as_f64().unwrap() - 0.3).abs() < 0.03);
        assert!((ends[1]["last_word_end"].as_f64().unwrap() - 2.5).abs() < 0.03);
        // UtteranceEnd comes after the final it follows.
        let pos = |pred: &dyn Fn(&Value) -> bool| msgs.iter().position(pred).unwrap();
        assert!(pos(&|m| m["type"] == "UtteranceEnd") > pos(&|m| m["is_final"] == true));
    }

    #[test]
    fn finalize_flushes_a_sounding_word_with_from_finalize() {
        let mut s = session("encoding=linear16&sample_rate=16000&endpointing=false");
        let mut audio = Vec::new();
        dtmf::tone(Key::D7, 300, 0.5, 16000, &mut audio);
        feed(
            &mut s,
            &audio[..16000 * 200 / 1000],
            Encoding::Linear16,
            20,
            16000,
        );
        assert!(drain(&mut s).is_empty());
        s.handle_text(r#"{"type":"Finalize"}"#);
        let msgs = drain(&mut s);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert_eq!(msgs[0]["from_finalize"], true);
        assert_eq!(msgs[0]["is_final"], true);
        assert_eq!(words_of(&msgs[0])[0].0, "seven");
        // Nothing buffered: no result.
        s.handle_text(r#"{"type":"Finalize"}"#);
        assert!(drain(&mut s).is_empty());
    }

    #[test]
    fn endpointing_false_finalizes_long_segments_only() {
        let mut s = session("encoding=linear16&sample_rate=8000&endpointing=false");
        let spec = ToneSpec::default();
        let mut audio = dtmf::synthesize(&keys("1"), &spec, 8000);
        audio.extend(vec![0.0; 8000 * 4]);
        feed(&mut s, &audio, Encoding::Linear16, 20, 8000);
        assert!(finals(&drain(&mut s)).is_empty());
        feed(&mut s, &vec![0.0; 8000 * 2], Encoding::Linear16, 20, 8000);
        let msgs = drain(&mut s);
        let f = finals(&msgs);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["speech_final"], false);
        assert!(
            (f[0]["start"].as_f64().unwrap() + f[0]["duration"].as_f64().unwrap() - 5.0).abs()
                < 0.02
        );
    }

    #[test]
    fn close_stream_sends_remaining_finals_then_metadata_then_1000() {
        let mut s = session("encoding=mulaw&sample_rate=8000&endpointing=false&model=nova-3");
        let audio = dtmf::synthesize(&keys("42"), &ToneSpec::default(), 8000);
        let mut bytes = Vec::new();
        encode(Encoding::Mulaw, &audio, &mut bytes);
        for c in bytes.chunks(160) {
            s.handle_audio(c);
        }
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        let n = msgs.len();
        assert_eq!(
            msgs[n - 1],
            serde_json::json!({"close": 1000, "reason": ""})
        );
        let meta = &msgs[n - 2];
        assert_eq!(meta["type"], "Metadata");
        let expected = hex(&Sha256::digest(&bytes));
        assert_eq!(meta["sha256"], expected);
        assert_eq!(meta["channels"], 1);
        assert!((meta["duration"].as_f64().unwrap() - 0.4).abs() < 1e-3);
        assert_eq!(meta["models"][0], "40bd3654-e622-47c4-a111-63a61b23bfe8");
        assert_eq!(meta["transaction_key"], "deprecated");
        assert_eq!(meta["created"], "1970-01-01T00:00:00.000Z");
        let f = finals(&msgs);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["from_finalize"], false);
        assert_eq!(words_of(f[0]).len(), 2);
        // Nothing after the close.
        s.handle_audio(&[0; 10]);
        s.handle_text(r#"{"type":"KeepAlive"}"#);
        assert!(drain(&mut s).is_empty());
    }

    #[test]
    fn no_audio_close_stream_metadata_is_empty_hash_and_zero_channels() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        assert_eq!(
            msgs[0]["sha256"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(msgs[0]["channels"], 0);
        assert_eq!(msgs[0]["duration"], 0.0);
        assert!(msgs[0].get("models").is_none());
    }

    #[test]
    fn idle_timeout_sends_incomplete_metadata_then_1011() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        s.handle_audio(&[0; 3200]);
        s.handle_idle_timeout();
        let msgs = drain(&mut s);
        assert_eq!(msgs[0]["sha256"], "incomplete");
        assert!((msgs[0]["duration"].as_f64().unwrap() - 0.1).abs() < 1e-6);
        assert_eq!(msgs[1]["close"], 1011);
        assert!(msgs[1]["reason"].as_str().unwrap().contains("net0001"));
    }

    #[test]
    fn multichannel_has_a_recognizer_per_channel() {
        let mut s = session(
            "encoding=linear16&sample_rate=16000&channels=2&multichannel=true&endpointing=200",
        );
        let spec = ToneSpec::default();
        let left = dtmf::synthesize(&keys("1"), &spec, 16000);
        let mut right = vec![0.0; 16000 / 2];
        right.extend(dtmf::synthesize(&keys("2"), &spec, 16000));
        let n = right.len() + 8000;
        let mut inter = Vec::new();
        for i in 0..n {
            inter.push(left.get(i).copied().unwrap_or(0.0));
            inter.push(right.get(i).copied().unwrap_or(0.0));
        }
        feed(&mut s, &inter, Encoding::Linear16, 20, 32000);
        let msgs = drain(&mut s);
        let f = finals(&msgs);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0]["channel_index"], serde_json::json!([0, 2]));
        assert_eq!(words_of(f[0])[0].0, "one");
        assert_eq!(f[1]["channel_index"], serde_json::json!([1, 2]));
        let w = &words_of(f[1])[0];
        assert_eq!(w.0, "two");
        assert!((w.1 - 0.5).abs() < 0.03);
        // Finalize one channel only.
        s.handle_text(r#"{"type":"Finalize","channel":5}"#);
        assert_eq!(drain(&mut s)[0]["type"], "Error");
    }

    #[test]
    fn stereo_without_multichannel_is_mixed_down() {
        let mut s = session("encoding=linear16&sample_rate=8000&channels=2&endpointing=100");
        let tone = dtmf::synthesize(&keys("8"), &ToneSpec::default(), 8000);
        let mut inter = Vec::new();
        for x in &tone {
            inter.push(*x);
            inter.push(0.0);
        }
        feed(&mut s, &inter, Encoding::Linear16, 20, 16000);
        let msgs = drain(&mut s);
        let f = finals(&msgs);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0]["channel_index"], serde_json::json!([0, 1]));
        assert_eq!(words_of(f[0])[0].0, "eight");
    }

    #[test]
    fn wav_container_is_decoded_and_garbage_is_data_0000() {
        let rate = 16000;
        let audio = dtmf::synthesize(&keys("6"), &ToneSpec::default(), rate);
        let mut bytes = wav_header(
            WavFormat {
                encoding: Encoding::Linear16,
                sample_rate: rate,
                channels: 1,
            },
            (audio.len() * 2) as u32,
        );
        encode(Encoding::Linear16, &audio, &mut bytes);
        let mut s = session("endpointing=50");
        for c in bytes.chunks(7) {
            s.handle_audio(c); // header split across many frames
        }
        let msgs = drain(&mut s);
        assert_eq!(words_of(finals(&msgs)[0])[0].0, "six");

        let mut s = session("");
        s.handle_audio(b"this is not audio at all");
        let msgs = drain(&mut s);
        assert_eq!(msgs[0]["type"], "Metadata");
        assert_eq!(msgs[1]["close"], 1008);
        assert_eq!(msgs[1]["reason"], "DATA-0000");

        let mut s = session("");
        s.handle_audio(&[0x1A, 0x45, 0xDF, 0xA3, 0, 0, 0, 0]);
        s.handle_audio(&[1; 1000]);
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        assert_eq!(msgs[0]["type"], "Metadata");
        assert_eq!(msgs[0]["duration"], 0.0);
        assert_eq!(msgs[1]["close"], 1000);
    }

    #[test]
    fn text_messages_that_are_not_commands_get_a_schema_error() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        s.handle_text("not json");
        s.handle_text(r#"{"type":"Bogus"}"#);
        s.handle_text(r#"{"no":"type"}"#);
        s.handle_text(r#"{"type":"KeepAlive"}"#);
        let msgs = drain(&mut s);
        assert_eq!(msgs.len(), 3);
        for (m, original) in
            msgs.iter()
                .zip(["not json", r#"{"type":"Bogus"}"#, r#"{"no":"type"}"#])
        {
            assert_eq!(m["type"], "Error");
            assert_eq!(m["variant"], "SchemaError");
            assert_eq!(m["message"], original);
        }
    }

    #[test]
    fn every_configure_gets_exactly_one_success_or_failure() {
        let mut s = session("model=nova-3&encoding=linear16&sample_rate=16000&keyterm=Aura");
        let cases = [
            (r#"{"type":"Configure"}"#, "ConfigureSuccess"),
            (
                r#"{"type":"Configure","keyterms":null}"#,
                "ConfigureSuccess",
            ),
            (
                r#"{"type":"Configure","features":{"numerals":true}}"#,
                "ConfigureSuccess",
            ),
            (
                r#"{"type":"Configure","keyterms":["Deepgram","customer service"]}"#,
                "ConfigureSuccess",
            ),
            (
                r#"{"type":"Configure","keyterm":["x"]}"#,
                "ConfigureFailure",
            ),
            (
                r#"{"type":"Configure","keyterms":"Deepgram"}"#,
                "ConfigureFailure",
            ),
            (r#"{"type":"Configure","keyterms":[1]}"#, "ConfigureFailure"),
            (
                r#"{"type":"Configure","features":{"numerals":"yes"}}"#,
                "ConfigureFailure",
            ),
            (
                r#"{"type":"Configure","features":{"smart_format":true}}"#,
                "ConfigureFailure",
            ),
            (r#"{"type":"Configure","features":[]}"#, "ConfigureFailure"),
            (r#"{"type":"Configure","keyterms":[]}"#, "ConfigureSuccess"),
        ];
        for (text, want) in cases {
            s.handle_text(text);
            let msgs = drain(&mut s);
            assert_eq!(msgs.len(), 1, "{text}: {msgs:?}");
            assert_eq!(msgs[0]["type"], want, "{text}");
            assert_eq!(msgs[0]["request_id"], "req-1", "{text}");
            if want == "ConfigureFailure" {
                assert_eq!(msgs[0]["code"], "InvalidConfigureMessage", "{text}");
                assert!(msgs[0]["description"].is_string());
            }
        }
        assert!(s.keyterms().is_empty(), "[] cleared the list");
        assert!(s.numerals());
    }

    #[test]
    fn configure_success_lists_keyterms_only_when_replaced() {
        let mut s = session("model=nova-3&encoding=linear16&sample_rate=16000&keyterm=Aura");
        assert_eq!(s.keyterms(), ["Aura"]);
        s.handle_text(r#"{"type":"Configure","features":{"numerals":false}}"#);
        let m = &drain(&mut s)[0];
        assert!(m.get("keyterms").is_none(), "{m}");
        s.handle_text(r#"{"type":"Configure","keyterms":["Deepgram","customer service"]}"#);
        let m = &drain(&mut s)[0];
        assert_eq!(
            m,
            &serde_json::json!({"type":"ConfigureSuccess","request_id":"req-1","keyterms":["Deepgram","customer service"]})
        );
        // A failure leaves the settings as they were.
        s.handle_text(r#"{"type":"Configure","keyterms":["x"],"features":{"numerals":1}}"#);
        assert_eq!(drain(&mut s)[0]["type"], "ConfigureFailure");
        assert_eq!(s.keyterms(), ["Deepgram", "customer service"]);
    }

    #[test]
    fn keyterms_on_a_non_nova3_model_are_a_configure_failure() {
        let mut s = session("model=nova-2&encoding=linear16&sample_rate=16000");
        s.handle_text(r#"{"type":"Configure","keyterms":["Deepgram"]}"#);
        let msgs = drain(&mut s);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0]["type"], "ConfigureFailure");
        assert_eq!(msgs[0]["code"], "KeytermsNotSupported");
        assert!(s.keyterms().is_empty());
        // Numerals alone is fine on any model.
        s.handle_text(r#"{"type":"Configure","features":{"numerals":true}}"#);
        assert_eq!(drain(&mut s)[0]["type"], "ConfigureSuccess");
    }

    #[test]
    fn over_limit_keyterms_stall_the_stream_until_the_timeout_closes_1011_net0000() {
        let mut s = session("model=nova-3&encoding=linear16&sample_rate=16000&endpointing=100");
        let too_many: Vec<String> = (0..501).map(|i| format!("term{i}")).collect();
        let text = serde_json::json!({"type": "Configure", "keyterms": too_many}).to_string();
        s.handle_text(&text);
        assert!(drain(&mut s).is_empty(), "no reply, no Error");
        assert!(s.is_stalled());
        // Transcription stopped: audio is counted but no Results come, and nothing else is answered.
        let audio = dtmf::synthesize(&keys("12"), &ToneSpec::default(), 16000);
        feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
        feed(&mut s, &vec![0.0; 8000], Encoding::Linear16, 20, 16000);
        s.handle_text(r#"{"type":"Configure"}"#);
        s.handle_text(r#"{"type":"Finalize"}"#);
        s.handle_text("junk");
        s.handle_idle_timeout();
        assert!(drain(&mut s).is_empty());
        s.handle_configure_timeout();
        let msgs = drain(&mut s);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert_eq!(msgs[0]["close"], 1011);
        assert!(msgs[0]["reason"].as_str().unwrap().contains("net0000"));
        assert!(s.is_finished() && !s.is_stalled());
        // Exactly 500 tokens is within the limit.
        let mut s = session("model=nova-3&encoding=linear16&sample_rate=16000");
        let fits: Vec<String> = (0..250).map(|i| format!("two words{i}")).collect();
        s.handle_text(&serde_json::json!({"type": "Configure", "keyterms": fits}).to_string());
        assert_eq!(drain(&mut s)[0]["type"], "ConfigureSuccess");
        assert!(!s.is_stalled());
        s.handle_configure_timeout();
        assert!(drain(&mut s).is_empty(), "no stall, no close");
    }

    #[test]
    fn numerals_write_digit_words_as_digits_and_configure_switches_them() {
        let run = |query: &str, configure: Option<&str>| {
            let mut s = session(query);
            if let Some(c) = configure {
                s.handle_text(c);
                assert_eq!(drain(&mut s)[0]["type"], "ConfigureSuccess");
            }
            let audio = dtmf::synthesize(&keys("4*2"), &ToneSpec::default(), 16000);
            feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
            s.handle_text(r#"{"type":"CloseStream"}"#);
            let msgs = drain(&mut s);
            finals(&msgs)[0]["channel"]["alternatives"][0]["transcript"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let base = "encoding=linear16&sample_rate=16000&endpointing=300";
        assert_eq!(run(base, None), "four star two");
        assert_eq!(run(&format!("{base}&numerals=true"), None), "4 star 2");
        assert_eq!(
            run(
                base,
                Some(r#"{"type":"Configure","features":{"numerals":true}}"#)
            ),
            "4 star 2"
        );
        assert_eq!(
            run(
                &format!("{base}&numerals=true"),
                Some(r#"{"type":"Configure","features":{"numerals":false}}"#)
            ),
            "four star two"
        );
        // `word` changes too, not only the transcript.
        let mut s = session(&format!("{base}&numerals=true"));
        let audio = dtmf::synthesize(&keys("7"), &ToneSpec::default(), 16000);
        feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        assert_eq!(words_of(finals(&msgs)[0])[0].0, "7");
    }

    #[test]
    fn configure_numerals_before_a_wav_header_still_applies() {
        let mut s = session("endpointing=50");
        s.handle_text(r#"{"type":"Configure","features":{"numerals":true}}"#);
        drain(&mut s);
        let audio = dtmf::synthesize(&keys("3"), &ToneSpec::default(), 16000);
        let mut bytes = wav_header(
            WavFormat {
                encoding: Encoding::Linear16,
                sample_rate: 16000,
                channels: 1,
            },
            (audio.len() * 2) as u32,
        );
        encode(Encoding::Linear16, &audio, &mut bytes);
        s.handle_audio(&bytes);
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        assert_eq!(words_of(finals(&msgs)[0])[0].0, "3");
    }

    #[test]
    fn keepalive_as_binary_is_audio() {
        let mut s = session("encoding=linear16&sample_rate=16000");
        s.handle_audio(br#"{"type":"KeepAlive"}"#);
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        let expected = hex(&Sha256::digest(br#"{"type":"KeepAlive"}"#));
        assert_eq!(msgs[0]["sha256"], expected);
        assert_eq!(msgs[0]["channels"], 1);
    }

    #[test]
    fn punctuate_capitalizes_and_ends_finals() {
        let mut s = session(
            "encoding=linear16&sample_rate=16000&punctuate=true&endpointing=300&diarize=true",
        );
        let audio = dtmf::synthesize(&keys("12"), &ToneSpec::default(), 16000);
        feed(&mut s, &audio, Encoding::Linear16, 20, 16000);
        s.handle_text(r#"{"type":"CloseStream"}"#);
        let msgs = drain(&mut s);
        let f = finals(&msgs);
        assert_eq!(f[0]["channel"]["alternatives"][0]["transcript"], "One two.");
        assert_eq!(f[0]["channel"]["alternatives"][0]["words"][0]["speaker"], 0);
        assert_eq!(f[0]["metadata"]["diarize_info"]["arch"], "v1");
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let queries = [
            "",
            "encoding=linear16&sample_rate=8000&channels=3&multichannel=true&interim_results=true&vad_events=true&utterance_end_ms=1000",
            "encoding=linear32&sample_rate=44100&channels=2",
            "encoding=mulaw&sample_rate=8000&endpointing=false",
            "encoding=opus&sample_rate=48000",
        ];
        for q in queries {
            for round in 0..20 {
                let mut s = session(q);
                let mut first = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
                if round % 2 == 0 {
                    s.handle_audio(&first);
                }
                for _ in 0..50 {
                    let len = (next() % 700) as usize;
                    let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    s.handle_audio(&bytes);
                    if next() % 5 == 0 {
                        first.clear();
                        let text: String = (0..(next() % 40))
                            .map(|_| char::from(32 + (next() % 95) as u8))
                            .collect();
                        s.handle_text(&text);
                        s.handle_text(&format!(
                            "{{\"type\":\"Finalize\",\"channel\":{}}}",
                            next() % 4
                        ));
                    }
                    while s.poll_output().is_some() {}
                }
                s.handle_text(r#"{"type":"CloseStream"}"#);
                let mut closed = false;
                while let Some(o) = s.poll_output() {
                    closed |= matches!(o, SessionOutput::Close { .. });
                }
                assert!(closed || s.is_finished());
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_frame_size() {
        let audio = dtmf::synthesize(&keys("9087"), &ToneSpec::default(), 16000);
        let run = |frame_ms: usize| {
            let mut s =
                session("encoding=linear16&sample_rate=16000&interim_results=true&endpointing=50");
            feed(&mut s, &audio, Encoding::Linear16, frame_ms, 16000);
            s.handle_text(r#"{"type":"CloseStream"}"#);
            drain(&mut s)
                .into_iter()
                .filter(|m| m["type"] == "Results" && m["is_final"] == true)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(20), run(10));
        assert_eq!(run(20), run(3));
        assert_eq!(run(20).len(), 4);
    }
}
