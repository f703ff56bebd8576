//! The raw sample encodings the audio layer produces (capture, `/v1/listen`) and consumes
//! (playback, `/v1/speak`), named as Deepgram's `encoding` query parameter names them. It owns the
//! mapping from a format to its byte layout and codec functions; it must not carry rates or
//! channel counts (those travel beside it) nor resample.

use super::error::AudioError;
use super::{g711, pcm};

/// A headerless sample encoding, one channel's samples after another frame by frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleFormat {
    /// `linear16`: 16-bit signed little-endian PCM.
    Linear16,
    /// `linear32`: 32-bit IEEE float little-endian PCM.
    Linear32,
    /// `mulaw`: 8-bit G.711 mu-law.
    Mulaw,
    /// `alaw`: 8-bit G.711 A-law.
    Alaw,
}

impl SampleFormat {
    /// Parses Deepgram's `encoding` value (`linear16`, `linear32`, `mulaw`, `alaw`).
    ///
    /// # Errors
    /// [`AudioError::UnsupportedEncoding`] naming `encoding` for anything else (e.g. `opus`, which
    /// is a container/codec the browser encodes, not raw samples).
    pub fn from_encoding(encoding: &str) -> Result<Self, AudioError> {
        match encoding {
            "linear16" => Ok(Self::Linear16),
            "linear32" => Ok(Self::Linear32),
            "mulaw" => Ok(Self::Mulaw),
            "alaw" => Ok(Self::Alaw),
            other => Err(AudioError::UnsupportedEncoding {
                field: "encoding",
                value: other.to_owned(),
            }),
        }
    }

    /// The `encoding` query value Deepgram uses for this format.
    pub fn encoding(self) -> &'static str {
        match self {
            Self::Linear16 => "linear16",
            Self::Linear32 => "linear32",
            Self::Mulaw => "mulaw",
            Self::Alaw => "alaw",
        }
    }

    /// Bytes per sample of one channel.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::Linear16 => 2,
            Self::Linear32 => 4,
            Self::Mulaw | Self::Alaw => 1,
        }
    }

    /// Appends `samples` encoded in this format to `out`. Floats are clamped to [-1, 1] and NaN
    /// becomes silence.
    pub fn encode(self, samples: &[f32], out: &mut Vec<u8>) {
        match self {
            Self::Linear16 => pcm::f32_to_pcm16_le(samples, out),
            Self::Linear32 => pcm::f32_to_f32_le(samples, out),
            Self::Mulaw => g711::f32_to_mulaw(samples, out),
            Self::Alaw => g711::f32_to_alaw(samples, out),
        }
    }

    /// Appends the samples of `bytes` (whole samples only: a partial trailing sample is ignored) to
    /// `out`.
    pub fn decode(self, bytes: &[u8], out: &mut Vec<f32>) {
        match self {
            Self::Linear16 => pcm::pcm16_le_to_f32(bytes, out),
            Self::Linear32 => pcm::f32_le_to_f32(bytes, out),
            Self::Mulaw => g711::mulaw_to_f32(bytes, out),
            Self::Alaw => g711::alaw_to_f32(bytes, out),
        }
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

    const ALL: [SampleFormat; 4] = [
        SampleFormat::Linear16,
        SampleFormat::Linear32,
        SampleFormat::Mulaw,
        SampleFormat::Alaw,
    ];

    #[test]
    fn encoding_names_round_trip() {
        for f in ALL {
            assert_eq!(SampleFormat::from_encoding(f.encoding()).unwrap(), f);
        }
        let e = SampleFormat::from_encoding("opus").unwrap_err();
        assert!(e.to_string().contains("`encoding`"));
    }

    #[test]
    fn encode_then_decode_is_close_and_sized() {
        let x = [0.0, 0.5, -0.5, 0.99, -1.0];
        for f in ALL {
            let mut bytes = Vec::new();
            f.encode(&x, &mut bytes);
            assert_eq!(bytes.len(), x.len() * f.bytes_per_sample());
            let mut back = Vec::new();
            f.decode(&bytes, &mut back);
            for (a, b) in x.iter().zip(&back) {
                let tol = if matches!(f, SampleFormat::Mulaw | SampleFormat::Alaw) {
                    0.02
                } else {
                    1e-4
                };
                assert!((a - b).abs() <= tol, "{f:?}: {a} vs {b}");
            }
        }
    }
}
