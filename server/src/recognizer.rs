//! Speech recognizers: the `Recognizer` trait and the deterministic DTMF one.
//!
//! A recognizer turns one channel's mono samples into words with sample-exact start and end positions. It
//! owns word detection only; segments, interim/final results, endpointing and timing policy belong to
//! `transcriber.rs`. It must not allocate per sample or read clocks (it runs on every audio frame of
//! every stream).

/// What a recognizer reports, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum RecognizerEvent {
    /// A word has begun and may still be sounding.
    WordStarted {
        /// The word (lowercase).
        word: String,
        /// Its first sample.
        start: u64,
    },
    /// A word is complete.
    WordEnded {
        /// The word (lowercase).
        word: String,
        /// Its first sample.
        start: u64,
        /// One past its last sample.
        end: u64,
        /// How sure the recognizer is (0-1).
        confidence: f32,
    },
}

/// One channel's recognizer.
pub trait Recognizer: Send {
    /// Analyses the next samples.
    fn feed(&mut self, samples: &[f32]);
    /// The next event, oldest first.
    fn poll(&mut self) -> Option<RecognizerEvent>;
    /// Treats the input so far as ended (Finalize, CloseStream): a word still sounding is completed.
    /// Samples fed afterwards continue the same timeline.
    fn finish(&mut self);
    /// Samples fed so far: the channel's audio clock.
    fn samples_fed(&self) -> u64;
}

/// Builds recognizers; one per channel of each stream.
pub trait RecognizerEngine: Send + Sync {
    /// A recognizer for mono audio at `sample_rate`.
    fn create(&self, sample_rate: u32) -> Box<dyn Recognizer>;
}

/// Confidence reported for a DTMF word: the tones are either there or not, but 1.0 would look unlike
/// any real result, so a high fixed value is used.
pub const DTMF_CONFIDENCE: f32 = 0.99;

/// Recognizes DTMF keys as the words `zero`..`nine`, `star`, `pound`, `a`..`d`.
#[derive(Debug, Clone)]
pub struct DtmfRecognizer {
    detector: dtmf::Detector,
}

impl DtmfRecognizer {
    /// A recognizer for audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> DtmfRecognizer {
        DtmfRecognizer {
            detector: dtmf::Detector::new(sample_rate),
        }
    }
}

impl Recognizer for DtmfRecognizer {
    fn feed(&mut self, samples: &[f32]) {
        self.detector.feed(samples);
    }

    fn poll(&mut self) -> Option<RecognizerEvent> {
        self.detector.poll().map(|event| match event {
            dtmf::DetectorEvent::KeyDown { key, start_sample } => RecognizerEvent::WordStarted {
                word: key.word().to_string(),
                start: start_sample,
            },
            dtmf::DetectorEvent::KeyUp(d) => RecognizerEvent::WordEnded {
                word: d.key.word().to_string(),
                start: d.start_sample,
                end: d.end_sample,
                confidence: DTMF_CONFIDENCE,
            },
        })
    }

    fn finish(&mut self) {
        self.detector.finish();
    }

    fn samples_fed(&self) -> u64 {
        self.detector.samples_fed()
    }
}

/// The engine behind [`DtmfRecognizer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DtmfEngine;

impl RecognizerEngine for DtmfEngine {
    fn create(&self, sample_rate: u32) -> Box<dyn Recognizer> {
        Box::new(DtmfRecognizer::new(sample_rate))
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
    fn dtmf_keys_become_words_with_positions() {
        let keys = [dtmf::Key::D4, dtmf::Key::Star];
        let spec = dtmf::ToneSpec::default();
        let samples = dtmf::synthesize(&keys, &spec, 16000);
        let layout = dtmf::tone_layout(&keys, &spec, 16000);
        let mut r = DtmfEngine.create(16000);
        for block in samples.chunks(320) {
            r.feed(block);
        }
        r.finish();
        let mut ended = Vec::new();
        let mut started = 0;
        while let Some(e) = r.poll() {
            match e {
                RecognizerEvent::WordStarted { .. } => started += 1,
                RecognizerEvent::WordEnded {
                    word, start, end, ..
                } => ended.push((word, start, end)),
            }
        }
        assert_eq!(started, 2);
        assert_eq!(ended.len(), 2);
        assert_eq!(ended[0].0, "four");
        assert_eq!(ended[1].0, "star");
        for ((_, start, end), placed) in ended.iter().zip(&layout) {
            // Within 5 ms (80 samples) of where the tone was put.
            assert!(
                start.abs_diff(placed.start_sample) <= 80,
                "{start} vs {placed:?}"
            );
            assert!(end.abs_diff(placed.end_sample) <= 80, "{end} vs {placed:?}");
        }
        assert_eq!(r.samples_fed(), samples.len() as u64);
    }
}
