//! DTMF (ITU-T Q.23) tones as the project's deterministic test signal: synthesis of key sequences,
//! streaming Goertzel detection with accurate edges, and RIFF/WAVE reading and writing. The local
//! server's fake recognizer and fake voice, the fake-microphone WAV files and the browser tests all
//! use it, so it builds for `wasm32-unknown-unknown` and its library part touches no files, threads
//! or clocks (only the `dtmf-wav` binary writes files).
//!
//! ```
//! use dtmf::{detect_all, synthesize, Detector, DetectorEvent, Key, ToneSpec};
//!
//! let keys: Vec<Key> = "42#".chars().filter_map(Key::from_char).collect();
//! let audio = synthesize(&keys, &ToneSpec::default(), 16000);
//! let words: Vec<&str> = detect_all(&audio, 16000).iter().map(|d| d.key.word()).collect();
//! assert_eq!(words, ["four", "two", "pound"]);
//!
//! // The same, streaming.
//! let mut detector = Detector::new(16000);
//! let mut pressed = Vec::new();
//! for block in audio.chunks(320) {
//!     detector.feed(block);
//!     while let Some(event) = detector.poll() {
//!         if let DetectorEvent::KeyDown { key, .. } = event {
//!             pressed.push(key);
//!         }
//!     }
//! }
//! detector.finish();
//! assert_eq!(pressed, keys);
//! ```

mod detector;
mod goertzel;
mod key;
mod synth;
pub mod wav;

#[cfg(test)]
mod quality_tests;
#[cfg(test)]
mod test_signals;

pub use detector::{detect_all, Detection, Detector, DetectorEvent};
pub use key::{Key, COLUMN_FREQUENCIES, ROW_FREQUENCIES};
pub use synth::{ms_to_samples, synthesize, tone, tone_layout, ToneSpec, RAMP_MS};
