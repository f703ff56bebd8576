//! The playback chain as one value: encoded bytes from `/v1/speak` in, float samples at the audio
//! context's rate out (decode -> anti-image resampling). It owns the partial-sample carry between
//! WebSocket messages and the resampler history; it must not buffer, schedule or fade audio (the
//! playback ring and its jitter buffer belong to the worklet/web layer).

use super::error::AudioError;
use super::resampler::{check_rate, PolyphaseResampler};
use super::sample_format::SampleFormat;

/// Largest sample size of any [`SampleFormat`] (linear32).
const MAX_SAMPLE_BYTES: usize = 4;

/// Text-to-speech playback: `PlaybackDecoder::new(SampleFormat::Linear16, 24000, 48000)` turns
/// 24 kHz `linear16` messages into 48 kHz float samples. Messages may split samples anywhere: a
/// dangling partial sample is carried into the next [`push_bytes`](Self::push_bytes).
#[derive(Debug, Clone)]
pub struct PlaybackDecoder {
    format: SampleFormat,
    resampler: PolyphaseResampler,
    carry: [u8; MAX_SAMPLE_BYTES],
    carry_len: usize,
    /// Decoded samples of the current message, reused.
    decoded: Vec<f32>,
    bytes_in: u64,
    samples_out: u64,
}

impl PlaybackDecoder {
    /// Builds the chain for a mono stream in `format` at `input_rate` (Deepgram's `sample_rate`)
    /// played at `output_rate` (the AudioContext's `sampleRate`).
    ///
    /// # Errors
    /// [`AudioError::UnsupportedRate`] naming `input_rate` or `output_rate`.
    pub fn new(
        format: SampleFormat,
        input_rate: u32,
        output_rate: u32,
    ) -> Result<Self, AudioError> {
        check_rate("input_rate", input_rate)?;
        check_rate("output_rate", output_rate)?;
        Ok(Self {
            format,
            resampler: PolyphaseResampler::new(input_rate, output_rate)?,
            carry: [0; MAX_SAMPLE_BYTES],
            carry_len: 0,
            decoded: Vec::with_capacity(4096),
            bytes_in: 0,
            samples_out: 0,
        })
    }

    /// Decodes one message's `bytes` and appends the resampled samples to `out`. Returns the number
    /// of samples appended. A trailing partial sample is kept and completed by the next call.
    pub fn push_bytes(&mut self, bytes: &[u8], out: &mut Vec<f32>) -> usize {
        self.bytes_in += bytes.len() as u64;
        let size = self.format.bytes_per_sample();
        self.decoded.clear();
        let mut rest = bytes;
        if self.carry_len > 0 {
            let need = size.saturating_sub(self.carry_len).min(rest.len());
            let (head, tail) = rest.split_at_checked(need).unwrap_or((rest, &[]));
            if let Some(slot) = self
                .carry
                .get_mut(self.carry_len..self.carry_len + head.len())
            {
                slot.copy_from_slice(head);
            }
            self.carry_len += head.len();
            rest = tail;
            if self.carry_len < size {
                return 0;
            }
            self.format
                .decode(self.carry.get(..size).unwrap_or(&[]), &mut self.decoded);
            self.carry_len = 0;
        }
        let whole = rest.len() - rest.len() % size;
        let (samples, partial) = rest.split_at_checked(whole).unwrap_or((rest, &[]));
        self.format.decode(samples, &mut self.decoded);
        if let Some(slot) = self.carry.get_mut(..partial.len()) {
            slot.copy_from_slice(partial);
            self.carry_len = partial.len();
        }
        let before = out.len();
        self.resampler.process(&self.decoded, out);
        let produced = out.len() - before;
        self.samples_out += produced as u64;
        produced
    }

    /// Pushes the resampler's delay line out with silence, so the last real sample of a stream (a
    /// flush segment) is in `out` now rather than when the next audio arrives. Appends
    /// `ceil(latency) + 1` input samples' worth of output (a few ms; 0 when the rates are equal);
    /// returns the number appended. A dangling partial sample is dropped (it cannot be completed).
    pub fn drain(&mut self, out: &mut Vec<f32>) -> usize {
        self.carry_len = 0;
        if self.resampler.is_passthrough() {
            return 0;
        }
        let zeros = (self.resampler.latency_seconds() * f64::from(self.resampler.in_rate())).ceil();
        let zeros = if zeros.is_finite() && zeros > 0.0 {
            zeros as usize + 1
        } else {
            1
        };
        self.decoded.clear();
        self.decoded.resize(zeros, 0.0);
        let before = out.len();
        self.resampler.process(&self.decoded, out);
        let produced = out.len() - before;
        self.samples_out += produced as u64;
        produced
    }

    /// Drops the partial-sample carry and the resampler history: after a Clear / barge-in the next
    /// audio starts clean instead of being glued to the cancelled tail.
    pub fn reset(&mut self) {
        self.carry_len = 0;
        self.resampler.reset();
    }

    /// Bytes of a partial sample waiting for the next message (0 after [`reset`](Self::reset)).
    pub fn pending_bytes(&self) -> usize {
        self.carry_len
    }

    /// Bytes received since construction (not cleared by [`reset`](Self::reset)).
    pub fn bytes_in(&self) -> u64 {
        self.bytes_in
    }

    /// Samples produced since construction (not cleared by [`reset`](Self::reset)).
    pub fn samples_out(&self) -> u64 {
        self.samples_out
    }

    /// The stream's encoding.
    pub fn format(&self) -> SampleFormat {
        self.format
    }

    /// The stream's rate in Hz.
    pub fn input_rate(&self) -> u32 {
        self.resampler.in_rate()
    }

    /// The playback rate in Hz.
    pub fn output_rate(&self) -> u32 {
        self.resampler.out_rate()
    }

    /// Delay the resampler adds, in seconds (0 when the rates are equal).
    pub fn latency_seconds(&self) -> f64 {
        self.resampler.latency_seconds()
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
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::*;

    fn encoded(format: SampleFormat, n: usize) -> Vec<u8> {
        let x: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.05).sin() * 0.6).collect();
        let mut bytes = Vec::new();
        format.encode(&x, &mut bytes);
        bytes
    }

    #[test]
    fn odd_bytes_are_carried_between_messages() {
        let bytes = encoded(SampleFormat::Linear16, 50);
        let mut whole = PlaybackDecoder::new(SampleFormat::Linear16, 24000, 24000).unwrap();
        let mut expected = Vec::new();
        whole.push_bytes(&bytes, &mut expected);
        let mut split = PlaybackDecoder::new(SampleFormat::Linear16, 24000, 24000).unwrap();
        let mut got = Vec::new();
        assert_eq!(split.push_bytes(&bytes[..3], &mut got), 1);
        assert_eq!(split.pending_bytes(), 1);
        assert_eq!(split.push_bytes(&bytes[3..4], &mut got), 1);
        assert_eq!(split.pending_bytes(), 0);
        split.push_bytes(&bytes[4..], &mut got);
        assert_eq!(got, expected);
    }

    #[test]
    fn reset_drops_the_carry() {
        let mut d = PlaybackDecoder::new(SampleFormat::Linear16, 16000, 16000).unwrap();
        let mut out = Vec::new();
        d.push_bytes(&[0x00], &mut out);
        assert_eq!(d.pending_bytes(), 1);
        d.reset();
        assert_eq!(d.pending_bytes(), 0);
        d.push_bytes(&[0x00, 0x40], &mut out);
        assert_eq!(out, [16384.0 / 32767.0]);
    }

    #[test]
    fn upsamples_24k_to_48k_with_exact_counts() {
        let mut d = PlaybackDecoder::new(SampleFormat::Linear16, 24000, 48000).unwrap();
        let mut out = Vec::new();
        let bytes = encoded(SampleFormat::Linear16, 2400);
        for chunk in bytes.chunks(333) {
            d.push_bytes(chunk, &mut out);
        }
        assert_eq!(out.len(), 4800);
        assert_eq!(d.samples_out(), 4800);
        assert_eq!(d.bytes_in(), 4800);
    }

    #[test]
    fn rejects_bad_rates() {
        let e = PlaybackDecoder::new(SampleFormat::Mulaw, 8000, 500_000).unwrap_err();
        assert_eq!(
            e,
            AudioError::UnsupportedRate {
                field: "output_rate",
                rate: 500_000
            }
        );
    }

    // proptest is a native-only dev-dependency (its RNG does not build for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_split_decodes_like_one_message(
            format in prop::sample::select(vec![SampleFormat::Linear16, SampleFormat::Linear32, SampleFormat::Mulaw, SampleFormat::Alaw]),
            cuts in proptest::collection::vec(0usize..41, 0..12),
        ) {
            let bytes = encoded(format, 40);
            let mut one = PlaybackDecoder::new(format, 16000, 44100).unwrap();
            let mut expected = Vec::new();
            one.push_bytes(&bytes, &mut expected);
            let mut split = PlaybackDecoder::new(format, 16000, 44100).unwrap();
            let mut got = Vec::new();
            let mut points: Vec<usize> = cuts.iter().map(|c| c * bytes.len() / 40).collect();
            points.push(0);
            points.push(bytes.len());
            points.sort_unstable();
            for w in points.windows(2) {
                split.push_bytes(&bytes[w[0]..w[1]], &mut got);
            }
            prop_assert_eq!(got, expected);
            prop_assert_eq!(split.pending_bytes(), 0);
        }
    }
}
