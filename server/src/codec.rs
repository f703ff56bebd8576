//! Sample codecs: linear16, linear32 (f32 LE), G.711 mu-law and A-law, both directions.
//!
//! Owns the byte <-> f32 conversions and the carry of a sample split across WebSocket frames. It must not
//! know about containers, channels' meaning or time: `container.rs` and `transcriber.rs` do.

/// A raw sample encoding this server can decode and (except linear32) synthesize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// 16-bit signed little-endian PCM.
    Linear16,
    /// 32-bit IEEE float little-endian PCM.
    Linear32,
    /// G.711 mu-law, one byte per sample.
    Mulaw,
    /// G.711 A-law, one byte per sample.
    Alaw,
}

impl Encoding {
    /// Parses Deepgram's `encoding` value.
    pub fn from_name(name: &str) -> Option<Encoding> {
        match name {
            "linear16" => Some(Encoding::Linear16),
            "linear32" => Some(Encoding::Linear32),
            "mulaw" => Some(Encoding::Mulaw),
            "alaw" => Some(Encoding::Alaw),
            _ => None,
        }
    }

    /// Deepgram's name for the encoding.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Linear16 => "linear16",
            Encoding::Linear32 => "linear32",
            Encoding::Mulaw => "mulaw",
            Encoding::Alaw => "alaw",
        }
    }

    /// Bytes per sample of one channel.
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Encoding::Linear16 => 2,
            Encoding::Linear32 => 4,
            Encoding::Mulaw | Encoding::Alaw => 1,
        }
    }
}

/// Expands one G.711 mu-law byte to a 16-bit linear sample.
pub fn mulaw_to_i16(byte: u8) -> i16 {
    let u = !byte;
    let sign = u & 0x80;
    let exponent = (u >> 4) & 0x07;
    let mantissa = i32::from(u & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let v = if sign != 0 { -magnitude } else { magnitude };
    i16::try_from(v).unwrap_or(if v < 0 { i16::MIN } else { i16::MAX })
}

/// Compresses a 16-bit linear sample to G.711 mu-law.
pub fn i16_to_mulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    let mut exponent = 7u8;
    let mut mask = 0x4000;
    while exponent > 0 && s & mask == 0 {
        exponent -= 1;
        mask >>= 1;
    }
    let mantissa = ((s >> (exponent + 3)) & 0x0F) as u8;
    !(sign | (exponent << 4) | mantissa)
}

/// Expands one G.711 A-law byte to a 16-bit linear sample.
pub fn alaw_to_i16(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let exponent = (a >> 4) & 0x07;
    let mantissa = i32::from(a & 0x0F);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    let v = if a & 0x80 != 0 { magnitude } else { -magnitude };
    i16::try_from(v).unwrap_or(if v < 0 { i16::MIN } else { i16::MAX })
}

/// Compresses a 16-bit linear sample to G.711 A-law (the segment search of the ITU reference code).
pub fn i16_to_alaw(sample: i16) -> u8 {
    const SEGMENT_ENDS: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let mut v = i32::from(sample) >> 3;
    let mask = if v >= 0 {
        0xD5u8
    } else {
        v = -v - 1;
        0x55u8
    };
    let Some(segment) = SEGMENT_ENDS.iter().position(|&end| v <= end) else {
        return 0x7F ^ mask;
    };
    let segment = segment as u8;
    let mantissa = if segment < 2 {
        (v >> 1) & 0x0F
    } else {
        (v >> segment) & 0x0F
    } as u8;
    ((segment << 4) | mantissa) ^ mask
}

/// Converts an f32 sample in [-1, 1] to 16-bit PCM, clamping.
pub fn f32_to_i16(x: f32) -> i16 {
    let v = (x.clamp(-1.0, 1.0) * 32767.0).round();
    v as i16
}

/// Decodes interleaved raw audio of one encoding into per-channel f32 samples, keeping the bytes of a
/// sample frame that a WebSocket frame cut in two.
#[derive(Debug, Clone)]
pub struct PcmDecoder {
    encoding: Encoding,
    channels: usize,
    carry: Vec<u8>,
}

impl PcmDecoder {
    /// A decoder for `channels` interleaved channels (at least 1).
    pub fn new(encoding: Encoding, channels: u16) -> PcmDecoder {
        PcmDecoder {
            encoding,
            channels: usize::from(channels.max(1)),
            carry: Vec::new(),
        }
    }

    /// The number of channels.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Decodes `bytes`; `out` gets one vector per channel (cleared first), all the same length.
    pub fn decode(&mut self, bytes: &[u8], out: &mut Vec<Vec<f32>>) {
        out.resize_with(self.channels, Vec::new);
        for ch in out.iter_mut() {
            ch.clear();
        }
        let frame_bytes = self.encoding.bytes_per_sample() * self.channels;
        let mut joined;
        let data: &[u8] = if self.carry.is_empty() {
            bytes
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(bytes);
            &joined
        };
        let chunks = data.chunks_exact(frame_bytes);
        self.carry = chunks.remainder().to_vec();
        let bps = self.encoding.bytes_per_sample();
        for frame in chunks {
            for (sample, ch) in frame.chunks_exact(bps).zip(out.iter_mut()) {
                ch.push(decode_sample(self.encoding, sample));
            }
        }
    }
}

fn decode_sample(encoding: Encoding, bytes: &[u8]) -> f32 {
    match (encoding, bytes) {
        (Encoding::Linear16, [lo, hi]) => f32::from(i16::from_le_bytes([*lo, *hi])) / 32768.0,
        (Encoding::Linear32, [a, b, c, d]) => {
            let v = f32::from_le_bytes([*a, *b, *c, *d]);
            // Not-a-number or infinite input is noise to a recognizer, not a reason to fail.
            if v.is_finite() {
                v.clamp(-1.0, 1.0)
            } else {
                0.0
            }
        }
        (Encoding::Mulaw, [b]) => f32::from(mulaw_to_i16(*b)) / 32768.0,
        (Encoding::Alaw, [b]) => f32::from(alaw_to_i16(*b)) / 32768.0,
        _ => 0.0,
    }
}

/// Encodes mono f32 samples (linear32 is not a speak encoding but is supported for tests).
pub fn encode(encoding: Encoding, samples: &[f32], out: &mut Vec<u8>) {
    out.reserve(samples.len() * encoding.bytes_per_sample());
    for &x in samples {
        match encoding {
            Encoding::Linear16 => out.extend_from_slice(&f32_to_i16(x).to_le_bytes()),
            Encoding::Linear32 => out.extend_from_slice(&x.to_le_bytes()),
            Encoding::Mulaw => out.push(i16_to_mulaw(f32_to_i16(x))),
            Encoding::Alaw => out.push(i16_to_alaw(f32_to_i16(x))),
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

    #[test]
    fn g711_reference_points() {
        // ITU-T G.711 tables: mu-law 0xFF and A-law 0xD5 are the smallest positive codes.
        assert_eq!(mulaw_to_i16(0xFF), 0);
        assert_eq!(mulaw_to_i16(0x7F), 0);
        assert_eq!(mulaw_to_i16(0x80), 32124);
        assert_eq!(mulaw_to_i16(0x00), -32124);
        assert_eq!(alaw_to_i16(0xD5), 8);
        assert_eq!(alaw_to_i16(0x55), -8);
        assert_eq!(alaw_to_i16(0xAA), 32256);
        assert_eq!(alaw_to_i16(0x2A), -32256);
    }

    #[test]
    fn g711_round_trips_every_code() {
        for b in 0..=255u8 {
            let m = mulaw_to_i16(b);
            // 0x7F and 0xFF both decode to 0; the encoder picks 0xFF.
            if m != 0 {
                assert_eq!(i16_to_mulaw(m), b, "mulaw {b:#x} -> {m}");
            }
            let a = alaw_to_i16(b);
            assert_eq!(i16_to_alaw(a), b, "alaw {b:#x} -> {a}");
        }
    }

    #[test]
    fn g711_error_is_small_relative_to_the_signal() {
        for s in (-32000i16..32000).step_by(97) {
            let m = mulaw_to_i16(i16_to_mulaw(s));
            let a = alaw_to_i16(i16_to_alaw(s));
            let tol = (i32::from(s).abs() / 16).max(16);
            assert!(
                (i32::from(m) - i32::from(s)).abs() <= tol,
                "mulaw {s} -> {m}"
            );
            assert!(
                (i32::from(a) - i32::from(s)).abs() <= tol,
                "alaw {s} -> {a}"
            );
        }
    }

    #[test]
    fn decoder_carries_split_samples_and_deinterleaves() {
        let mut bytes = Vec::new();
        for i in 0..10i16 {
            bytes.extend_from_slice(&(i * 1000).to_le_bytes()); // left
            bytes.extend_from_slice(&(-i * 1000).to_le_bytes()); // right
        }
        let mut d = PcmDecoder::new(Encoding::Linear16, 2);
        let mut out = Vec::new();
        let mut left = Vec::new();
        let mut right = Vec::new();
        // Split at awkward places: mid-sample and mid-frame.
        for part in [&bytes[..3], &bytes[3..9], &bytes[9..]] {
            d.decode(part, &mut out);
            left.extend_from_slice(&out[0]);
            right.extend_from_slice(&out[1]);
        }
        assert_eq!(left.len(), 10);
        for i in 0..10 {
            assert!((left[i] - (i as f32 * 1000.0) / 32768.0).abs() < 1e-6);
            assert!((right[i] + (i as f32 * 1000.0) / 32768.0).abs() < 1e-6);
        }
    }

    #[test]
    fn linear32_round_trip_and_non_finite_input() {
        let mut bytes = Vec::new();
        encode(Encoding::Linear32, &[0.25, -0.5], &mut bytes);
        bytes.extend_from_slice(&f32::NAN.to_le_bytes());
        let mut d = PcmDecoder::new(Encoding::Linear32, 1);
        let mut out = Vec::new();
        d.decode(&bytes, &mut out);
        assert_eq!(out[0], vec![0.25, -0.5, 0.0]);
    }

    #[test]
    fn encode_linear16_clamps() {
        let mut bytes = Vec::new();
        encode(Encoding::Linear16, &[2.0, -2.0, 0.0], &mut bytes);
        assert_eq!(bytes, [0xFF, 0x7F, 0x01, 0x80, 0, 0]);
    }
}
