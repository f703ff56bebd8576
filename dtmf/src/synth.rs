//! DTMF tone synthesis: key sequences laid out on a millisecond grid, each tone two sines with short
//! raised-cosine ramps so that it starts and stops without clicks. It owns sample generation and the
//! layout (where each tone lies); it must not detect, encode or touch files.

use crate::detector::Detection;
use crate::key::Key;

/// Length of the raised-cosine fade at each end of a tone. Long enough that the onset has no click
/// (its spectrum stays within about 300 Hz of the tone), short enough to bias a detector's edge
/// estimate by at most half of it (1.5 ms).
pub const RAMP_MS: f32 = 3.0;

/// How [`synthesize`] lays out a key sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneSpec {
    /// Length of each tone in milliseconds, ramps included.
    pub tone_ms: u32,
    /// Silence after each tone in milliseconds.
    pub gap_ms: u32,
    /// Peak amplitude of the two-sine sum (each sine gets half); 1.0 is full scale.
    pub amplitude: f32,
}

impl Default for ToneSpec {
    /// 100 ms tones, 100 ms gaps, amplitude 0.5 (each sine at 0.25).
    fn default() -> Self {
        ToneSpec {
            tone_ms: 100,
            gap_ms: 100,
            amplitude: 0.5,
        }
    }
}

/// Converts a time in milliseconds to the nearest sample index at `sample_rate`.
pub fn ms_to_samples(ms: u64, sample_rate: u32) -> u64 {
    // u128 so that even absurd durations cannot overflow.
    let samples = (u128::from(ms) * u128::from(sample_rate) + 500) / 1000;
    u64::try_from(samples).unwrap_or(u64::MAX)
}

/// Where [`synthesize`] puts each tone: one [`Detection`] per key with its exact first sample and
/// one-past-last sample. Tone `i` starts at `i * (tone_ms + gap_ms)` ms, rounded to the nearest
/// sample, so long sequences do not drift at rates like 22050 or 44100.
pub fn tone_layout(keys: &[Key], spec: &ToneSpec, sample_rate: u32) -> Vec<Detection> {
    let period = u64::from(spec.tone_ms) + u64::from(spec.gap_ms);
    keys.iter()
        .zip(0u64..)
        .map(|(&key, i)| Detection {
            key,
            start_sample: ms_to_samples(i * period, sample_rate),
            end_sample: ms_to_samples(i * period + u64::from(spec.tone_ms), sample_rate),
        })
        .collect()
}

/// Synthesizes `keys` as tone, gap, tone, gap...: every key is followed by its gap (the last one
/// too), so the result is `keys.len() * (tone_ms + gap_ms)` ms long and concatenated sequences stay
/// separated. The positions are those of [`tone_layout`].
pub fn synthesize(keys: &[Key], spec: &ToneSpec, sample_rate: u32) -> Vec<f32> {
    let period = u64::from(spec.tone_ms) + u64::from(spec.gap_ms);
    let keys_len = u64::try_from(keys.len()).unwrap_or(u64::MAX);
    let total = ms_to_samples(keys_len.saturating_mul(period), sample_rate);
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for placed in tone_layout(keys, spec, sample_rate) {
        push_silence(&mut out, placed.start_sample);
        tone_samples(
            placed.key,
            placed.end_sample.saturating_sub(placed.start_sample),
            spec.amplitude,
            sample_rate,
            &mut out,
        );
    }
    push_silence(&mut out, total);
    out
}

/// Appends one tone of `key` lasting `duration_ms` (rounded to the nearest sample), with ramps.
/// `amplitude` is the peak of the two-sine sum, as in [`ToneSpec::amplitude`].
pub fn tone(key: Key, duration_ms: u32, amplitude: f32, sample_rate: u32, out: &mut Vec<f32>) {
    tone_samples(
        key,
        ms_to_samples(u64::from(duration_ms), sample_rate),
        amplitude,
        sample_rate,
        out,
    );
}

/// Pads `out` with zeros until it holds `len` samples (no-op when it is already that long).
fn push_silence(out: &mut Vec<f32>, len: u64) {
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if out.len() < len {
        out.resize(len, 0.0);
    }
}

/// Appends `n` samples of `key`'s tone. Phases start at zero at the tone's first sample, so a tone is
/// the same whatever precedes it.
fn tone_samples(key: Key, n: u64, amplitude: f32, sample_rate: u32, out: &mut Vec<f32>) {
    if sample_rate == 0 || n == 0 {
        return;
    }
    let (low, high) = key.frequencies();
    let rate = f64::from(sample_rate);
    let half = f64::from(amplitude) / 2.0;
    let w_low = std::f64::consts::TAU * f64::from(low) / rate;
    let w_high = std::f64::consts::TAU * f64::from(high) / rate;
    let ramp = ((f64::from(RAMP_MS) * rate / 1000.0).round() as u64).min(n / 2);
    out.reserve(usize::try_from(n).unwrap_or(0));
    for i in 0..n {
        let from_edge = i.min(n - 1 - i);
        let envelope = if from_edge < ramp {
            // Raised cosine from 0 towards 1 over `ramp` samples, symmetric at both ends.
            let x = (from_edge as f64 + 0.5) / ramp as f64;
            0.5 - 0.5 * (std::f64::consts::PI * x).cos()
        } else {
            1.0
        };
        let t = i as f64;
        let v = half * envelope * ((w_low * t).sin() + (w_high * t).sin());
        out.push(v as f32);
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

    /// Amplitude of frequency `f` in `x` by direct correlation (a plain DFT bin).
    fn amplitude_at(x: &[f32], f: f64, rate: f64) -> f64 {
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for (n, &v) in x.iter().enumerate() {
            let p = std::f64::consts::TAU * f * n as f64 / rate;
            re += f64::from(v) * p.cos();
            im -= f64::from(v) * p.sin();
        }
        2.0 * (re * re + im * im).sqrt() / x.len() as f64
    }

    #[test]
    fn default_spec_is_100_100_half() {
        assert_eq!(
            ToneSpec::default(),
            ToneSpec {
                tone_ms: 100,
                gap_ms: 100,
                amplitude: 0.5
            }
        );
    }

    #[test]
    fn tone_has_requested_length_peak_and_frequencies() {
        for rate in [8000u32, 22050, 44100, 48000] {
            let mut out = vec![1.0f32; 3];
            tone(Key::D5, 100, 0.8, rate, &mut out);
            assert_eq!(&out[..3], &[1.0, 1.0, 1.0], "tone appends");
            let t = &out[3..];
            assert_eq!(t.len() as u64, ms_to_samples(100, rate));
            let peak = t.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(peak <= 0.8 + 1e-6 && peak > 0.7, "peak {peak} at {rate}");
            // Middle of the tone, away from the ramps: each sine at amplitude/2.
            let mid = &t[t.len() / 5..t.len() * 4 / 5];
            let rate_f = f64::from(rate);
            let a_low = amplitude_at(mid, 770.0, rate_f);
            let a_high = amplitude_at(mid, 1336.0, rate_f);
            assert!((a_low - 0.4).abs() < 0.03, "770 Hz amplitude {a_low}");
            assert!((a_high - 0.4).abs() < 0.03, "1336 Hz amplitude {a_high}");
            assert!(amplitude_at(mid, 697.0, rate_f) < 0.1);
            assert!(amplitude_at(mid, 1209.0, rate_f) < 0.1);
        }
    }

    #[test]
    fn tone_ramps_start_and_end_near_zero() {
        let mut out = Vec::new();
        tone(Key::D, 50, 1.0, 48000, &mut out);
        assert!(out[0].abs() < 0.001);
        assert!(out.last().unwrap().abs() < 0.01);
        // No sample-to-sample jump bigger than the steady tone produces (no click).
        let max_step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        let bound = std::f32::consts::TAU * (941.0 + 1633.0) / 2.0 / 48000.0;
        assert!(max_step <= bound * 1.01, "step {max_step} > {bound}");
    }

    #[test]
    fn synthesize_lays_out_tone_gap_pairs_without_drift() {
        let keys: Vec<Key> = "0123456789*#ABCD"
            .chars()
            .filter_map(Key::from_char)
            .collect();
        let spec = ToneSpec {
            tone_ms: 70,
            gap_ms: 33,
            amplitude: 0.5,
        };
        for rate in [8000u32, 22050, 44100] {
            let x = synthesize(&keys, &spec, rate);
            assert_eq!(x.len() as u64, ms_to_samples(16 * 103, rate));
            let layout = tone_layout(&keys, &spec, rate);
            assert_eq!(layout.len(), 16);
            for (i, d) in layout.iter().enumerate() {
                assert_eq!(d.key, keys[i]);
                assert_eq!(d.start_sample, ms_to_samples(i as u64 * 103, rate));
                assert_eq!(d.end_sample, ms_to_samples(i as u64 * 103 + 70, rate));
                // Silence right before the tone, sound inside it.
                if d.start_sample > 0 {
                    assert_eq!(x[d.start_sample as usize - 1], 0.0);
                }
                // Mean power over the steady middle 40 ms: two sines of 0.25 give 0.0625.
                let mid = (d.start_sample + d.end_sample) as usize / 2;
                let half = rate as usize / 50;
                let power: f32 = x[mid - half..mid + half].iter().map(|v| v * v).sum::<f32>()
                    / (2 * half) as f32;
                assert!(
                    (power - 0.0625).abs() < 0.004,
                    "tone {i} at {rate} Hz: power {power}"
                );
                assert_eq!(x[d.end_sample as usize], 0.0, "gap after tone {i}");
            }
        }
    }

    #[test]
    fn degenerate_inputs_produce_no_samples() {
        assert!(synthesize(&[], &ToneSpec::default(), 48000).is_empty());
        assert!(synthesize(&[Key::D1], &ToneSpec::default(), 0).is_empty());
        let mut out = Vec::new();
        tone(Key::D1, 0, 0.5, 48000, &mut out);
        assert!(out.is_empty());
        let spec = ToneSpec {
            tone_ms: 0,
            gap_ms: 10,
            amplitude: 0.5,
        };
        assert!(synthesize(&[Key::D1], &spec, 8000)
            .iter()
            .all(|&v| v == 0.0));
    }
}
