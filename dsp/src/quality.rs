//! Measuring a resampler the way the targets in `AUDIO.md` are stated: passband gain of pure tones,
//! worst spurious output (aliases when decimating, images when interpolating) and the real
//! input-to-output delay, all from the steady-state output of tones fed in 128-sample blocks. It is
//! shared by the unit tests and `benches/resampler.rs` so both report the same numbers. It is
//! measurement tooling: f64, allocating, not meant for the audio thread, and it must not tune or
//! special-case any resampler.

use super::resampler::Resample;
use std::f64::consts::PI;

/// Peak amplitude of every test tone (well below full scale, so nothing clips).
const TONE_AMPLITUDE: f64 = 0.5;
/// Block size used to feed the resampler, as an AudioWorklet render quantum delivers it.
const FEED_BLOCK: usize = 128;
/// Output discarded before measuring: longer than any filter's settling time here.
const SETTLE_SECONDS: f64 = 0.02;
/// Frequency used to measure delay: its 10 ms period makes any delay below 10 ms unambiguous.
const DELAY_PROBE_HZ: f64 = 100.0;

/// What [`measure`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    /// `(tone Hz, gain dB)` for each passband tone.
    pub passband: Vec<(f64, f64)>,
    /// The largest spurious output over the spur tones, in dB relative to the tone (aliases or images).
    pub worst_spur_db: f64,
    /// The input tone that produced [`worst_spur_db`](Self::worst_spur_db), in Hz.
    pub worst_spur_tone_hz: f64,
    /// Input-to-output delay measured from the phase of a 100 Hz tone, in milliseconds.
    pub latency_ms: f64,
}

/// The spur tones that the targets are stated for, every `step_hz`: when decimating, input tones
/// from 0.55 x the output rate (8.8 kHz for 16 kHz) up to the input Nyquist frequency (anything they
/// produce is an alias); when interpolating, input tones up to 0.9 x the input Nyquist frequency
/// (anything other than the tone itself is an image). Empty for equal rates.
pub fn spur_tones(in_rate: u32, out_rate: u32, step_hz: f64) -> Vec<f64> {
    let (fin, fout) = (f64::from(in_rate), f64::from(out_rate));
    let step = step_hz.max(1.0);
    let mut tones = Vec::new();
    if out_rate < in_rate {
        let mut f = 0.55 * fout;
        while f < fin / 2.0 - 1.0 {
            tones.push(f);
            f += step;
        }
    } else if out_rate > in_rate {
        let top = 0.45 * fin;
        let mut f = step;
        while f < top {
            tones.push(f);
            f += step;
        }
        tones.push(top);
    }
    tones
}

/// Feeds tones through fresh resamplers from `make` and measures them; each tone runs for
/// `seconds` of steady state after a short settling time.
pub fn measure<R: Resample>(
    mut make: impl FnMut() -> R,
    in_rate: u32,
    out_rate: u32,
    passband_hz: &[f64],
    spur_tones_hz: &[f64],
    seconds: f64,
) -> QualityReport {
    let fout = f64::from(out_rate);
    let tone_rms = TONE_AMPLITUDE / 2f64.sqrt();
    let mut passband = Vec::with_capacity(passband_hz.len());
    for &f in passband_hz {
        let (skip, out) = run_tone(&mut make(), f, in_rate, out_rate, seconds);
        let (amplitude, _) = fit_tone(out.get(skip..).unwrap_or(&[]), skip, f, fout);
        passband.push((f, db(amplitude / TONE_AMPLITUDE)));
    }
    let mut worst_spur_db = f64::NEG_INFINITY;
    let mut worst_spur_tone_hz = 0.0;
    for &f in spur_tones_hz {
        let (skip, out) = run_tone(&mut make(), f, in_rate, out_rate, seconds);
        let steady = out.get(skip..).unwrap_or(&[]);
        let residual = if f < fout / 2.0 {
            let (amplitude, phase) = fit_tone(steady, skip, f, fout);
            let w = 2.0 * PI * f / fout;
            let sq: f64 = steady
                .iter()
                .enumerate()
                .map(|(i, &y)| {
                    let e = f64::from(y) - amplitude * (w * (skip + i) as f64 + phase).sin();
                    e * e
                })
                .sum();
            (sq / steady.len().max(1) as f64).sqrt()
        } else {
            rms(steady)
        };
        let spur = db(residual / tone_rms);
        if spur > worst_spur_db {
            worst_spur_db = spur;
            worst_spur_tone_hz = f;
        }
    }
    let (skip, out) = run_tone(
        &mut make(),
        DELAY_PROBE_HZ,
        in_rate,
        out_rate,
        seconds.max(0.05),
    );
    let (_, phase) = fit_tone(out.get(skip..).unwrap_or(&[]), skip, DELAY_PROBE_HZ, fout);
    // y[k] = A sin(w (k/fout - D)) => phase = -w D.
    let period_ms = 1000.0 / DELAY_PROBE_HZ;
    // Reported in [-period/4, 3 period/4): a resampler may lead by a fraction of a sample.
    let latency_ms = (-phase / (2.0 * PI * DELAY_PROBE_HZ) * 1000.0 + period_ms / 4.0)
        .rem_euclid(period_ms)
        - period_ms / 4.0;
    QualityReport {
        passband,
        worst_spur_db,
        worst_spur_tone_hz,
        latency_ms,
    }
}

/// Runs `TONE_AMPLITUDE * sin(2 pi f n / in_rate)` through `r` in 128-sample blocks; returns the
/// number of output samples to skip (settling) and the whole output.
fn run_tone<R: Resample>(
    r: &mut R,
    f: f64,
    in_rate: u32,
    out_rate: u32,
    seconds: f64,
) -> (usize, Vec<f32>) {
    let fin = f64::from(in_rate);
    let len = ((SETTLE_SECONDS + seconds) * fin) as usize;
    let w = 2.0 * PI * f / fin;
    let input: Vec<f32> = (0..len)
        .map(|n| (TONE_AMPLITUDE * (w * n as f64).sin()) as f32)
        .collect();
    let mut out = Vec::new();
    for block in input.chunks(FEED_BLOCK) {
        r.process(block, &mut out);
    }
    let skip = (SETTLE_SECONDS * f64::from(out_rate)) as usize;
    (skip, out)
}

/// Amplitude and phase of the component `A sin(2 pi f k / rate + phase)` of `y`, whose first sample
/// has index `first`: a least-squares fit of a sine and a cosine at exactly `f`, which is exact for a
/// pure tone over any number of periods (a windowed DFT leaks the tone's negative-frequency twin
/// into the residual at low frequencies).
pub fn fit_tone(y: &[f32], first: usize, f: f64, rate: f64) -> (f64, f64) {
    let w = 2.0 * PI * f / rate;
    let (mut ss, mut sc, mut cc, mut ys, mut yc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let (s, c) = (w * (first + i) as f64).sin_cos();
        let v = f64::from(v);
        ss += s * s;
        sc += s * c;
        cc += c * c;
        ys += v * s;
        yc += v * c;
    }
    let det = ss * cc - sc * sc;
    if det.abs() < f64::EPSILON * (ss * cc).max(1.0) {
        return (0.0, 0.0);
    }
    // y = a sin + b cos = A sin(x + phase) with A cos(phase) = a, A sin(phase) = b.
    let a = (ys * cc - yc * sc) / det;
    let b = (yc * ss - ys * sc) / det;
    ((a * a + b * b).sqrt(), b.atan2(a))
}

/// Root mean square of `y` (0 for an empty slice).
pub fn rms(y: &[f32]) -> f64 {
    if y.is_empty() {
        return 0.0;
    }
    (y.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / y.len() as f64).sqrt()
}

/// `20 log10(ratio)`, floored at -300 dB so silence compares as very small rather than -inf.
pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.max(1e-15).log10()
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

    #[test]
    fn fit_tone_recovers_amplitude_and_phase() {
        let rate = 16000.0;
        let y: Vec<f32> = (0..4000)
            .map(|k| (0.3 * (2.0 * PI * 1234.5 * k as f64 / rate + 0.7).sin()) as f32)
            .collect();
        let (a, p) = fit_tone(&y[100..], 100, 1234.5, rate);
        assert!((a - 0.3).abs() < 1e-5, "{a}");
        assert!((p - 0.7).abs() < 1e-4, "{p}");
    }

    #[test]
    fn spur_tones_cover_the_stated_bands() {
        let down = spur_tones(48000, 16000, 1000.0);
        assert_eq!(down.first().copied(), Some(8800.0));
        assert!(down.iter().all(|&f| (8800.0..24000.0).contains(&f)));
        let up = spur_tones(16000, 48000, 1000.0);
        assert_eq!(up.last().copied(), Some(7200.0));
        assert!(spur_tones(16000, 16000, 100.0).is_empty());
    }

    /// A "resampler" that just copies: the measurement of a perfect system must read perfect.
    struct Copy;
    impl Resample for Copy {
        fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
            out.extend_from_slice(input);
        }
        fn reset(&mut self) {}
    }

    #[test]
    fn a_perfect_copy_measures_flat_clean_and_instant() {
        let r = measure(|| Copy, 16000, 16000, &[1000.0, 7000.0], &[3000.0], 0.1);
        assert!(r.passband.iter().all(|&(_, g)| g.abs() < 1e-4));
        assert!(r.worst_spur_db < -100.0, "{}", r.worst_spur_db);
        assert!(r.latency_ms.abs() < 1e-3, "{}", r.latency_ms);
    }
}
