//! Text-to-speech voices: the `Voice` trait and the deterministic DTMF voice (the espeak-ng voice is in
//! `espeak.rs`).
//!
//! A voice turns text into mono f32 samples at a given rate. It owns only synthesis; buffering, Flush,
//! Clear, framing, encoding and pacing belong to `speak_session.rs` and `speak_driver.rs`. The DTMF voice
//! reads no clock and does no IO, so its output is a pure function of the text and the rate.
//!
//! The DTMF voice, token by token (constants below):
//! - each digit character, and each word `zero`..`nine`, `star`, `pound` (any case), and the characters
//!   `*` and `#`: that key's DTMF tone, [`DIGIT_TONE_MS`] long, then [`DIGIT_GAP_MS`] of silence;
//! - any other run of letters (a word): a dial-tone-like [`WORD_FREQUENCIES`] chord, [`WORD_TONE_MS`]
//!   long, then [`WORD_GAP_MS`] of silence; the DTMF detector never reports it;
//! - each run of spaces or punctuation: [`PAUSE_MS`] of silence.
//!
//! So `/v1/speak` audio fed back into `/v1/listen` transcribes to exactly the digit words of the text.

/// Synthesizes text.
pub trait Voice: Send {
    /// Appends the samples for `text` at `sample_rate` to `out`.
    ///
    /// It is called synchronously on the connection's tokio task when a Flush arrives, and cannot fail:
    /// an engine that runs a program must keep other tasks running while it waits (the espeak voice uses
    /// `tokio::task::block_in_place`) and append silence when synthesis fails.
    fn synthesize(&mut self, text: &str, sample_rate: u32, out: &mut Vec<f32>);
}

/// Builds voices; one per speak connection.
pub trait VoiceEngine: Send + Sync {
    /// A voice for one connection; `model` is the requested model name.
    fn create(&self, model: &str) -> Box<dyn Voice>;
}

/// Length of a digit's DTMF tone.
pub const DIGIT_TONE_MS: u32 = 100;
/// Silence after a digit's tone.
pub const DIGIT_GAP_MS: u32 = 60;
/// Peak amplitude of every tone (DTMF: the two-sine sum, as `dtmf::ToneSpec::amplitude`).
pub const AMPLITUDE: f32 = 0.5;
/// Length of a non-digit word's tone.
pub const WORD_TONE_MS: u32 = 120;
/// Silence after a non-digit word's tone.
pub const WORD_GAP_MS: u32 = 60;
/// The two frequencies of a non-digit word's tone (the North American dial tone).
pub const WORD_FREQUENCIES: (f32, f32) = (350.0, 440.0);
/// Silence for a run of spaces or punctuation.
pub const PAUSE_MS: u32 = 40;
/// Fade at both ends of a word tone, so it starts and stops without clicks.
const WORD_RAMP_MS: f32 = 3.0;

/// The deterministic DTMF voice.
#[derive(Debug, Clone, Copy, Default)]
pub struct DtmfVoice;

fn push_silence(out: &mut Vec<f32>, ms: u32, rate: u32) {
    let n = dtmf::ms_to_samples(u64::from(ms), rate);
    out.extend(std::iter::repeat_n(0.0, usize::try_from(n).unwrap_or(0)));
}

fn push_key(out: &mut Vec<f32>, key: dtmf::Key, rate: u32) {
    dtmf::tone(key, DIGIT_TONE_MS, AMPLITUDE, rate, out);
    push_silence(out, DIGIT_GAP_MS, rate);
}

fn push_word_tone(out: &mut Vec<f32>, rate: u32) {
    let n = dtmf::ms_to_samples(u64::from(WORD_TONE_MS), rate);
    let r = f64::from(rate.max(1));
    let ramp = ((f64::from(WORD_RAMP_MS) * r / 1000.0).round() as u64).min(n / 2);
    let (f1, f2) = WORD_FREQUENCIES;
    let w1 = std::f64::consts::TAU * f64::from(f1) / r;
    let w2 = std::f64::consts::TAU * f64::from(f2) / r;
    let half = f64::from(AMPLITUDE) / 2.0;
    for i in 0..n {
        let from_edge = i.min(n - 1 - i);
        let env = if from_edge < ramp {
            0.5 - 0.5 * (std::f64::consts::PI * (from_edge as f64 + 0.5) / ramp as f64).cos()
        } else {
            1.0
        };
        let t = i as f64;
        out.push((half * env * ((w1 * t).sin() + (w2 * t).sin())) as f32);
    }
    push_silence(out, WORD_GAP_MS, rate);
}

/// The DTMF key a spoken token stands for (digits, `star`, `pound`; not the letter keys, which are
/// common English words).
fn key_for_word(word: &str) -> Option<dtmf::Key> {
    dtmf::Key::from_word(word)
        .filter(|k| !matches!(k, dtmf::Key::A | dtmf::Key::B | dtmf::Key::C | dtmf::Key::D))
}

impl Voice for DtmfVoice {
    fn synthesize(&mut self, text: &str, rate: u32, out: &mut Vec<f32>) {
        let mut chars = text.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() || c == '*' || c == '#' {
                chars.next();
                if let Some(key) = dtmf::Key::from_char(c) {
                    push_key(out, key, rate);
                }
            } else if c.is_alphabetic() || c == '\'' {
                let mut word = String::new();
                while let Some(&w) = chars.peek() {
                    if w.is_alphabetic() || w == '\'' {
                        word.push(w);
                        chars.next();
                    } else {
                        break;
                    }
                }
                match key_for_word(&word) {
                    Some(key) => push_key(out, key, rate),
                    None => push_word_tone(out, rate),
                }
            } else {
                while chars
                    .peek()
                    .is_some_and(|w| !(w.is_alphanumeric() || *w == '*' || *w == '#' || *w == '\''))
                {
                    chars.next();
                }
                push_silence(out, PAUSE_MS, rate);
            }
        }
    }
}

/// The engine behind [`DtmfVoice`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DtmfVoiceEngine;

impl VoiceEngine for DtmfVoiceEngine {
    fn create(&self, _model: &str) -> Box<dyn Voice> {
        Box::new(DtmfVoice)
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

    fn words(text: &str, rate: u32) -> Vec<(String, f64, f64)> {
        let mut out = Vec::new();
        DtmfVoice.synthesize(text, rate, &mut out);
        dtmf::detect_all(&out, rate)
            .into_iter()
            .map(|d| {
                (
                    d.key.word().to_string(),
                    d.start_sample as f64 / f64::from(rate),
                    d.end_sample as f64 / f64::from(rate),
                )
            })
            .collect()
    }

    #[test]
    fn digits_and_digit_words_become_their_tones_and_nothing_else() {
        let got = words("Call 1 two, then star #; a cat!", 16000);
        let names: Vec<_> = got.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(names, ["one", "two", "star", "pound"]);
    }

    #[test]
    fn layout_follows_the_constants() {
        // "12": tone 0-100, gap 100-160, tone 160-260 ms.
        let got = words("12", 8000);
        assert!(
            (got[0].1 - 0.0).abs() < 0.01 && (got[0].2 - 0.1).abs() < 0.01,
            "{got:?}"
        );
        assert!(
            (got[1].1 - 0.16).abs() < 0.01 && (got[1].2 - 0.26).abs() < 0.01,
            "{got:?}"
        );
        let mut out = Vec::new();
        DtmfVoice.synthesize("hello world", 8000, &mut out);
        // word tone + gap, pause, word tone + gap
        let expected_ms = 2 * (WORD_TONE_MS + WORD_GAP_MS) + PAUSE_MS;
        assert_eq!(out.len() as u32, expected_ms * 8);
        assert!(out.iter().all(|x| x.abs() <= AMPLITUDE + 1e-6));
    }

    #[test]
    fn every_rate_round_trips() {
        for rate in [8000, 16000, 24000, 32000, 48000] {
            let names: Vec<_> = words("9 8 seven", rate).into_iter().map(|w| w.0).collect();
            assert_eq!(names, ["nine", "eight", "seven"], "{rate}");
        }
    }
}
