//! The stateful linear-interpolation resampler most browser voice clients ship (ElevenLabs Scribe,
//! wavtools-style). It exists only as the baseline the benchmark measures ours against: it has no
//! anti-alias filter, so it must never be used for capture or playback.

use super::error::AudioError;
use super::resampler::{check_rate, Resample};

/// Linear interpolation between the two newest input samples, with the same exact-count output
/// grid as [`PolyphaseResampler`](super::PolyphaseResampler) (so speed is compared per sample of
/// equal output). Benchmark baseline only.
#[derive(Debug, Clone)]
pub struct LinearResampler {
    up: u64,
    step_whole: u64,
    step_frac: u64,
    pending: u64,
    phase: u64,
    inv_up: f32,
    previous: f32,
    current: f32,
    first_phase: u64,
    first_pending: u64,
}

impl LinearResampler {
    /// Builds the baseline from `in_rate` to `out_rate` (Hz, 8000..=192000).
    ///
    /// # Errors
    /// [`AudioError::UnsupportedRate`] naming `in_rate` or `out_rate`.
    pub fn new(in_rate: u32, out_rate: u32) -> Result<Self, AudioError> {
        check_rate("in_rate", in_rate)?;
        check_rate("out_rate", out_rate)?;
        let (mut a, mut b) = (in_rate, out_rate);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let up = u64::from(out_rate / a);
        let down = u64::from(in_rate / a);
        let first = down - 1;
        Ok(Self {
            up,
            step_whole: down / up,
            step_frac: down % up,
            pending: first / up + 1,
            phase: first % up,
            inv_up: 1.0 / up as f32,
            previous: 0.0,
            current: 0.0,
            first_phase: first % up,
            first_pending: first / up + 1,
        })
    }
}

impl Resample for LinearResampler {
    fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for &x in input {
            self.previous = self.current;
            self.current = x;
            self.pending -= 1;
            while self.pending == 0 {
                let t = self.phase as f32 * self.inv_up;
                out.push(self.previous + (self.current - self.previous) * t);
                self.phase += self.step_frac;
                self.pending += self.step_whole;
                if self.phase >= self.up {
                    self.phase -= self.up;
                    self.pending += 1;
                }
            }
        }
    }

    fn reset(&mut self) {
        self.pending = self.first_pending;
        self.phase = self.first_phase;
        self.previous = 0.0;
        self.current = 0.0;
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

    #[test]
    fn counts_match_the_polyphase_grid_and_ramps_stay_linear() {
        let mut r = LinearResampler::new(16000, 48000).unwrap();
        let ramp: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let mut out = Vec::new();
        r.process(&ramp, &mut out);
        assert_eq!(out.len(), 300);
        // A ramp interpolates to a finer ramp (one input sample of delay).
        for w in out[3..].windows(2) {
            assert!((w[1] - w[0] - 1.0 / 3.0).abs() < 1e-4);
        }
        r.reset();
        let mut again = Vec::new();
        r.process(&ramp, &mut again);
        assert_eq!(out, again);
        assert!(LinearResampler::new(100, 16000).is_err());
    }
}
