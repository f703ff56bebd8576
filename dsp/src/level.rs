//! Signal level for UI meters and simple voice gates: RMS and peak of a block, in linear units and
//! dBFS, optionally smoothed with separate attack and release times. It owns only that arithmetic;
//! it must not decide what the level means (speech, silence, barge-in are the caller's policy).

use super::error::AudioError;

/// The dBFS value reported for silence and anything quieter.
pub const DBFS_FLOOR: f32 = -100.0;

/// A level reading. dBFS is relative to a full-scale square wave (1.0), so a full-scale sine reads
/// -3.01 dBFS RMS and 0 dBFS peak.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Root mean square, linear (0..=1 for in-range audio).
    pub rms: f32,
    /// Largest absolute sample, linear.
    pub peak: f32,
    /// [`rms`](Self::rms) in dBFS, floored at [`DBFS_FLOOR`].
    pub rms_db: f32,
    /// [`peak`](Self::peak) in dBFS, floored at [`DBFS_FLOOR`].
    pub peak_db: f32,
}

impl Level {
    /// Silence: zero linear level, [`DBFS_FLOOR`] in dBFS.
    pub const SILENCE: Self = Self {
        rms: 0.0,
        peak: 0.0,
        rms_db: DBFS_FLOOR,
        peak_db: DBFS_FLOOR,
    };

    /// A reading from linear RMS and peak values (the dBFS fields are derived).
    pub fn from_linear(rms: f32, peak: f32) -> Self {
        Self {
            rms,
            peak,
            rms_db: to_dbfs(rms),
            peak_db: to_dbfs(peak),
        }
    }
}

impl Default for Level {
    fn default() -> Self {
        Self::SILENCE
    }
}

/// `20 log10(linear)`, floored at [`DBFS_FLOOR`] (0, negative and NaN input read as the floor).
pub fn to_dbfs(linear: f32) -> f32 {
    if linear > 0.0 {
        (20.0 * linear.log10()).max(DBFS_FLOOR)
    } else {
        DBFS_FLOOR
    }
}

/// The unsmoothed level of one block. Non-finite samples count as silence (a meter must not
/// stick at NaN).
pub fn block_level(block: &[f32]) -> Level {
    if block.is_empty() {
        return Level::default();
    }
    // Eight partial sums: vectorizable, and accurate enough in f32 for any block size used here.
    let mut squares = [0.0f32; 8];
    let mut peaks = [0.0f32; 8];
    let (chunks, tail) = block.as_chunks::<8>();
    for chunk in chunks {
        for ((sq, pk), &s) in squares.iter_mut().zip(peaks.iter_mut()).zip(chunk) {
            let s = if s.is_finite() { s } else { 0.0 };
            *sq += s * s;
            *pk = pk.max(s.abs());
        }
    }
    let mut sum: f32 = squares.iter().sum();
    let mut peak = peaks.iter().fold(0.0f32, |a, &b| a.max(b));
    for &s in tail {
        let s = if s.is_finite() { s } else { 0.0 };
        sum += s * s;
        peak = peak.max(s.abs());
    }
    Level::from_linear((sum / block.len() as f32).sqrt(), peak)
}

/// A level meter: each [`measure`](Self::measure) reads a block and moves the displayed level
/// toward it, quickly when rising (attack) and slowly when falling (release).
#[derive(Debug, Clone, PartialEq)]
pub struct LevelMeter {
    /// Samples per second of the blocks, for turning times into per-block factors.
    sample_rate: f32,
    attack_seconds: f32,
    release_seconds: f32,
    level: Level,
}

impl Default for LevelMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl LevelMeter {
    /// A meter without smoothing: every reading is the block's own level.
    pub fn new() -> Self {
        Self {
            sample_rate: 1.0,
            attack_seconds: 0.0,
            release_seconds: 0.0,
            level: Level::default(),
        }
    }

    /// A meter whose reading rises with time constant `attack_seconds` and falls with
    /// `release_seconds` (e.g. 0.01 and 0.3 for a VU-like meter), for blocks at `sample_rate`.
    ///
    /// # Errors
    /// [`AudioError::UnsupportedRate`] naming `sample_rate`, or
    /// [`AudioError::InvalidTimeConstant`] naming `attack_seconds` / `release_seconds` when negative
    /// or not finite.
    pub fn with_smoothing(
        sample_rate: u32,
        attack_seconds: f32,
        release_seconds: f32,
    ) -> Result<Self, AudioError> {
        super::resampler::check_rate("sample_rate", sample_rate)?;
        for (field, value) in [
            ("attack_seconds", attack_seconds),
            ("release_seconds", release_seconds),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(AudioError::InvalidTimeConstant { field });
            }
        }
        Ok(Self {
            sample_rate: sample_rate as f32,
            attack_seconds,
            release_seconds,
            level: Level::default(),
        })
    }

    /// Reads `block` and returns the updated (smoothed) level.
    pub fn measure(&mut self, block: &[f32]) -> Level {
        let now = block_level(block);
        let seconds = block.len() as f32 / self.sample_rate;
        self.level.rms = smooth(
            self.level.rms,
            now.rms,
            seconds,
            self.attack_seconds,
            self.release_seconds,
        );
        self.level.peak = smooth(
            self.level.peak,
            now.peak,
            seconds,
            self.attack_seconds,
            self.release_seconds,
        );
        // The dB fields follow the smoothed linear ones (they were left at the floor before).
        self.level = Level::from_linear(self.level.rms, self.level.peak);
        self.level
    }

    /// The current reading.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Back to silence.
    pub fn reset(&mut self) {
        self.level = Level::default();
    }
}

/// One-pole move of `current` toward `target` over `seconds`, with the time constant chosen by the
/// direction of the move.
fn smooth(current: f32, target: f32, seconds: f32, attack: f32, release: f32) -> f32 {
    let tau = if target > current { attack } else { release };
    if tau <= 0.0 {
        return target;
    }
    let keep = (-seconds / tau).exp();
    target + (current - target) * keep
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
    fn full_scale_sine_and_square() {
        let sine: Vec<f32> = (0..4800)
            .map(|n| (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / 48000.0).sin())
            .collect();
        let l = block_level(&sine);
        assert!((l.rms_db + 3.0103).abs() < 0.01, "{}", l.rms_db);
        assert!((l.peak - 1.0).abs() < 1e-3);
        let square: Vec<f32> = (0..100)
            .map(|n| if n % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        let l = block_level(&square);
        assert!((l.rms - 0.5).abs() < 1e-6 && (l.peak - 0.5).abs() < 1e-6);
        assert!((l.rms_db + 6.0206).abs() < 1e-3);
    }

    #[test]
    fn silence_and_garbage_read_the_floor() {
        assert_eq!(block_level(&[]).rms_db, DBFS_FLOOR);
        assert_eq!(block_level(&[0.0; 13]).peak_db, DBFS_FLOOR);
        let l = block_level(&[f32::NAN, f32::INFINITY, 0.5]);
        assert_eq!(l.peak, 0.5);
        assert!(l.rms.is_finite());
        assert_eq!(to_dbfs(1e-9), DBFS_FLOOR);
        assert_eq!(to_dbfs(f32::NAN), DBFS_FLOOR);
    }

    #[test]
    fn smoothing_attacks_fast_and_releases_slowly() {
        let mut m = LevelMeter::with_smoothing(48000, 0.01, 0.3).unwrap();
        let loud = [0.5f32; 480]; // 10 ms blocks
        let quiet = [0.0f32; 480];
        let first = m.measure(&loud);
        // One attack time constant: 1 - 1/e of the way up.
        assert!(
            (first.rms - 0.5 * (1.0 - (-1.0f32).exp())).abs() < 1e-4,
            "{}",
            first.rms
        );
        for _ in 0..20 {
            m.measure(&loud);
        }
        assert!((m.level().rms - 0.5).abs() < 1e-4);
        let after = m.measure(&quiet);
        assert!(
            (after.rms - 0.5 * (-0.01f32 / 0.3).exp()).abs() < 1e-4,
            "{}",
            after.rms
        );
        m.reset();
        assert_eq!(m.level(), Level::default());
    }

    #[test]
    fn unsmoothed_meter_reads_each_block() {
        let mut m = LevelMeter::new();
        let half = [0.5f32; 256];
        let l = m.measure(&half);
        assert!(
            (l.rms_db + 6.0206).abs() < 0.01,
            "measure() must fill rms_db: {l:?}"
        );
        assert!(
            (l.peak_db + 6.0206).abs() < 0.01,
            "measure() must fill peak_db: {l:?}"
        );
        m.reset();
        assert_eq!(m.measure(&[0.25; 64]).rms, 0.25);
        assert_eq!(m.measure(&[0.0; 64]).rms, 0.0);
    }

    #[test]
    fn rejects_bad_time_constants() {
        assert_eq!(
            LevelMeter::with_smoothing(48000, -1.0, 0.3).unwrap_err(),
            AudioError::InvalidTimeConstant {
                field: "attack_seconds"
            }
        );
        assert_eq!(
            LevelMeter::with_smoothing(48000, 0.01, f32::NAN).unwrap_err(),
            AudioError::InvalidTimeConstant {
                field: "release_seconds"
            }
        );
        assert!(LevelMeter::with_smoothing(10, 0.01, 0.3).is_err());
    }
}
