//! The polyphase windowed-sinc resampler: one stateful value per mono stream that turns samples at
//! one rate into samples at another, with a real anti-alias / anti-image filter and exact sample
//! counts. It owns the filter design (Kaiser-windowed sinc, precomputed per-phase f32 tables), the
//! history ring and the phase bookkeeping. It must not allocate after construction (the caller's
//! output `Vec` grows only if the caller gives it too little capacity), must not divide per sample,
//! and knows nothing about channels or sample encodings.
//!
//! Timing model: the input is upsampled by `L` (zero stuffing), filtered by the prototype at
//! `L * in_rate`, and every `M`-th sample is kept (`L/M = out_rate/in_rate` after gcd). Output `k` is
//! taken at prototype instant `k*M + (M-1)`; the `M-1` offset is what makes the count exact: output
//! `k` needs input index `floor((k*M + M - 1)/L)`, so after `n` input samples exactly
//! `floor(n*L/M)` outputs exist (proof: `(k*M + M-1) div L <= n-1` iff `k*M + M - 1 < n*L` iff
//! `(k+1)*M <= n*L` iff `k+1 <= floor(n*L/M)`).

use super::error::AudioError;

/// Lowest sample rate (Hz) accepted anywhere in the audio layer.
pub const MIN_SAMPLE_RATE: u32 = 8_000;
/// Highest sample rate (Hz) accepted anywhere in the audio layer.
pub const MAX_SAMPLE_RATE: u32 = 192_000;

/// Filter span measured in samples of the lower of the two rates. The transition band of a Kaiser
/// filter scales with 1/span; 56 puts -0.1 dB above 0.45 x low rate and -100 dB below 0.55 x low rate
/// (7.2 kHz / 8.8 kHz at 16 kHz) with a group delay of 1.75 ms at 16 kHz.
const TAPS_PER_LOW_SAMPLE: f64 = 56.0;
/// Kaiser beta: sidelobes near -100 dB.
const KAISER_BETA: f64 = 10.0;
/// Cutoff (-6 dB point) as a fraction of the low rate's Nyquist frequency.
const CUTOFF_OF_LOW_NYQUIST: f64 = 0.985;
/// Independent accumulators in the dot product, and the tap-count granularity: lets the compiler
/// keep the sum in SIMD registers (two f32x4 on wasm simd128 / SSE) without a scalar tail.
const LANES: usize = 8;
/// Above this many phases (L or M) the exact per-phase table gets large (K*max(L,M) coefficients),
/// so odd rate pairs use a fixed phase grid with linear interpolation between neighbouring phases.
const MAX_EXACT_PHASES: u64 = 1024;
/// Phase-grid density for the interpolated mode when the input is the low rate; the interpolation
/// error scales with (bandwidth / phases)^2, about -106 dB at 512.
const INTERPOLATED_PHASES_AT_FULL_BAND: f64 = 512.0;

/// A stateful mono resampler. Both [`PolyphaseResampler`] and the benchmark's linear baseline
/// implement it, so quality and speed are measured by the same code.
pub trait Resample {
    /// Consumes `input` and appends every output sample that is now complete to `out`.
    fn process(&mut self, input: &[f32], out: &mut Vec<f32>);
    /// Forgets all history and phase, as if newly built.
    fn reset(&mut self);
}

/// Rate conversion by a Kaiser-windowed sinc polyphase FIR (see the module docs for the timing model).
///
/// Feeding one block or many blocks of any sizes yields bit-identical output, and after `n` input
/// samples exactly [`output_len_for(n)`](Self::output_len_for) = `floor(n * out_rate / in_rate)`
/// samples have been produced, so there is no drift however long the stream runs.
#[derive(Debug)]
pub struct PolyphaseResampler {
    in_rate: u32,
    out_rate: u32,
    /// L: output rate / gcd.
    up: u64,
    /// M: input rate / gcd.
    down: u64,
    mode: Mode,
    /// Filter length in input samples (a multiple of [`LANES`]); 0 in passthrough.
    taps: usize,
    /// `rows * taps` coefficients; row `r` is stored time-reversed so that the dot product with the
    /// oldest-first history window is a plain forward zip.
    table: Vec<f32>,
    /// Double-length ring: sample `i` is stored at `i` and `i + taps`, so the latest `taps` samples
    /// are always the contiguous slice `history[write..write + taps]`.
    history: Vec<f32>,
    write: usize,
    /// Input samples still to be written before the next output is due.
    pending: u64,
    /// Position of the next output within the current input sample, in 1/L units: 0..L.
    phase: u64,
    /// Interpolated mode only: `phase * grid / L` split into a row and a remainder (in 1/L units).
    row: usize,
    row_rem: u64,
    /// Per-output advance of the position `M/L`, split as whole input samples and 1/L units.
    step_whole: u64,
    step_frac: u64,
    /// Interpolated mode only: `step_frac * grid / L` split as rows and remainder.
    step_rows: usize,
    step_row_rem: u64,
    /// 1/L, for turning the row remainder into an interpolation weight.
    inv_up: f32,
    total_in: u64,
    total_out: u64,
    /// Input-to-output delay in output samples.
    latency: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Equal rates: samples are copied.
    Passthrough,
    /// One table row per phase (`L` rows).
    Exact,
    /// `grid + 1` rows on a fixed phase grid, linearly interpolated.
    Interpolated { grid: u64 },
}

impl PolyphaseResampler {
    /// Builds a resampler from `in_rate` to `out_rate` (Hz, each within 8000..=192000).
    ///
    /// # Errors
    /// [`AudioError::UnsupportedRate`] naming `in_rate` or `out_rate` when a rate is out of range.
    pub fn new(in_rate: u32, out_rate: u32) -> Result<Self, AudioError> {
        check_rate("in_rate", in_rate)?;
        check_rate("out_rate", out_rate)?;
        let g = gcd(in_rate, out_rate);
        let up = u64::from(out_rate / g);
        let down = u64::from(in_rate / g);
        let mut this = Self {
            in_rate,
            out_rate,
            up,
            down,
            mode: Mode::Passthrough,
            taps: 0,
            table: Vec::new(),
            history: Vec::new(),
            write: 0,
            pending: 0,
            phase: 0,
            row: 0,
            row_rem: 0,
            step_whole: down / up,
            step_frac: down % up,
            step_rows: 0,
            step_row_rem: 0,
            inv_up: 1.0 / up as f32,
            total_in: 0,
            total_out: 0,
            latency: 0.0,
        };
        if up != down {
            this.design();
        }
        Ok(this)
    }

    /// Designs the filter for a real conversion and starts from silence: the part of [`new`](Self::new) that
    /// passthrough skips. Separate so that `new` writes its result out at one place.
    fn design(&mut self) {
        let (in_rate, out_rate, up, down) = (self.in_rate, self.out_rate, self.up, self.down);
        let low = f64::from(in_rate.min(out_rate));
        let in_hz = f64::from(in_rate);
        // Filter span in input samples, rounded up to whole SIMD lanes (the extra taps only lengthen
        // the window, they are not zero padding).
        let span_in_samples = (TAPS_PER_LOW_SAMPLE * in_hz / low).ceil() as usize;
        let taps = span_in_samples.div_ceil(LANES).max(1) * LANES;
        let cutoff = CUTOFF_OF_LOW_NYQUIST * low / 2.0 / in_hz;

        let (mode, rows, grid) = if up.max(down) <= MAX_EXACT_PHASES {
            (Mode::Exact, up as usize, up)
        } else {
            let grid = (INTERPOLATED_PHASES_AT_FULL_BAND * low / in_hz)
                .ceil()
                .clamp(32.0, INTERPOLATED_PHASES_AT_FULL_BAND) as u64;
            (Mode::Interpolated { grid }, grid as usize + 1, grid)
        };
        // The kernel's support: exact rows sample it at offsets 0, 1/L, ..., taps - 1/L (symmetric
        // about its middle, so linear phase); interpolated rows reach offset `taps` exactly.
        let support = match mode {
            Mode::Exact => taps as f64 - 1.0 / up as f64,
            _ => taps as f64,
        };
        let kernel = Kernel::new(cutoff, support, KAISER_BETA);
        let mut table = Vec::with_capacity(rows * taps);
        let mut row_buf = vec![0.0f64; taps];
        for r in 0..rows {
            let offset = r as f64 / grid as f64;
            for (t, c) in row_buf.iter_mut().enumerate() {
                *c = kernel.at(offset + (taps - 1 - t) as f64);
            }
            // Each phase gets unit DC gain: otherwise the per-phase gain ripple shows up as an
            // image of DC at the input rate when upsampling.
            let sum: f64 = row_buf.iter().sum();
            let norm = if sum.abs() > f64::EPSILON {
                1.0 / sum
            } else {
                1.0
            };
            table.extend(row_buf.iter().map(|&c| (c * norm) as f32));
        }

        self.mode = mode;
        self.taps = taps;
        self.table = table;
        self.history = vec![0.0; 2 * taps];
        if let Mode::Interpolated { grid } = mode {
            let scaled = self.step_frac * grid;
            self.step_rows = (scaled / up) as usize;
            self.step_row_rem = scaled % up;
        }
        // Output k represents input instant (k*M + M-1)/L - centre; centre = support/2.
        let centre = support / 2.0;
        self.latency = (centre - (down - 1) as f64 / up as f64) * up as f64 / down as f64;
        self.reset();
    }

    /// The input rate in Hz.
    pub fn in_rate(&self) -> u32 {
        self.in_rate
    }

    /// The output rate in Hz.
    pub fn out_rate(&self) -> u32 {
        self.out_rate
    }

    /// The reduced ratio `(L, M)` with `L/M = out_rate/in_rate`.
    pub fn ratio(&self) -> (u64, u64) {
        (self.up, self.down)
    }

    /// Filter length in input samples (0 when the rates are equal).
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// True when the rates are equal and samples are copied unchanged.
    pub fn is_passthrough(&self) -> bool {
        self.mode == Mode::Passthrough
    }

    /// Delay from input to output, in output samples (fractional): a tone entering at input time
    /// `t` leaves at output index `t * out_rate + latency_samples()`. It is the filter's group delay
    /// minus the sub-sample offset of the output grid.
    pub fn latency_samples(&self) -> f64 {
        self.latency
    }

    /// [`latency_samples`](Self::latency_samples) in seconds.
    pub fn latency_seconds(&self) -> f64 {
        self.latency / f64::from(self.out_rate)
    }

    /// How many output samples exist after `input_total` input samples: `floor(input_total * L / M)`.
    pub fn output_len_for(&self, input_total: u64) -> u64 {
        let n = u128::from(input_total) * u128::from(self.up) / u128::from(self.down);
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// Input samples consumed since construction or the last [`reset`](Self::reset).
    pub fn total_in(&self) -> u64 {
        self.total_in
    }

    /// Output samples produced since construction or the last [`reset`](Self::reset).
    pub fn total_out(&self) -> u64 {
        self.total_out
    }

    /// Forgets history and phase (e.g. after a clear / barge-in), keeping the tables.
    // Out of line: `new` and the chains' resets call it, never per sample; inlined, each had its own copy.
    #[inline(never)]
    pub fn reset(&mut self) {
        self.history.iter_mut().for_each(|s| *s = 0.0);
        self.write = 0;
        // Output 0 sits at prototype instant M-1, i.e. needs input index (M-1) div L.
        let first = self.down - 1;
        self.pending = first / self.up + 1;
        self.phase = first % self.up;
        if let Mode::Interpolated { grid } = self.mode {
            let scaled = self.phase * grid;
            self.row = (scaled / self.up) as usize;
            self.row_rem = scaled % self.up;
        }
        self.total_in = 0;
        self.total_out = 0;
    }

    /// Consumes `input` and appends every output sample that is now complete to `out`; see
    /// [`output_len_for`](Self::output_len_for) for how many.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.total_in += input.len() as u64;
        // An upper bound on this call's outputs (one u64 division per block, not per sample).
        let due = (input.len() as u64).saturating_mul(self.up) / self.down + 1;
        out.reserve(usize::try_from(due).unwrap_or(0));
        match self.mode {
            Mode::Passthrough => {
                out.extend_from_slice(input);
                self.total_out += input.len() as u64;
            }
            Mode::Exact => self.run::<false, true>(input, out),
            Mode::Interpolated { .. } => self.run::<true, true>(input, out),
        }
    }

    /// Advances the counters and phase as [`process`](Self::process) would for `input_len` samples,
    /// without touching the history or computing outputs: the exact same walk, so tests can check
    /// counts over hours of input in moments. Returns the number of outputs that would have been made.
    #[cfg(test)]
    fn count_only(&mut self, input_len: usize) -> u64 {
        let before = self.total_out;
        self.total_in += input_len as u64;
        let mut sink = Vec::new();
        let zeros = vec![0.0f32; input_len];
        match self.mode {
            Mode::Passthrough => self.total_out += input_len as u64,
            Mode::Exact => self.run::<false, false>(&zeros, &mut sink),
            Mode::Interpolated { .. } => self.run::<true, false>(&zeros, &mut sink),
        }
        self.total_out - before
    }

    /// The hot loop. `INTERP` picks the table lookup; `COMPUTE = false` walks the phase only.
    fn run<const INTERP: bool, const COMPUTE: bool>(&mut self, input: &[f32], out: &mut Vec<f32>) {
        let mut rest = input;
        while !rest.is_empty() {
            let take = usize::try_from(self.pending).map_or(rest.len(), |p| p.min(rest.len()));
            let (now, later) = rest.split_at_checked(take).unwrap_or((rest, &[]));
            if COMPUTE {
                self.write_history(now);
            }
            self.pending -= now.len() as u64;
            rest = later;
            while self.pending == 0 {
                if COMPUTE {
                    let y = if INTERP {
                        self.output_interpolated()
                    } else {
                        self.output_exact()
                    };
                    out.push(y);
                }
                self.total_out += 1;
                self.advance(INTERP);
            }
        }
    }

    #[inline(always)]
    fn write_history(&mut self, samples: &[f32]) {
        let taps = self.taps;
        for &x in samples {
            if let Some(s) = self.history.get_mut(self.write) {
                *s = x;
            }
            if let Some(s) = self.history.get_mut(self.write + taps) {
                *s = x;
            }
            self.write += 1;
            if self.write == taps {
                self.write = 0;
            }
        }
    }

    #[inline(always)]
    fn window(&self) -> &[f32] {
        self.history
            .get(self.write..self.write + self.taps)
            .unwrap_or(&[])
    }

    #[inline(always)]
    fn table_row(&self, row: usize) -> &[f32] {
        let start = row * self.taps;
        self.table.get(start..start + self.taps).unwrap_or(&[])
    }

    #[inline(always)]
    fn output_exact(&self) -> f32 {
        dot(self.window(), self.table_row(self.phase as usize))
    }

    #[inline(always)]
    fn output_interpolated(&self) -> f32 {
        let window = self.window();
        let a = dot(window, self.table_row(self.row));
        let b = dot(window, self.table_row(self.row + 1));
        let frac = self.row_rem as f32 * self.inv_up;
        a + (b - a) * frac
    }

    #[inline(always)]
    fn advance(&mut self, interpolated: bool) {
        self.phase += self.step_frac;
        self.pending += self.step_whole;
        if interpolated {
            self.row += self.step_rows;
            self.row_rem += self.step_row_rem;
            if self.row_rem >= self.up {
                self.row_rem -= self.up;
                self.row += 1;
            }
        }
        if self.phase >= self.up {
            self.phase -= self.up;
            self.pending += 1;
            if let Mode::Interpolated { grid } = self.mode {
                self.row -= grid as usize;
            }
        }
    }
}

// Written out to keep it out of line: the derived `clone` was inlined into the capture chain's
// `vec![resampler; channels]`, which then spelled out the ~25 scalar fields per copy (about 1 KB of wasm).
// Everything but the two buffers is `Copy`.
impl Clone for PolyphaseResampler {
    #[inline(never)]
    fn clone(&self) -> Self {
        Self {
            table: self.table.clone(),
            history: self.history.clone(),
            ..*self
        }
    }
}

impl Resample for PolyphaseResampler {
    fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        PolyphaseResampler::process(self, input, out);
    }
    fn reset(&mut self) {
        PolyphaseResampler::reset(self);
    }
}

/// Checks one rate against the supported range, naming `field` in the error.
pub(crate) fn check_rate(field: &'static str, rate: u32) -> Result<(), AudioError> {
    if (MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(AudioError::UnsupportedRate { field, rate })
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        let r = a % b;
        a = b;
        b = r;
    }
    a.max(1)
}

/// `sum(a[i] * b[i])` with [`LANES`] independent partial sums: f32 addition is not associative, so
/// the compiler only vectorizes a reduction whose lanes are written out like this (two f32x4 on
/// wasm simd128 / SSE; 16 or 32 lanes measured no faster, and slower for the short upsampling rows).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for ((s, &xi), &yi) in acc.iter_mut().zip(x).zip(y) {
            *s += xi * yi;
        }
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    let [a0, a1, a2, a3, a4, a5, a6, a7] = acc;
    ((a0 + a4) + (a1 + a5)) + ((a2 + a6) + (a3 + a7)) + tail
}

/// [`dot`] written with wasm simd128 intrinsics: the same two f32x4 partial sums added in the same order, so the
/// result is bit-identical, but the vector code no longer depends on the optimiser. The package is built with LTO
/// at opt-level "z", which neither vectorizes the portable loop nor merges its lane loads (2.7x slower).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
#[allow(unsafe_code)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::{
        f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load,
    };
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    let mut lo = f32x4_splat(0.0);
    let mut hi = f32x4_splat(0.0);
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        let (x_lo, x_hi) = x.split_at(4);
        let (y_lo, y_hi) = y.split_at(4);
        // SAFETY: each half is a live `&[f32]` of exactly 4 elements (16 bytes: `split_at(4)` of an 8-element
        // chunk), and `v128_load` reads unaligned (it is `read_unaligned`), so every load is in bounds.
        let (xl, xh, yl, yh) = unsafe {
            (
                v128_load(x_lo.as_ptr().cast::<v128>()),
                v128_load(x_hi.as_ptr().cast::<v128>()),
                v128_load(y_lo.as_ptr().cast::<v128>()),
                v128_load(y_hi.as_ptr().cast::<v128>()),
            )
        };
        lo = f32x4_add(lo, f32x4_mul(xl, yl));
        hi = f32x4_add(hi, f32x4_mul(xh, yh));
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    let s = f32x4_add(lo, hi);
    (f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s))
        + (f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s))
        + tail
}

/// The continuous prototype: a sinc with cutoff `cutoff` (cycles per input sample) under a Kaiser
/// window spanning `0..=support` input samples. Evaluated in f64, only while building tables.
struct Kernel {
    cutoff: f64,
    centre: f64,
    half_width: f64,
    beta: f64,
    inv_i0_beta: f64,
}

impl Kernel {
    fn new(cutoff: f64, support: f64, beta: f64) -> Self {
        Self {
            cutoff,
            centre: support / 2.0,
            half_width: support / 2.0,
            beta,
            inv_i0_beta: 1.0 / bessel_i0(beta),
        }
    }

    fn at(&self, tau: f64) -> f64 {
        let x = tau - self.centre;
        let r = x / self.half_width;
        if r.abs() > 1.0 {
            return 0.0;
        }
        let arg = 2.0 * self.cutoff * x;
        let sinc = if arg.abs() < 1e-12 {
            1.0
        } else {
            sin_pi(arg) / (std::f64::consts::PI * arg)
        };
        let window = bessel_i0(self.beta * (1.0 - r * r).max(0.0).sqrt()) * self.inv_i0_beta;
        2.0 * self.cutoff * sinc * window
    }
}

/// `sin(pi * a)`, to within an ulp or two for the |a| < 2^52 used here. The reduction is exact (`a - round(a)`
/// loses no bits), so the series only ever sees |x| <= pi/2, where 12 odd Taylor terms leave an error near 1e-17.
/// Written out because `f64::sin` on wasm32 links libm's general argument reduction (about 7 KB of the module)
/// for a function called only while building tables.
fn sin_pi(a: f64) -> f64 {
    let n = a.round_ties_even();
    let x = std::f64::consts::PI * (a - n);
    let x2 = x * x;
    // sin x = x (1 - x²/(2·3) (1 - x²/(4·5) (1 - ... (1 - x²/(22·23))))): Horner from the innermost factor.
    let mut t = 1.0;
    for k in (1..=11u32).rev() {
        let k = f64::from(2 * k);
        t = 1.0 - x2 / (k * (k + 1.0)) * t;
    }
    let s = x * t;
    if n.rem_euclid(2.0) == 0.0 {
        s
    } else {
        -s
    }
}

/// Modified Bessel function of the first kind, order 0, by its power series (converges fast for
/// the beta values used here). Not inlined: it has two callers, both building tables.
#[inline(never)]
fn bessel_i0(x: f64) -> f64 {
    let half = x / 2.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1.0;
    while term > sum * 1e-17 {
        let f = half / k;
        term *= f * f;
        sum += term;
        k += 1.0;
    }
    sum
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
    use crate::quality;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    #[test]
    fn sin_pi_matches_the_library_sine_over_the_kernel_range() {
        // Every argument the kernels use: |a| up to 2 * cutoff * half-width, well under 1000.
        let mut worst = 0.0f64;
        for i in -400_000..=400_000 {
            let a = f64::from(i) * 0.002_471_3;
            let err = (sin_pi(a) - (std::f64::consts::PI * a).sin()).abs();
            worst = worst.max(err);
        }
        // The library's own reduction of pi * a is inexact by ~|pi * a| ulps; ours is exact.
        assert!(worst < 1e-12, "worst |sin_pi - sin| = {worst:e}");
        assert_eq!(sin_pi(0.0), 0.0);
        assert_eq!(sin_pi(3.0), 0.0);
        assert!((sin_pi(0.5) - 1.0).abs() < 4.5e-16);
        assert!((sin_pi(-1.5) - 1.0).abs() < 4.5e-16);
        assert!((sin_pi(2.5) - 1.0).abs() < 4.5e-16);
    }

    /// A deterministic pseudo-random generator (tests must not depend on a rand crate).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut g = Lcg(seed);
        (0..len)
            .map(|_| (g.below(20001) as f32 - 10000.0) / 10000.0)
            .collect()
    }

    #[test]
    fn bessel_i0_matches_known_values() {
        assert!((bessel_i0(0.0) - 1.0).abs() < 1e-15);
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_4).abs() < 1e-12);
        assert!((bessel_i0(10.0) - 2_815.716_628_466_254).abs() < 1e-8);
    }

    #[test]
    fn rejects_out_of_range_rates_naming_the_field() {
        let e = PolyphaseResampler::new(7999, 16000).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedRate {
                field: "in_rate",
                rate: 7999
            }
        );
        let e = PolyphaseResampler::new(48000, 192_001).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedRate {
                field: "out_rate",
                rate: 192_001
            }
        );
        assert!(PolyphaseResampler::new(8000, 192_000).is_ok());
    }

    #[test]
    fn reduces_the_ratio_and_picks_the_mode() {
        let r = PolyphaseResampler::new(44100, 16000).unwrap();
        assert_eq!(r.ratio(), (160, 441));
        assert_eq!(r.mode, Mode::Exact);
        assert_eq!(r.taps() % LANES, 0);
        let r = PolyphaseResampler::new(192_000, 8001).unwrap();
        assert!(matches!(r.mode, Mode::Interpolated { .. }));
        assert!(PolyphaseResampler::new(16000, 16000)
            .unwrap()
            .is_passthrough());
    }

    #[test]
    fn passthrough_copies_samples() {
        let mut r = PolyphaseResampler::new(48000, 48000).unwrap();
        let input = noise(300, 1);
        let mut out = Vec::new();
        r.process(&input, &mut out);
        assert_eq!(out, input);
        assert_eq!(r.latency_samples(), 0.0);
    }

    #[test]
    fn counts_are_exact_after_every_block() {
        for &(i, o) in &[
            (48000, 16000),
            (44100, 16000),
            (16000, 48000),
            (24000, 44100),
            (8000, 8001),
            (192_000, 8001),
        ] {
            let mut r = PolyphaseResampler::new(i, o).unwrap();
            let mut g = Lcg(u64::from(i ^ o));
            let mut total = 0u64;
            let mut out = Vec::new();
            for _ in 0..200 {
                let n = g.below(700) as usize;
                r.process(&vec![0.25; n], &mut out);
                total += n as u64;
                assert_eq!(
                    out.len() as u64,
                    total * u64::from(o) / u64::from(i),
                    "{i}->{o}"
                );
                assert_eq!(r.total_out(), out.len() as u64);
            }
        }
    }

    #[test]
    fn one_hour_of_44100_in_128_sample_blocks_has_zero_drift() {
        let mut r = PolyphaseResampler::new(44100, 16000).unwrap();
        let blocks = 44100u64 * 3600 / 128;
        for _ in 0..blocks {
            r.count_only(128);
        }
        let fed = blocks * 128;
        assert_eq!(r.total_in(), fed);
        assert_eq!(r.total_out(), fed * 16000 / 44100);
        // The counting walk is the real one: with audio, 10 s agree sample for sample.
        let mut real = PolyphaseResampler::new(44100, 16000).unwrap();
        let mut walk = PolyphaseResampler::new(44100, 16000).unwrap();
        let block = noise(128, 3);
        let mut out = Vec::with_capacity(200);
        for _ in 0..(44100 * 10 / 128) {
            out.clear();
            real.process(&block, &mut out);
            assert_eq!(walk.count_only(128), out.len() as u64);
        }
    }

    fn run_in_blocks(i: u32, o: u32, input: &[f32], sizes: &mut dyn FnMut() -> usize) -> Vec<f32> {
        let mut r = PolyphaseResampler::new(i, o).unwrap();
        let mut out = Vec::new();
        let mut rest = input;
        while !rest.is_empty() {
            let n = sizes().min(rest.len());
            let (a, b) = rest.split_at(n);
            r.process(a, &mut out);
            rest = b;
        }
        out
    }

    #[test]
    fn output_does_not_depend_on_block_sizes() {
        let input = noise(6000, 9);
        for &(i, o) in &[
            (48000, 16000),
            (44100, 16000),
            (16000, 24000),
            (22050, 48000),
            (191_999, 8000),
        ] {
            let whole = run_in_blocks(i, o, &input, &mut || usize::MAX);
            let mut g = Lcg(77);
            let random = run_in_blocks(i, o, &input, &mut || g.below(300) as usize);
            let ones = run_in_blocks(i, o, &input, &mut || 1);
            assert_eq!(whole, random, "{i}->{o}");
            assert_eq!(whole, ones, "{i}->{o}");
        }
    }

    #[test]
    fn reset_restarts_from_silence() {
        let input = noise(1000, 4);
        let mut r = PolyphaseResampler::new(48000, 16000).unwrap();
        let mut first = Vec::new();
        r.process(&input, &mut first);
        r.reset();
        assert_eq!(r.total_in(), 0);
        let mut second = Vec::new();
        r.process(&input, &mut second);
        assert_eq!(first, second);
    }

    #[test]
    fn dc_passes_at_unit_gain() {
        for &(i, o) in &[
            (48000, 16000),
            (16000, 48000),
            (44100, 16000),
            (8000, 44100),
            (192_000, 8001),
        ] {
            let mut r = PolyphaseResampler::new(i, o).unwrap();
            let mut out = Vec::new();
            r.process(&vec![0.5; 8000], &mut out);
            let settled = &out[out.len() / 2..];
            for &y in settled {
                assert!((y - 0.5).abs() < 1e-4, "{i}->{o}: {y}");
            }
        }
    }

    fn assert_quality(i: u32, o: u32, passband_to: f64, spur_limit_db: f64) {
        let tones: Vec<f64> = [1000.0, 3400.0, 6000.0, 7000.0, passband_to]
            .into_iter()
            .filter(|&f| f <= passband_to)
            .collect();
        let spurs = quality::spur_tones(i, o, 800.0);
        let report = quality::measure(
            || PolyphaseResampler::new(i, o).unwrap(),
            i,
            o,
            &tones,
            &spurs,
            0.25,
        );
        for &(f, db) in &report.passband {
            assert!(db.abs() <= 0.1, "{i}->{o}: {db:.3} dB at {f} Hz");
        }
        assert!(
            report.worst_spur_db <= spur_limit_db,
            "{i}->{o}: spur {:.1} dB from a {} Hz tone",
            report.worst_spur_db,
            report.worst_spur_tone_hz
        );
        assert!(
            report.latency_ms <= 2.0,
            "{i}->{o}: latency {} ms",
            report.latency_ms
        );
        let predicted_ms = PolyphaseResampler::new(i, o).unwrap().latency_seconds() * 1000.0;
        assert!(
            (report.latency_ms - predicted_ms).abs() < 0.02,
            "{} vs {predicted_ms}",
            report.latency_ms
        );
    }

    #[test]
    fn decimation_48k_to_16k_meets_the_targets() {
        assert_quality(48000, 16000, 7000.0, -95.0);
    }

    #[test]
    fn decimation_44k1_to_16k_meets_the_targets() {
        assert_quality(44100, 16000, 7000.0, -95.0);
    }

    #[test]
    fn interpolation_16k_to_48k_meets_the_targets() {
        assert_quality(16000, 48000, 7200.0, -90.0);
    }

    #[test]
    fn interpolation_24k_to_44k1_meets_the_targets() {
        let tones = [1000.0, 6000.0, 10_800.0];
        let spurs = quality::spur_tones(24000, 44100, 1100.0);
        let report = quality::measure(
            || PolyphaseResampler::new(24000, 44100).unwrap(),
            24000,
            44100,
            &tones,
            &spurs,
            0.25,
        );
        for &(f, db) in &report.passband {
            assert!(db.abs() <= 0.1, "{db:.3} dB at {f} Hz");
        }
        assert!(
            report.worst_spur_db <= -90.0,
            "{:.1} dB",
            report.worst_spur_db
        );
    }

    #[test]
    fn interpolated_phase_grid_keeps_the_quality() {
        // 44.1 kHz -> 16001 Hz (L = 16001) and 11024 Hz -> 48 kHz (L = 3000, M = 689) take the
        // fixed-grid path, decimating and interpolating.
        for (i, o, top) in [(44100, 16001, 7000.0), (11024, 48000, 4960.0)] {
            let r = PolyphaseResampler::new(i, o).unwrap();
            assert!(matches!(r.mode, Mode::Interpolated { .. }), "{i}->{o}");
            let spurs = quality::spur_tones(i, o, 1300.0);
            let report = quality::measure(
                || PolyphaseResampler::new(i, o).unwrap(),
                i,
                o,
                &[1000.0, top],
                &spurs,
                0.1,
            );
            for &(f, db) in &report.passband {
                assert!(db.abs() <= 0.1, "{i}->{o}: {db:.3} dB at {f} Hz");
            }
            assert!(
                report.worst_spur_db <= -95.0,
                "{i}->{o}: {:.1} dB",
                report.worst_spur_db
            );
            let predicted_ms = r.latency_seconds() * 1000.0;
            assert!(
                (report.latency_ms - predicted_ms).abs() < 0.02,
                "{} vs {predicted_ms}",
                report.latency_ms
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    const RATES: [u32; 12] = [
        8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192_000, 12345,
    ];

    // proptest is a native-only dev-dependency (its RNG does not build for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_rates_any_blocks_exact_counts_no_panic(
            a in 0usize..RATES.len(),
            b in 0usize..RATES.len(),
            sizes in proptest::collection::vec(0usize..600, 1..12),
            seed in any::<u64>(),
        ) {
            let (i, o) = (RATES[a], RATES[b]);
            let mut r = PolyphaseResampler::new(i, o).unwrap();
            let input = noise(sizes.iter().sum(), seed);
            let mut out = Vec::new();
            let mut fed = 0usize;
            for &n in &sizes {
                r.process(&input[fed..fed + n], &mut out);
                fed += n;
                prop_assert_eq!(out.len() as u64, fed as u64 * u64::from(o) / u64::from(i));
            }
            prop_assert!(out.iter().all(|y| y.is_finite() && y.abs() < 2.0));
        }
    }
}
