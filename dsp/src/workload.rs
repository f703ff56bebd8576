//! A fixed, self-checking resampling workload for timing the DSP where no clock is available to
//! Rust (wasm in a browser: the web layer times it with `performance.now()`). It owns the
//! definition of the workload only; it must not read a clock or print.

use super::error::AudioError;
use super::linear_baseline::LinearResampler;
use super::pcm::f32_to_pcm16_le;
use super::resampler::{PolyphaseResampler, Resample};

/// Frames per block fed by [`resample_workload`]: one AudioWorklet render quantum. Time per input
/// sample = elapsed / (`blocks` x this).
pub const WORKLOAD_BLOCK_FRAMES: usize = 128;

/// Blocks in the repeating input signal (about 85 ms at 48 kHz): long enough not to be periodic in
/// the filter's view, small enough to stay in cache.
const SIGNAL_BLOCKS: usize = 32;

/// Runs `blocks` blocks of 128 samples of a speech-band test signal through a fresh
/// `in_rate -> out_rate` [`PolyphaseResampler`] and converts the output to `linear16`, exactly what
/// the capture worklet does per render quantum. Returns a checksum of the bytes so the work cannot
/// be optimised away. (Native and wasm checksums can differ in the last bit of a few samples: the
/// filter tables and test signal use the platform's `sin`, whose last-ulp rounding differs.)
///
/// # Errors
/// [`AudioError::UnsupportedRate`] naming `in_rate` or `out_rate`.
pub fn resample_workload(in_rate: u32, out_rate: u32, blocks: usize) -> Result<u32, AudioError> {
    run(
        PolyphaseResampler::new(in_rate, out_rate)?,
        in_rate,
        out_rate,
        blocks,
    )
}

/// [`resample_workload`] through the linear-interpolation baseline ([`LinearResampler`]), so the
/// two can be timed side by side in the same environment.
///
/// # Errors
/// [`AudioError::UnsupportedRate`] naming `in_rate` or `out_rate`.
pub fn linear_workload(in_rate: u32, out_rate: u32, blocks: usize) -> Result<u32, AudioError> {
    run(
        LinearResampler::new(in_rate, out_rate)?,
        in_rate,
        out_rate,
        blocks,
    )
}

fn run(
    mut resampler: impl Resample,
    in_rate: u32,
    out_rate: u32,
    blocks: usize,
) -> Result<u32, AudioError> {
    let fin = in_rate as f32;
    let signal: Vec<f32> = (0..WORKLOAD_BLOCK_FRAMES * SIGNAL_BLOCKS)
        .map(|n| {
            let t = n as f32 / fin;
            let tau = std::f32::consts::TAU;
            0.4 * (tau * 440.0 * t).sin()
                + 0.2 * (tau * 3100.0 * t).sin()
                + 0.1 * (tau * 9700.0 * t).sin()
        })
        .collect();
    let out_block = WORKLOAD_BLOCK_FRAMES * out_rate as usize / in_rate as usize + 2;
    let mut resampled = Vec::with_capacity(out_block);
    let mut bytes = Vec::with_capacity(2 * out_block);
    let mut checksum = 0x811c_9dc5u32;
    for block in signal
        .chunks_exact(WORKLOAD_BLOCK_FRAMES)
        .cycle()
        .take(blocks)
    {
        resampled.clear();
        resampler.process(block, &mut resampled);
        bytes.clear();
        f32_to_pcm16_le(&resampled, &mut bytes);
        for pair in bytes.as_chunks::<2>().0 {
            checksum = (checksum ^ u32::from(u16::from_le_bytes(*pair))).wrapping_mul(0x0100_0193);
        }
    }
    Ok(checksum)
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
    fn deterministic_and_rate_dependent() {
        let a = resample_workload(48000, 16000, 40).unwrap();
        assert_eq!(a, resample_workload(48000, 16000, 40).unwrap());
        assert_ne!(a, resample_workload(44100, 16000, 40).unwrap());
        assert_ne!(a, resample_workload(48000, 16000, 41).unwrap());
        assert!(resample_workload(48000, 7000, 1).is_err());
    }
}
