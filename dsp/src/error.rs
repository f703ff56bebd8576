//! The one error type of the audio layer. It owns the wording of every failure a caller can cause by
//! configuring the DSP chain (rates, channel counts, encodings, meter time constants); it must not
//! carry audio data, and it never fails on samples: bad samples are clamped, not rejected.

use std::fmt;

/// Why an audio component could not be built. Each message names the offending field and says the fix.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioError {
    /// A sample rate outside [`MIN_SAMPLE_RATE`](super::MIN_SAMPLE_RATE)..=[`MAX_SAMPLE_RATE`](super::MAX_SAMPLE_RATE).
    UnsupportedRate {
        /// The argument or option that carried the rate (e.g. `input_rate`).
        field: &'static str,
        /// The rejected rate in Hz.
        rate: u32,
    },
    /// A channel count of 0 or above [`MAX_CHANNELS`](super::MAX_CHANNELS).
    UnsupportedChannels {
        /// The argument or option that carried the count (e.g. `output_channels`).
        field: &'static str,
        /// The rejected count.
        channels: usize,
    },
    /// An encoding name the audio layer cannot produce or decode (e.g. `opus`, `flac`).
    UnsupportedEncoding {
        /// The argument or option that carried the name (e.g. `encoding`).
        field: &'static str,
        /// The rejected name, as given.
        value: String,
    },
    /// A meter time constant that is negative, NaN or infinite.
    InvalidTimeConstant {
        /// The argument that carried it (e.g. `attack_seconds`).
        field: &'static str,
    },
}

// The messages spell out the limits rather than formatting the constants: every argument of a `write!` costs
// code in the wasm module, and the limits are part of the messages' wording anyway.
const _: () = assert!(
    super::MIN_SAMPLE_RATE == 8_000
        && super::MAX_SAMPLE_RATE == 192_000
        && super::MAX_CHANNELS == 8
);

impl fmt::Display for AudioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedRate { field, rate } => write!(
                f,
                "`{field}` is {rate} Hz, outside the supported 8000..=192000 Hz: pass the real rate of the \
                 device or stream (AudioContext.sampleRate, the `sample_rate` option) within that range"
            ),
            Self::UnsupportedChannels { field, channels } => write!(
                f,
                "`{field}` is {channels}, but it must be between 1 and 8: use 1 for a mono stream"
            ),
            Self::UnsupportedEncoding { field, value } => write!(
                f,
                "`{field}` is \"{value}\", which the audio pipeline cannot encode or decode: use \
                 linear16, linear32, mulaw or alaw"
            ),
            Self::InvalidTimeConstant { field } => write!(
                f,
                "`{field}` must be a finite number of seconds >= 0: use 0 for no smoothing"
            ),
        }
    }
}

impl std::error::Error for AudioError {}

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
    fn messages_name_the_field_and_the_fix() {
        let e = AudioError::UnsupportedRate {
            field: "input_rate",
            rate: 4000,
        };
        let text = e.to_string();
        assert!(
            text.contains("`input_rate`")
                && text.contains("4000")
                && text.contains("8000..=192000")
        );
        let e = AudioError::UnsupportedChannels {
            field: "output_channels",
            channels: 0,
        };
        assert!(e.to_string().contains("`output_channels` is 0"));
        let e = AudioError::UnsupportedEncoding {
            field: "encoding",
            value: "opus".into(),
        };
        assert!(e.to_string().contains("\"opus\"") && e.to_string().contains("linear16"));
        let e = AudioError::InvalidTimeConstant {
            field: "attack_seconds",
        };
        assert!(e.to_string().contains("`attack_seconds`"));
    }
}
