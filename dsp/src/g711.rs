//! G.711 companding (ITU-T Rec. G.711): mu-law and A-law, 8-bit codes to and from 16-bit linear
//! samples. The encoders follow the ITU-T G.191 reference implementation bit for bit (14-bit
//! mu-law / 13-bit A-law magnitudes, one's complement for negative input); the decoders are its
//! `ulaw_expand` / `alaw_expand` (a few integer operations; no table needed at 8-16 kHz). It must not resample or scale
//! beyond the f32 <-> i16 mapping of [`super::pcm`].

use super::pcm::{f32_to_i16, i16_to_f32};

/// Encodes one 16-bit linear sample as a mu-law code (G.191 `ulaw_compress`).
pub fn linear_to_mulaw(sample: i16) -> u8 {
    let x = i32::from(sample);
    // One's complement for negatives keeps the quantizer symmetric around the two zero codes.
    let magnitude = if x < 0 {
        ((!x) >> 2) + 33
    } else {
        (x >> 2) + 33
    };
    let magnitude = magnitude.min(0x1FFF);
    // Segment = position of the leading one above bit 5 (1..=8).
    let segment = (32 - (magnitude >> 6).leading_zeros()) as i32 + 1;
    let high = 8 - segment;
    let low = 0xF - ((magnitude >> segment) & 0xF);
    let code = (high << 4) | low;
    let code = if x >= 0 { code | 0x80 } else { code };
    (code & 0xFF) as u8
}

/// Encodes one 16-bit linear sample as an A-law code (G.191 `alaw_compress`).
pub fn linear_to_alaw(sample: i16) -> u8 {
    let x = i32::from(sample);
    let mut ix = if x < 0 { (!x) >> 4 } else { x >> 4 };
    if ix > 15 {
        let mut exponent = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            exponent += 1;
        }
        ix -= 16;
        ix += exponent << 4;
    }
    if x >= 0 {
        ix |= 0x80;
    }
    ((ix ^ 0x55) & 0xFF) as u8
}

const fn ulaw_expand(code: u8) -> i16 {
    let negative = code < 0x80;
    let inverted = !code;
    let exponent = ((inverted >> 4) & 0x07) as i32;
    let mantissa = (inverted & 0x0F) as i32;
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
    (if negative { -magnitude } else { magnitude }) as i16
}

const fn alaw_expand(code: u8) -> i16 {
    let ix = ((code ^ 0x55) & 0x7F) as i32;
    let exponent = ix >> 4;
    let mut mantissa = ix & 0x0F;
    if exponent > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 0x08;
    if exponent > 1 {
        mantissa <<= exponent - 1;
    }
    (if code > 127 { mantissa } else { -mantissa }) as i16
}

/// Decodes one mu-law code to a 16-bit linear sample (G.191 `ulaw_expand`).
#[inline]
pub fn mulaw_to_linear(code: u8) -> i16 {
    ulaw_expand(code)
}

/// Decodes one A-law code to a 16-bit linear sample (G.191 `alaw_expand`).
#[inline]
pub fn alaw_to_linear(code: u8) -> i16 {
    alaw_expand(code)
}

/// Appends the mu-law codes of `input` to `out` (one byte per sample; floats are clamped and
/// scaled like `linear16` first).
pub fn f32_to_mulaw(input: &[f32], out: &mut Vec<u8>) {
    out.extend(input.iter().map(|&s| linear_to_mulaw(f32_to_i16(s))));
}

/// Appends the A-law codes of `input` to `out` (one byte per sample).
pub fn f32_to_alaw(input: &[f32], out: &mut Vec<u8>) {
    out.extend(input.iter().map(|&s| linear_to_alaw(f32_to_i16(s))));
}

/// Appends the samples of mu-law `bytes` to `out`.
pub fn mulaw_to_f32(bytes: &[u8], out: &mut Vec<f32>) {
    out.extend(bytes.iter().map(|&c| i16_to_f32(mulaw_to_linear(c))));
}

/// Appends the samples of A-law `bytes` to `out`.
pub fn alaw_to_f32(bytes: &[u8], out: &mut Vec<f32>) {
    out.extend(bytes.iter().map(|&c| i16_to_f32(alaw_to_linear(c))));
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

    // Decode tables of CPython's `audioop` (`audioop.ulaw2lin(bytes(range(256)), 2)` and
    // `alaw2lin`), an implementation independent of this one; G.711 decoding is unambiguous.
    const REF_ULAW_DECODE: [i16; 256] = [
        -32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, -23932, -22908, -21884,
        -20860, -19836, -18812, -17788, -16764, -15996, -15484, -14972, -14460, -13948, -13436,
        -12924, -12412, -11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316, -7932, -7676,
        -7420, -7164, -6908, -6652, -6396, -6140, -5884, -5628, -5372, -5116, -4860, -4604, -4348,
        -4092, -3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004, -2876, -2748, -2620, -2492,
        -2364, -2236, -2108, -1980, -1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436, -1372,
        -1308, -1244, -1180, -1116, -1052, -988, -924, -876, -844, -812, -780, -748, -716, -684,
        -652, -620, -588, -556, -524, -492, -460, -428, -396, -372, -356, -340, -324, -308, -292,
        -276, -260, -244, -228, -212, -196, -180, -164, -148, -132, -120, -112, -104, -96, -88,
        -80, -72, -64, -56, -48, -40, -32, -24, -16, -8, 0, 32124, 31100, 30076, 29052, 28028,
        27004, 25980, 24956, 23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764, 15996, 15484,
        14972, 14460, 13948, 13436, 12924, 12412, 11900, 11388, 10876, 10364, 9852, 9340, 8828,
        8316, 7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140, 5884, 5628, 5372, 5116, 4860, 4604,
        4348, 4092, 3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004, 2876, 2748, 2620, 2492, 2364,
        2236, 2108, 1980, 1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436, 1372, 1308, 1244, 1180,
        1116, 1052, 988, 924, 876, 844, 812, 780, 748, 716, 684, 652, 620, 588, 556, 524, 492, 460,
        428, 396, 372, 356, 340, 324, 308, 292, 276, 260, 244, 228, 212, 196, 180, 164, 148, 132,
        120, 112, 104, 96, 88, 80, 72, 64, 56, 48, 40, 32, 24, 16, 8, 0,
    ];
    const REF_ALAW_DECODE: [i16; 256] = [
        -5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736, -7552, -7296, -8064, -7808, -6528,
        -6272, -7040, -6784, -2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368, -3776, -3648,
        -4032, -3904, -3264, -3136, -3520, -3392, -22016, -20992, -24064, -23040, -17920, -16896,
        -19968, -18944, -30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136, -11008,
        -10496, -12032, -11520, -8960, -8448, -9984, -9472, -15104, -14592, -16128, -15616, -13056,
        -12544, -14080, -13568, -344, -328, -376, -360, -280, -264, -312, -296, -472, -456, -504,
        -488, -408, -392, -440, -424, -88, -72, -120, -104, -24, -8, -56, -40, -216, -200, -248,
        -232, -152, -136, -184, -168, -1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184,
        -1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696, -688, -656, -752, -720, -560, -528,
        -624, -592, -944, -912, -1008, -976, -816, -784, -880, -848, 5504, 5248, 6016, 5760, 4480,
        4224, 4992, 4736, 7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784, 2752, 2624, 3008, 2880,
        2240, 2112, 2496, 2368, 3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392, 22016, 20992,
        24064, 23040, 17920, 16896, 19968, 18944, 30208, 29184, 32256, 31232, 26112, 25088, 28160,
        27136, 11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472, 15104, 14592, 16128, 15616,
        13056, 12544, 14080, 13568, 344, 328, 376, 360, 280, 264, 312, 296, 472, 456, 504, 488,
        408, 392, 440, 424, 88, 72, 120, 104, 24, 8, 56, 40, 216, 200, 248, 232, 152, 136, 184,
        168, 1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184, 1888, 1824, 2016, 1952, 1632, 1568,
        1760, 1696, 688, 656, 752, 720, 560, 528, 624, 592, 944, 912, 1008, 976, 816, 784, 880,
        848,
    ];

    fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
        bytes.fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    #[test]
    fn all_256_decode_values_match_the_reference() {
        for code in 0..=255u8 {
            assert_eq!(
                mulaw_to_linear(code),
                REF_ULAW_DECODE[usize::from(code)],
                "mu-law {code:#04x}"
            );
            assert_eq!(
                alaw_to_linear(code),
                REF_ALAW_DECODE[usize::from(code)],
                "A-law {code:#04x}"
            );
        }
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..=255u8 {
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code);
            // mu-law has two zeros (0x7F = -0, 0xFF = +0); zero encodes as +0.
            let expected = if code == 0x7F { 0xFF } else { code };
            assert_eq!(
                linear_to_mulaw(mulaw_to_linear(code)),
                expected,
                "{code:#04x}"
            );
        }
    }

    #[test]
    fn encoders_match_the_reference_on_all_65536_inputs() {
        // FNV-1a over the codes of -32768..=32767: A-law from CPython's audioop.lin2alaw (identical
        // to G.191); mu-law from a transcription of G.191's ulaw_compress (audioop uses Sun's
        // variant, which differs on 508 negative decision boundaries).
        let alaw = fnv1a((i16::MIN..=i16::MAX).map(linear_to_alaw));
        let mulaw = fnv1a((i16::MIN..=i16::MAX).map(linear_to_mulaw));
        assert_eq!(alaw, 0xf030_666e_b780_cf25);
        assert_eq!(mulaw, 0x04ec_1f08_3fd7_8c2d);
    }

    #[test]
    fn known_codes() {
        assert_eq!(linear_to_mulaw(0), 0xFF);
        assert_eq!(linear_to_mulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_mulaw(i16::MIN), 0x00);
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
    }

    #[test]
    fn encoding_is_monotonic_in_the_decoded_value() {
        let mut last_u = i16::MIN;
        let mut last_a = i16::MIN;
        for v in i16::MIN..=i16::MAX {
            let u = mulaw_to_linear(linear_to_mulaw(v));
            let a = alaw_to_linear(linear_to_alaw(v));
            assert!(u >= last_u && a >= last_a, "at {v}");
            last_u = u;
            last_a = a;
        }
    }

    #[test]
    fn float_slices_append() {
        let mut bytes = vec![1];
        f32_to_mulaw(&[0.0, 1.0, -1.0, f32::NAN], &mut bytes);
        assert_eq!(bytes, [1, 0xFF, 0x80, 0x00, 0xFF]);
        let mut a = Vec::new();
        f32_to_alaw(&[0.0, 2.0], &mut a);
        assert_eq!(a, [0xD5, 0xAA]);
        let mut back = vec![0.5];
        mulaw_to_f32(&[0xFF, 0x80], &mut back);
        assert_eq!(back[0], 0.5);
        assert_eq!(back[1], 0.0);
        assert!((back[2] - 32124.0 / 32767.0).abs() < 1e-7);
        let mut back_a = Vec::new();
        alaw_to_f32(&[0x2A], &mut back_a);
        assert_eq!(back_a, [-32256.0 / 32768.0]);
    }
}
