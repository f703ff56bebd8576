//! Linear PCM conversions between the Web Audio float domain and the bytes Deepgram sends and
//! receives: `linear16` (16-bit signed little-endian) and `linear32` (32-bit float little-endian).
//! It owns clamping and scaling; it must not resample, mix or keep state (partial samples at the end
//! of a byte slice are the caller's to carry: see `PlaybackDecoder`).

/// Converts one float sample to a 16-bit PCM value: NaN becomes 0, values are clamped to [-1, 1]
/// (so loud input saturates instead of wrapping), negatives scale by 32768 and positives by 32767
/// so that -1.0 and 1.0 both reach full scale, and the result is rounded half away from zero.
#[inline]
pub fn f32_to_i16(sample: f32) -> i16 {
    let s = if sample.is_nan() {
        0.0
    } else {
        sample.clamp(-1.0, 1.0)
    };
    let scaled = if s < 0.0 {
        s * 32768.0 - 0.5
    } else {
        s * 32767.0 + 0.5
    };
    // `as` truncates toward zero and saturates, which together with the +-0.5 rounds to nearest.
    scaled as i16
}

/// The inverse of [`f32_to_i16`]: negatives divide by 32768 and positives by 32767, so every i16
/// survives `f32_to_i16(i16_to_f32(v)) == v` and full scale maps to exactly -1.0 / 1.0.
#[inline]
pub fn i16_to_f32(value: i16) -> f32 {
    let v = f32::from(value);
    if value < 0 {
        v * (1.0 / 32768.0)
    } else {
        v * (1.0 / 32767.0)
    }
}

/// Clamps a float sample for `linear32` output or playback: NaN becomes 0, everything else is
/// clamped to [-1, 1] (infinities included).
#[inline]
pub fn sanitize_f32(sample: f32) -> f32 {
    if sample.is_nan() {
        0.0
    } else {
        sample.clamp(-1.0, 1.0)
    }
}

/// Appends `input` to `out` as `linear16` bytes (2 per sample), see [`f32_to_i16`].
pub fn f32_to_pcm16_le(input: &[f32], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + 2 * input.len(), 0);
    if let Some(tail) = out.get_mut(start..) {
        let (pairs, _) = tail.as_chunks_mut::<2>();
        for (dst, &s) in pairs.iter_mut().zip(input) {
            *dst = f32_to_i16(s).to_le_bytes();
        }
    }
}

/// Appends the samples of `linear16` `bytes` to `out`, see [`i16_to_f32`]. A trailing odd byte is
/// ignored (it is half a sample).
pub fn pcm16_le_to_f32(bytes: &[u8], out: &mut Vec<f32>) {
    let (pairs, _) = bytes.as_chunks::<2>();
    out.extend(pairs.iter().map(|&p| i16_to_f32(i16::from_le_bytes(p))));
}

/// Appends `input` to `out` as `linear32` bytes (4 per sample, IEEE float little-endian), clamped
/// by [`sanitize_f32`].
pub fn f32_to_f32_le(input: &[f32], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + 4 * input.len(), 0);
    if let Some(tail) = out.get_mut(start..) {
        let (quads, _) = tail.as_chunks_mut::<4>();
        for (dst, &s) in quads.iter_mut().zip(input) {
            *dst = sanitize_f32(s).to_le_bytes();
        }
    }
}

/// Appends the samples of `linear32` `bytes` to `out`, clamped by [`sanitize_f32`] (a malformed
/// stream must not blow up the speakers). Up to 3 trailing bytes are ignored.
pub fn f32_le_to_f32(bytes: &[u8], out: &mut Vec<f32>) {
    let (quads, _) = bytes.as_chunks::<4>();
    out.extend(quads.iter().map(|&q| sanitize_f32(f32::from_le_bytes(q))));
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

    #[test]
    fn full_scale_and_zero() {
        assert_eq!(f32_to_i16(1.0), 32767);
        assert_eq!(f32_to_i16(-1.0), -32768);
        assert_eq!(f32_to_i16(0.0), 0);
        assert_eq!(f32_to_i16(-0.0), 0);
    }

    #[test]
    fn clamps_instead_of_wrapping() {
        assert_eq!(f32_to_i16(1.5), 32767);
        assert_eq!(f32_to_i16(-7.0), -32768);
        assert_eq!(f32_to_i16(f32::INFINITY), 32767);
        assert_eq!(f32_to_i16(f32::NEG_INFINITY), -32768);
        assert_eq!(f32_to_i16(f32::NAN), 0);
        assert_eq!(sanitize_f32(f32::NAN), 0.0);
        assert_eq!(sanitize_f32(3.0), 1.0);
    }

    #[test]
    fn rounds_to_nearest() {
        // 0.5 / 32767 is exactly half a step: rounds away from zero.
        assert_eq!(f32_to_i16(0.4 / 32767.0), 0);
        assert_eq!(f32_to_i16(0.6 / 32767.0), 1);
        assert_eq!(f32_to_i16(-0.4 / 32768.0), 0);
        assert_eq!(f32_to_i16(-0.6 / 32768.0), -1);
        assert_eq!(f32_to_i16(0.5), 16384); // 16383.5 -> away from zero
        assert_eq!(f32_to_i16(-0.5), -16384);
    }

    #[test]
    fn every_i16_round_trips() {
        for v in i16::MIN..=i16::MAX {
            assert_eq!(f32_to_i16(i16_to_f32(v)), v);
        }
        assert_eq!(i16_to_f32(i16::MIN), -1.0);
        assert_eq!(i16_to_f32(i16::MAX), 1.0);
    }

    #[test]
    fn pcm16_bytes_are_little_endian_and_appended() {
        let mut out = vec![0xAA];
        f32_to_pcm16_le(&[1.0, -1.0, 0.0, 2.0], &mut out);
        assert_eq!(out, [0xAA, 0xFF, 0x7F, 0x00, 0x80, 0x00, 0x00, 0xFF, 0x7F]);
        let mut back = vec![9.0];
        pcm16_le_to_f32(&out[1..], &mut back);
        assert_eq!(back, [9.0, 1.0, -1.0, 0.0, 1.0]);
        // a dangling odd byte is half a sample: ignored here
        let mut odd = Vec::new();
        pcm16_le_to_f32(&[0x00, 0x40, 0x12], &mut odd);
        assert_eq!(odd.len(), 1);
    }

    #[test]
    fn linear32_round_trips_and_sanitizes() {
        let mut bytes = Vec::new();
        f32_to_f32_le(&[0.25, -2.0, f32::NAN], &mut bytes);
        assert_eq!(&bytes[..4], &0.25f32.to_le_bytes());
        let mut back = Vec::new();
        f32_le_to_f32(&bytes, &mut back);
        assert_eq!(back, [0.25, -1.0, 0.0]);
        let mut from_bad = Vec::new();
        f32_le_to_f32(&f32::INFINITY.to_le_bytes(), &mut from_bad);
        assert_eq!(from_bad, [1.0]);
    }

    // proptest is a native-only dev-dependency (its RNG does not build for wasm32).
    #[cfg(not(target_arch = "wasm32"))]
    proptest! {
        #[test]
        fn any_float_encodes_within_range_and_close(s in proptest::num::f32::ANY) {
            let v = f32_to_i16(s);
            if s.is_finite() && s.abs() <= 1.0 {
                let back = i16_to_f32(v);
                prop_assert!((back - s).abs() <= 0.5 / 32767.0 + 1e-7);
            }
            if s.is_nan() { prop_assert_eq!(v, 0); }
        }
    }
}
