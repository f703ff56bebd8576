//! Adapts a [`SpeakSession`] to the IO loop and paces its audio.
//!
//! Owns the pacing: one frame every `frame duration / speed` of wall time (default 20 ms / 4 = 5 ms), so a
//! Clear takes effect within one frame. If the loop falls behind by more than a frame it resumes from
//! "now" instead of bursting. It must not add protocol behaviour.

use std::time::Duration;

use tokio::time::Instant;

use crate::connection_io::{Outgoing, SessionDriver};
use crate::speak_session::{SpeakOutput, SpeakSession};

/// A speak connection driven by [`crate::connection_io::run_connection`].
pub struct SpeakDriver {
    session: SpeakSession,
    interval: Duration,
    next_frame_at: Option<Instant>,
    frame: Option<Vec<u8>>,
}

impl SpeakDriver {
    /// Wraps a session; `frame_ms` and `speed` set the pacing.
    pub fn new(session: SpeakSession, frame_ms: u32, speed: f64) -> SpeakDriver {
        let interval = Duration::from_secs_f64(f64::from(frame_ms) / 1000.0 / speed.max(0.001));
        SpeakDriver {
            session,
            interval,
            next_frame_at: None,
            frame: None,
        }
    }
}

impl SessionDriver for SpeakDriver {
    fn on_text(&mut self, text: &str, now: Instant) {
        self.session.handle_text(text, now.into_std());
        if self.session.has_audio() && self.next_frame_at.is_none() {
            self.next_frame_at = Some(now);
        }
    }

    fn on_binary(&mut self, _bytes: &[u8], _now: Instant) {
        self.session.handle_binary();
    }

    fn on_time_limit(&mut self) {
        self.session.handle_time_limit();
    }

    fn poll_outgoing(&mut self) -> Option<Outgoing> {
        if let Some(frame) = self.frame.take() {
            return Some(Outgoing::Binary(frame));
        }
        self.session.poll_output().map(|o| match o {
            SpeakOutput::Text(t) => Outgoing::Text(t),
            SpeakOutput::Close { code, reason } => Outgoing::Close { code, reason },
        })
    }

    fn next_wake(&self) -> Option<Instant> {
        self.next_frame_at
    }

    fn on_wake(&mut self, now: Instant) {
        self.frame = self.session.pop_frame();
        self.next_frame_at = match (self.frame.is_some(), self.next_frame_at) {
            (true, Some(due)) => {
                let next = due + self.interval;
                Some(if next + self.interval < now {
                    now
                } else {
                    next
                })
            }
            (true, None) => Some(now + self.interval),
            (false, _) => None,
        };
        if !self.session.has_audio() && self.frame.is_none() {
            self.next_frame_at = None;
        }
    }

    fn is_busy(&self) -> bool {
        self.session.has_audio()
    }
}
