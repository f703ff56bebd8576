//! The capture chain as one value: planar float blocks from the microphone worklet in, encoded bytes
//! for `/v1/listen` out (channel mapping -> anti-alias resampling -> clamp + encode). It owns the
//! per-channel resamplers and the scratch buffers they reuse, so steady-state pushes allocate
//! nothing. It must not frame, batch or send audio (20 ms framing belongs to the worklet/web layer).

use super::downmix::{downmix_planar, frame_count, source_channel, MAX_CHANNELS};
use super::error::AudioError;
use super::resampler::{check_rate, PolyphaseResampler};
use super::sample_format::SampleFormat;

/// Frames of scratch reserved up front: 8 render quanta, so typical blocks never grow a buffer.
const PREALLOCATED_FRAMES: usize = 1024;

/// Microphone capture: `CaptureEncoder::new(48000, 16000, 1, SampleFormat::Linear16)` turns
/// 48 kHz planar blocks into 16 kHz mono `linear16` bytes.
///
/// Channel mapping: with one output channel every input channel is averaged; with several, output
/// channel `k` takes input channel `k`, a mono input is duplicated into all outputs, and outputs
/// without a matching input are silent. Frames per push = the shortest input channel's length.
#[derive(Debug, Clone)]
pub struct CaptureEncoder {
    format: SampleFormat,
    input_rate: u32,
    output_rate: u32,
    resamplers: Vec<PolyphaseResampler>,
    /// Mono mix (one output channel) of the current block.
    mixed: Vec<f32>,
    /// Per output channel resampled samples of the current block.
    resampled: Vec<Vec<f32>>,
    /// Interleaved frames of the current block (several output channels only).
    interleaved: Vec<f32>,
    frames_in: u64,
    frames_out: u64,
}

impl CaptureEncoder {
    /// Builds the chain from the device rate `input_rate` to the stream's `output_rate`, with
    /// `output_channels` channels (1..=8) encoded as `format`.
    ///
    /// # Errors
    /// [`AudioError::UnsupportedRate`] naming `input_rate` / `output_rate`, or
    /// [`AudioError::UnsupportedChannels`] naming `output_channels`.
    pub fn new(
        input_rate: u32,
        output_rate: u32,
        output_channels: usize,
        format: SampleFormat,
    ) -> Result<Self, AudioError> {
        check_rate("input_rate", input_rate)?;
        check_rate("output_rate", output_rate)?;
        if !(1..=MAX_CHANNELS).contains(&output_channels) {
            return Err(AudioError::UnsupportedChannels {
                field: "output_channels",
                channels: output_channels,
            });
        }
        let resampler = PolyphaseResampler::new(input_rate, output_rate)?;
        let out_frames = PREALLOCATED_FRAMES * output_rate as usize / input_rate as usize + 2;
        Ok(Self {
            format,
            input_rate,
            output_rate,
            resamplers: vec![resampler; output_channels],
            mixed: Vec::with_capacity(PREALLOCATED_FRAMES),
            // Not `vec![v; n]`: cloning a Vec drops its spare capacity.
            resampled: (0..output_channels)
                .map(|_| Vec::with_capacity(out_frames))
                .collect(),
            interleaved: Vec::with_capacity(if output_channels > 1 {
                out_frames * output_channels
            } else {
                0
            }),
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Resamples and encodes one block of planar `channels` (any count, e.g. the worklet's
    /// `inputs[0]`), appending the bytes to `out`. Returns the number of output frames appended;
    /// over the stream their total is exactly `floor(frames_in * output_rate / input_rate)`.
    /// An empty channel list (the worklet's input while the track is not yet live) appends nothing.
    pub fn push_planar(&mut self, channels: &[&[f32]], out: &mut Vec<u8>) -> usize {
        let frames = frame_count(channels);
        if frames == 0 {
            return 0;
        }
        let produced;
        if let ([resampler], [resampled]) = (
            self.resamplers.as_mut_slice(),
            self.resampled.as_mut_slice(),
        ) {
            self.mixed.clear();
            downmix_planar(channels, &mut self.mixed);
            resampled.clear();
            resampler.process(&self.mixed, resampled);
            self.format.encode(resampled, out);
            produced = resampled.len();
        } else {
            for (k, (resampler, resampled)) in self
                .resamplers
                .iter_mut()
                .zip(self.resampled.iter_mut())
                .enumerate()
            {
                resampled.clear();
                let source = source_channel(k, channels.len()).and_then(|c| channels.get(c));
                match source.and_then(|c| c.get(..frames)) {
                    Some(samples) => resampler.process(samples, resampled),
                    None => {
                        // A silent output channel still advances its resampler, so every channel
                        // keeps the same sample count.
                        self.mixed.clear();
                        self.mixed.resize(frames, 0.0);
                        resampler.process(&self.mixed, resampled);
                    }
                }
            }
            produced = self.resampled.first().map_or(0, Vec::len);
            self.interleaved.clear();
            for i in 0..produced {
                self.interleaved.extend(
                    self.resampled
                        .iter()
                        .map(|c| c.get(i).copied().unwrap_or(0.0)),
                );
            }
            self.format.encode(&self.interleaved, out);
        }
        self.frames_in += frames as u64;
        self.frames_out += produced as u64;
        produced
    }

    /// Drops resampler history and the counters (a new stream starts from silence).
    pub fn reset(&mut self) {
        self.resamplers
            .iter_mut()
            .for_each(PolyphaseResampler::reset);
        self.frames_in = 0;
        self.frames_out = 0;
    }

    /// Input frames consumed since construction or [`reset`](Self::reset).
    pub fn frames_in(&self) -> u64 {
        self.frames_in
    }

    /// Output frames produced since construction or [`reset`](Self::reset).
    pub fn frames_out(&self) -> u64 {
        self.frames_out
    }

    /// The device rate the chain expects, in Hz.
    pub fn input_rate(&self) -> u32 {
        self.input_rate
    }

    /// The rate of the encoded stream, in Hz (Deepgram's `sample_rate`).
    pub fn output_rate(&self) -> u32 {
        self.output_rate
    }

    /// Channels in the encoded stream (Deepgram's `channels`).
    pub fn output_channels(&self) -> usize {
        self.resamplers.len()
    }

    /// The encoding of the stream (Deepgram's `encoding`).
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// Bytes per output frame (all channels).
    pub fn bytes_per_frame(&self) -> usize {
        self.format.bytes_per_sample() * self.resamplers.len()
    }

    /// Delay the resampler adds, in seconds (0 when the rates are equal).
    pub fn latency_seconds(&self) -> f64 {
        self.resamplers
            .first()
            .map_or(0.0, PolyphaseResampler::latency_seconds)
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
    use crate::quality::fit_tone;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    fn tone(f: f64, rate: f64, len: usize, amp: f64) -> Vec<f32> {
        (0..len)
            .map(|n| (amp * (2.0 * std::f64::consts::PI * f * n as f64 / rate).sin()) as f32)
            .collect()
    }

    #[test]
    fn rejects_bad_configuration_naming_the_field() {
        let e = CaptureEncoder::new(48000, 16000, 0, SampleFormat::Linear16).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedChannels {
                field: "output_channels",
                channels: 0
            }
        );
        let e = CaptureEncoder::new(1000, 16000, 1, SampleFormat::Linear16).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedRate {
                field: "input_rate",
                rate: 1000
            }
        );
        let e = CaptureEncoder::new(48000, 200_000, 1, SampleFormat::Linear16).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedRate {
                field: "output_rate",
                rate: 200_000
            }
        );
    }

    #[test]
    fn stereo_48k_to_mono_16k_linear16() {
        let mut enc = CaptureEncoder::new(48000, 16000, 1, SampleFormat::Linear16).unwrap();
        let left = tone(1000.0, 48000.0, 48000, 0.5);
        let right = vec![0.0f32; 48000];
        let mut bytes = Vec::new();
        for (l, r) in left.chunks(128).zip(right.chunks(128)) {
            enc.push_planar(&[l, r], &mut bytes);
        }
        assert_eq!(enc.frames_in(), 48000);
        assert_eq!(enc.frames_out(), 16000);
        assert_eq!(bytes.len(), 32000);
        let samples: Vec<f32> = bytes
            .chunks_exact(2)
            .map(|p| f32::from(i16::from_le_bytes([p[0], p[1]])) / 32768.0)
            .collect();
        // Averaging halves the left channel: 0.25 at 1 kHz.
        let (a, _) = fit_tone(&samples[800..], 800, 1000.0, 16000.0);
        assert!((a - 0.25).abs() < 0.001, "{a}");
    }

    #[test]
    fn multichannel_keeps_channels_and_duplicates_mono() {
        let mut enc = CaptureEncoder::new(16000, 16000, 2, SampleFormat::Linear16).unwrap();
        let mut bytes = Vec::new();
        assert_eq!(enc.push_planar(&[&[0.5, -0.5]], &mut bytes), 2);
        assert_eq!(bytes, [0x00, 0x40, 0x00, 0x40, 0x00, 0xC0, 0x00, 0xC0]);
        bytes.clear();
        enc.push_planar(&[&[1.0], &[-1.0], &[0.7]], &mut bytes);
        assert_eq!(bytes, [0xFF, 0x7F, 0x00, 0x80]);
        let mut three = CaptureEncoder::new(48000, 16000, 3, SampleFormat::Mulaw).unwrap();
        let mut out = Vec::new();
        let n = three.push_planar(&[&[0.1; 300], &[0.2; 300]], &mut out);
        assert_eq!(n, 100);
        assert_eq!(out.len(), 300);
        assert_eq!(three.bytes_per_frame(), 3);
    }

    #[test]
    fn every_format_has_the_right_byte_count() {
        for (format, bps) in [
            (SampleFormat::Linear16, 2),
            (SampleFormat::Linear32, 4),
            (SampleFormat::Mulaw, 1),
            (SampleFormat::Alaw, 1),
        ] {
            let mut enc = CaptureEncoder::new(44100, 8000, 1, format).unwrap();
            let mut out = Vec::new();
            for _ in 0..100 {
                enc.push_planar(&[&[0.1; 128]], &mut out);
            }
            assert_eq!(out.len() as u64, 12800 * 8000 / 44100 * bps);
        }
    }

    #[test]
    fn empty_input_is_a_no_op_and_reset_restarts() {
        let mut enc = CaptureEncoder::new(48000, 16000, 1, SampleFormat::Linear16).unwrap();
        let mut out = Vec::new();
        assert_eq!(enc.push_planar(&[], &mut out), 0);
        enc.push_planar(&[&[0.3; 100]], &mut out);
        let first = out.clone();
        enc.reset();
        assert_eq!(enc.frames_in(), 0);
        out.clear();
        enc.push_planar(&[&[0.3; 100]], &mut out);
        assert_eq!(out, first);
    }

    #[test]
    fn steady_state_pushes_do_not_grow_scratch() {
        let mut enc = CaptureEncoder::new(48000, 16000, 2, SampleFormat::Linear16).unwrap();
        let mut out = Vec::with_capacity(4096);
        enc.push_planar(&[&[0.1; 128], &[0.2; 128]], &mut out);
        let caps: Vec<usize> = enc.resampled.iter().map(Vec::capacity).collect();
        let (mc, ic) = (enc.mixed.capacity(), enc.interleaved.capacity());
        for _ in 0..1000 {
            out.clear();
            enc.push_planar(&[&[0.1; 128], &[0.2; 128]], &mut out);
        }
        assert_eq!(
            caps,
            enc.resampled.iter().map(Vec::capacity).collect::<Vec<_>>()
        );
        assert_eq!((mc, ic), (enc.mixed.capacity(), enc.interleaved.capacity()));
        assert_eq!(out.capacity(), 4096);
    }

    // proptest is a native-only dev-dependency (its RNG does not build for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn counts_are_exact_for_any_blocks(
            rate_in in prop::sample::select(vec![16000u32, 44100, 48000, 96000]),
            rate_out in prop::sample::select(vec![8000u32, 16000, 24000, 48000]),
            channels in 1usize..4,
            blocks in proptest::collection::vec(0usize..400, 1..8),
        ) {
            let mut enc = CaptureEncoder::new(rate_in, rate_out, channels, SampleFormat::Linear16).unwrap();
            let mut out = Vec::new();
            let mut total = 0u64;
            for n in blocks {
                let block = vec![0.2f32; n];
                enc.push_planar(&[&block, &block], &mut out);
                total += n as u64;
            }
            let frames = total * u64::from(rate_out) / u64::from(rate_in);
            prop_assert_eq!(enc.frames_out(), frames);
            prop_assert_eq!(out.len() as u64, frames * 2 * channels as u64);
        }
    }
}
