//! Live streams over one or more connections, above the per-connection sessions of `protocol`: what the app
//! sees as one transcription or one voice while connections come and go.
//!
//! Owns the policies that span connections and the bookkeeping between the protocol and the playout: reconnect
//! with audio replay from the last final and counters ([`ListenStream`], [`ReplayBuffer`]), the capture and
//! playback watchdogs ([`CaptureWatchdog`], [`PlaybackWatchdog`]), ticket and generation rebasing and the clear ledger
//! ([`SpeakStream`]), surrogate pairs split between `speak()` calls ([`SurrogateJoin`]), and barge-in
//! ([`is_user_speech`]). Pure and sans-IO like the layers below it: no web-sys, no clock, no socket; built and
//! tested natively.

mod listen;
mod replay;
mod speak;
mod surrogates;
mod watchdog;

pub use listen::ListenStream;
pub use replay::{Replay, ReplayBuffer, ReplayFormat, ReplayItem};
pub use speak::{
    ClearLedger, ClearedReport, SpeakStream, SpeakStreamEvent, INCOMPLETE_CHARACTER,
    PLAYBACK_OVERFLOW, PLAYBACK_RESUMED, PLAYBACK_STALLED, PLAYBACK_STALL_MS, PLAYBACK_UNDERRUN,
};
pub use surrogates::{is_high_surrogate, is_low_surrogate, SurrogateJoin};
pub use watchdog::{CaptureHealth, CaptureWatchdog, PlaybackWatchdog, StallCause, Watch};

use crate::protocol::ListenEvent;

/// The socket events of a stream's [`SessionIo`](crate::protocol::SessionIo) impl, the same for both streams:
/// handed to the session (a text frame read as `$message` first), then the session's events absorbed.
macro_rules! forward_socket_events {
    ($message:ty) => {
        fn handle_open(&mut self, now: f64) {
            self.session.handle_open(ms(now));
            self.absorb(now);
        }

        fn handle_text(&mut self, frame: &impl Frame, raw: R, now: f64) {
            match <$message>::read(frame) {
                Ok(message) => self.session.handle_message(message, raw, ms(now)),
                Err(e) => self.session.handle_bad_frame(e, ms(now)),
            }
            self.absorb(now);
        }

        fn handle_bad_text(&mut self, error: ProtocolError, now: f64) {
            self.session.handle_bad_frame(error, ms(now));
            self.absorb(now);
        }

        fn handle_binary(&mut self, bytes: &[u8], now: f64) {
            self.session.handle_binary(bytes, ms(now));
            self.absorb(now);
        }

        fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, now: f64) {
            self.session.handle_close(code, reason, was_clean, ms(now));
            self.absorb(now);
        }
    };
}
use forward_socket_events;

/// `now` as the sessions count time: whole milliseconds (the streams keep fractions for latency figures).
fn ms(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// Whether a listen event means the user is speaking: `SpeechStarted`, or a transcript with words. A voice
/// session barges in on it while its speaker is playing.
pub fn is_user_speech<R>(event: &ListenEvent<R>) -> bool {
    match event {
        ListenEvent::SpeechStarted { .. } => true,
        ListenEvent::Transcript { results, .. } => results.has_words(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_frames::parse;
    use crate::protocol::{ListenServerMessage, Results, SpeechStarted};

    fn results(transcript: &str) -> Results {
        let text = format!(
            r#"{{"type":"Results","channel_index":[0,1],"duration":1,"start":0,"channel":{{"alternatives":[{{"transcript":"{transcript}"}}]}}}}"#
        );
        match ListenServerMessage::read(&parse(&text).unwrap()).unwrap() {
            ListenServerMessage::Results(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn speech_is_speech_started_or_words() {
        let words = ListenEvent::Transcript {
            results: results("hello"),
            raw: (),
        };
        let silence = ListenEvent::Transcript {
            results: results("  "),
            raw: (),
        };
        let started = ListenEvent::SpeechStarted {
            speech_started: SpeechStarted {},
            raw: (),
        };
        assert!(is_user_speech(&words));
        assert!(!is_user_speech(&silence));
        assert!(is_user_speech(&started));
        assert!(!is_user_speech(&ListenEvent::<()>::Open));
    }
}
