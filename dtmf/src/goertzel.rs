//! A bank of eight Goertzel filters (the DTMF frequencies) run over fixed-length hops of a
//! DC-blocked signal. Each finished hop yields the complex DFT value at every frequency, referenced
//! to the absolute sample index, so that the values of consecutive hops can simply be added to get
//! the DFT of any window made of whole hops (a sliding DFT at hop granularity, for the price of one
//! Goertzel pass over each sample). It owns this arithmetic only: it must not decide what a key is.

use crate::key::{COLUMN_FREQUENCIES, ROW_FREQUENCIES};

/// Number of analysed frequencies: four rows then four columns.
pub(crate) const BANDS: usize = 8;

/// Cut-off of the DC blocker. Far below 697 Hz (gain there is 0.9996), high enough that an offset
/// appearing mid-stream decays within about 8 ms.
const DC_CUTOFF_HZ: f64 = 20.0;

/// The DFT of one hop at the eight DTMF frequencies, plus the hop's energy.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct HopSpectrum {
    /// Real parts, referenced to absolute time (see the module comment).
    pub re: [f32; BANDS],
    /// Imaginary parts, referenced to absolute time.
    pub im: [f32; BANDS],
    /// Sum of the squared (DC-blocked) samples of the hop.
    pub energy: f32,
}

/// Streaming Goertzel bank over hops of `hop_len` samples.
#[derive(Debug, Clone)]
pub(crate) struct HopAnalyzer {
    hop_len: usize,
    /// `2 cos(w)` per band: the Goertzel recurrence coefficient.
    coeff: [f32; BANDS],
    cos_w: [f32; BANDS],
    sin_w: [f32; BANDS],
    /// `w * (index of the current hop's last sample)` modulo 2 pi, per band.
    phase: [f64; BANDS],
    /// `w * hop_len` modulo 2 pi, per band.
    phase_step: [f64; BANDS],
    s1: [f32; BANDS],
    s2: [f32; BANDS],
    energy: f32,
    filled: usize,
    dc_r: f32,
    dc_x1: f32,
    dc_y1: f32,
    started: bool,
}

impl HopAnalyzer {
    /// A bank for `sample_rate` (Hz, non-zero) and hops of `hop_len` samples (at least 1).
    pub(crate) fn new(sample_rate: u32, hop_len: usize) -> HopAnalyzer {
        let rate = f64::from(sample_rate.max(1));
        let hop_len = hop_len.max(1);
        let mut a = HopAnalyzer {
            hop_len,
            coeff: [0.0; BANDS],
            cos_w: [0.0; BANDS],
            sin_w: [0.0; BANDS],
            phase: [0.0; BANDS],
            phase_step: [0.0; BANDS],
            s1: [0.0; BANDS],
            s2: [0.0; BANDS],
            energy: 0.0,
            filled: 0,
            dc_r: (1.0 - std::f64::consts::TAU * DC_CUTOFF_HZ / rate).clamp(0.0, 1.0) as f32,
            dc_x1: 0.0,
            dc_y1: 0.0,
            started: false,
        };
        let freqs = ROW_FREQUENCIES.iter().chain(COLUMN_FREQUENCIES.iter());
        let bands = a
            .coeff
            .iter_mut()
            .zip(a.cos_w.iter_mut())
            .zip(a.sin_w.iter_mut())
            .zip(a.phase.iter_mut())
            .zip(a.phase_step.iter_mut());
        for (((((coeff, cos_w), sin_w), phase), step), &f) in bands.zip(freqs) {
            let w = std::f64::consts::TAU * f64::from(f) / rate;
            *coeff = (2.0 * w.cos()) as f32;
            *cos_w = w.cos() as f32;
            *sin_w = w.sin() as f32;
            *phase = (w * (hop_len as f64 - 1.0)).rem_euclid(std::f64::consts::TAU);
            *step = (w * hop_len as f64).rem_euclid(std::f64::consts::TAU);
        }
        a
    }

    /// Samples still needed to complete the current hop.
    pub(crate) fn remaining_in_hop(&self) -> usize {
        self.hop_len - self.filled
    }

    /// Consumes samples from `samples` until the current hop completes or the input runs out.
    /// Returns how many samples were consumed and, when a hop completed, its spectrum.
    pub(crate) fn push(&mut self, samples: &[f32]) -> (usize, Option<HopSpectrum>) {
        let take = self.remaining_in_hop().min(samples.len());
        let (now, _) = samples.split_at(take);
        if !self.started {
            if let Some(&first) = now.first() {
                // Start the DC blocker settled on the first sample, so a constant offset present from
                // the start is not a step (whose decay would look like low-frequency energy).
                self.dc_x1 = if first.is_finite() { first } else { 0.0 };
                self.started = true;
            }
        }
        let (mut s1, mut s2) = (self.s1, self.s2);
        let (mut x1, mut y1, mut energy) = (self.dc_x1, self.dc_y1, self.energy);
        let coeff = self.coeff;
        for &raw in now {
            // A NaN or infinity would poison the filters for the rest of the stream.
            let x = if raw.is_finite() { raw } else { 0.0 };
            let y = x - x1 + self.dc_r * y1;
            x1 = x;
            y1 = y;
            energy += y * y;
            for ((a, b), c) in s1.iter_mut().zip(s2.iter_mut()).zip(coeff.iter()) {
                let s = y + c * *a - *b;
                *b = *a;
                *a = s;
            }
        }
        self.dc_x1 = x1;
        self.dc_y1 = y1;
        self.filled += take;
        if self.filled < self.hop_len {
            self.s1 = s1;
            self.s2 = s2;
            self.energy = energy;
            return (take, None);
        }
        let mut hop = HopSpectrum {
            energy,
            ..HopSpectrum::default()
        };
        for i in 0..BANDS {
            let (Some(&a), Some(&b), Some(&c), Some(&s), Some(p)) = (
                s1.get(i),
                s2.get(i),
                self.cos_w.get(i),
                self.sin_w.get(i),
                self.phase.get_mut(i),
            ) else {
                continue;
            };
            // Goertzel output: sum of x[m] e^{+jw(H-1-m)}; rotate by e^{-jw(n0+H-1)} to get the
            // DFT referenced to absolute sample 0.
            let yr = a - c * b;
            let yi = s * b;
            let (ps, pc) = p.sin_cos();
            let (ps, pc) = (ps as f32, pc as f32);
            if let (Some(re), Some(im)) = (hop.re.get_mut(i), hop.im.get_mut(i)) {
                *re = yr * pc + yi * ps;
                *im = yi * pc - yr * ps;
            }
            *p = (*p + self.phase_step.get(i).copied().unwrap_or(0.0))
                .rem_euclid(std::f64::consts::TAU);
        }
        self.s1 = [0.0; BANDS];
        self.s2 = [0.0; BANDS];
        self.energy = 0.0;
        self.filled = 0;
        (take, Some(hop))
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

    fn hops(x: &[f32], rate: u32, hop: usize) -> Vec<HopSpectrum> {
        let mut a = HopAnalyzer::new(rate, hop);
        let mut out = Vec::new();
        let mut rest = x;
        while !rest.is_empty() {
            let (used, h) = a.push(rest);
            rest = &rest[used..];
            out.extend(h);
        }
        out
    }

    #[test]
    fn summed_hops_equal_a_direct_dft_of_the_window() {
        let rate = 16000;
        let x: Vec<f32> = (0..1000)
            .map(|n| {
                let t = n as f64 / rate as f64;
                (0.3 * (std::f64::consts::TAU * 770.0 * t + 0.3).sin()
                    + 0.2 * (std::f64::consts::TAU * 1477.0 * t).sin()) as f32
            })
            .collect();
        let hop = 80;
        let h = hops(&x, rate, hop);
        assert_eq!(h.len(), 12);
        // Window of hops 3..8 against a direct DFT (the DC blocker's effect at these frequencies is
        // below 0.1%, and the tone has no DC).
        for band in [1usize, 6, 0, 7] {
            let f = if band < 4 {
                ROW_FREQUENCIES[band]
            } else {
                COLUMN_FREQUENCIES[band - 4]
            };
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (n, &v) in x.iter().enumerate().take(8 * hop).skip(3 * hop) {
                let p = std::f64::consts::TAU * f64::from(f) * n as f64 / rate as f64;
                re += f64::from(v) * p.cos();
                im -= f64::from(v) * p.sin();
            }
            let (sr, si) = h[3..8].iter().fold((0.0f64, 0.0f64), |(r, i), s| {
                (r + f64::from(s.re[band]), i + f64::from(s.im[band]))
            });
            let direct = (re * re + im * im).sqrt();
            let summed = (sr * sr + si * si).sqrt();
            assert!(
                // The DC blocker shifts phases by about 1%; absent bands hold only leakage (~0.5).
                (direct - summed).abs() <= 0.01 * direct + 0.1,
                "band {band}: direct {direct} summed {summed}"
            );
        }
    }

    #[test]
    fn block_boundaries_do_not_matter_and_non_finite_is_silence() {
        let x: Vec<f32> = (0..997)
            .map(|n| ((n * 7919) % 113) as f32 / 113.0 - 0.5)
            .collect();
        let whole = hops(&x, 8000, 40);
        let mut a = HopAnalyzer::new(8000, 40);
        let mut pieces = Vec::new();
        for chunk in x.chunks(7) {
            let mut rest = chunk;
            while !rest.is_empty() {
                let (used, h) = a.push(rest);
                rest = &rest[used..];
                pieces.extend(h);
            }
        }
        assert_eq!(whole, pieces);
        let bad = [f32::NAN, f32::INFINITY, 0.0, f32::NEG_INFINITY];
        let h = hops(&bad.repeat(10), 8000, 40);
        assert_eq!(h.len(), 1);
        assert!(h[0].energy == 0.0 && h[0].re.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn constant_offset_from_the_start_is_removed() {
        let h = hops(&vec![0.4f32; 800], 8000, 40);
        let e: f32 = h.iter().map(|s| s.energy).sum();
        assert!(e < 1e-6, "energy {e}");
    }
}
