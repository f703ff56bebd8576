//! Signal helpers for the tests only: a seeded noise source, G.711 mu-law and A-law round trips, a
//! linear-interpolation resampler and a few test sounds. Nothing here is exported: the codecs are
//! deliberately minimal and exist to degrade test signals the way a phone path or a browser would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

/// xorshift64* generator: deterministic, so a failing test fails the same way every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    /// Standard normal (Box-Muller).
    pub fn gaussian(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Adds white Gaussian noise with power `signal_power / 10^(snr_db/10)`.
pub fn add_noise(x: &mut [f32], signal_power: f64, snr_db: f64, seed: u64) {
    let sigma = (signal_power / 10f64.powf(snr_db / 10.0)).sqrt();
    let mut rng = Rng::new(seed);
    for v in x.iter_mut() {
        *v += (sigma * rng.gaussian()) as f32;
    }
}

/// White Gaussian noise of the given RMS.
pub fn noise(len: usize, rms: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..len).map(|_| (rms * rng.gaussian()) as f32).collect()
}

/// G.711 mu-law encode of one sample (14-bit magnitude path, as in the reference code).
pub fn mulaw_encode(x: f32) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut pcm = (x.clamp(-1.0, 1.0) * 32767.0) as i32;
    let sign = if pcm < 0 {
        pcm = -pcm;
        0x80
    } else {
        0
    };
    pcm = pcm.min(CLIP) + BIAS;
    let mut exponent = 7;
    let mut mask = 0x4000;
    while exponent > 0 && pcm & mask == 0 {
        exponent -= 1;
        mask >>= 1;
    }
    let mantissa = (pcm >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) | mantissa) as u8
}

pub fn mulaw_decode(u: u8) -> f32 {
    let u = !u;
    let sign = u & 0x80;
    let exponent = i32::from((u >> 4) & 0x07);
    let mantissa = i32::from(u & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let v = if sign != 0 { -magnitude } else { magnitude };
    v as f32 / 32768.0
}

/// G.711 A-law encode of one sample.
pub fn alaw_encode(x: f32) -> u8 {
    let mut pcm = (x.clamp(-1.0, 1.0) * 32767.0) as i32 >> 3; // 13-bit
    let sign = if pcm >= 0 {
        0x80
    } else {
        pcm = -pcm - 1;
        0x00
    };
    let pcm = pcm.min(0x0FFF);
    let code = if pcm < 32 {
        pcm >> 1
    } else {
        let mut seg = 1;
        while seg < 7 && pcm >= (32 << seg) {
            seg += 1;
        }
        (seg << 4) | ((pcm >> seg) & 0x0F)
    };
    ((code | sign) ^ 0x55) as u8
}

pub fn alaw_decode(a: u8) -> f32 {
    let a = a ^ 0x55;
    let seg = i32::from((a >> 4) & 0x07);
    let mantissa = i32::from(a & 0x0F);
    let magnitude = if seg == 0 {
        (mantissa << 1) + 1
    } else {
        ((mantissa << 1) + 33) << (seg - 1)
    };
    let v = if a & 0x80 != 0 { magnitude } else { -magnitude };
    (v << 3) as f32 / 32768.0
}

pub fn mulaw_round_trip(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| mulaw_decode(mulaw_encode(v))).collect()
}

pub fn alaw_round_trip(x: &[f32]) -> Vec<f32> {
    x.iter().map(|&v| alaw_decode(alaw_encode(v))).collect()
}

/// Linear-interpolation resampler; returns the output and the exact time ratio out/in.
pub fn resample_linear(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let out_len = (x.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * f64::from(from) / f64::from(to);
            let j = pos.floor() as usize;
            let frac = (pos - j as f64) as f32;
            let a = x.get(j).copied().unwrap_or(0.0);
            let b = x.get(j + 1).copied().unwrap_or(a);
            a + (b - a) * frac
        })
        .collect()
}

/// A pure sine.
pub fn sine(freq: f64, amplitude: f64, len: usize, rate: u32) -> Vec<f32> {
    (0..len)
        .map(|n| {
            (amplitude * (std::f64::consts::TAU * freq * n as f64 / f64::from(rate)).sin()) as f32
        })
        .collect()
}

/// A linear sweep from `f0` to `f1` Hz.
pub fn sweep(f0: f64, f1: f64, amplitude: f64, len: usize, rate: u32) -> Vec<f32> {
    let duration = len as f64 / f64::from(rate);
    (0..len)
        .map(|n| {
            let t = n as f64 / f64::from(rate);
            let phase = std::f64::consts::TAU * (f0 * t + (f1 - f0) * t * t / (2.0 * duration));
            (amplitude * phase.sin()) as f32
        })
        .collect()
}

#[test]
fn g711_round_trips_are_close() {
    for i in -100..=100 {
        let x = i as f32 / 100.0;
        let m = mulaw_decode(mulaw_encode(x));
        let a = alaw_decode(alaw_encode(x));
        let tol = 0.002 + x.abs() * 0.07;
        assert!((m - x).abs() <= tol, "mu-law {x} -> {m}");
        assert!((a - x).abs() <= tol, "A-law {x} -> {a}");
    }
}

/// A crude sustained vowel: an impulse train at `f0` through three two-pole formant resonators
/// (frequency, bandwidth) in cascade, normalised to `peak`. Vowels whose first two formants sit
/// near a row and a column frequency are the classic source of DTMF "talk-off".
pub fn vowel(f0: f64, formants: &[(f64, f64)], peak: f32, len: usize, rate: u32) -> Vec<f32> {
    let fs = f64::from(rate);
    let mut x: Vec<f64> = (0..len)
        .map(|n| {
            let t0 = (n as f64 * f0 / fs).floor();
            let t1 = ((n + 1) as f64 * f0 / fs).floor();
            if t1 > t0 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    for &(f, bw) in formants {
        let r = (-std::f64::consts::PI * bw / fs).exp();
        let a1 = 2.0 * r * (std::f64::consts::TAU * f / fs).cos();
        let a2 = -r * r;
        let (mut y1, mut y2) = (0.0, 0.0);
        for v in x.iter_mut() {
            let y = *v + a1 * y1 + a2 * y2;
            y2 = y1;
            y1 = y;
            *v = y;
        }
    }
    let max = x.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    x.iter()
        .map(|v| (v / max * f64::from(peak)) as f32)
        .collect()
}
