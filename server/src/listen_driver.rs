//! Adapts a [`ListenSession`] to the IO loop.
//!
//! Owns the mapping between the session's outputs and the loop's frames, and the one wall-clock timer a
//! listen stream has besides the idle timeout: after a Configure stalled the stream, the configure timeout
//! (`--configure-timeout-ms`) ends it through [`ListenSession::handle_configure_timeout`]. It must not add
//! protocol behaviour.

use std::time::Duration;

use tokio::time::Instant;

use crate::connection_io::{Outgoing, SessionDriver};
use crate::transcriber::{ListenSession, SessionOutput};

/// A listen stream driven by [`crate::connection_io::run_connection`].
pub struct ListenDriver {
    session: ListenSession,
    configure_timeout: Duration,
    stall_deadline: Option<Instant>,
}

impl ListenDriver {
    /// Wraps a session; `configure_timeout` is how long a stalled Configure waits before the close.
    pub fn new(session: ListenSession, configure_timeout: Duration) -> ListenDriver {
        ListenDriver {
            session,
            configure_timeout,
            stall_deadline: None,
        }
    }
}

impl SessionDriver for ListenDriver {
    fn on_text(&mut self, text: &str, now: Instant) {
        self.session.handle_text(text);
        if self.session.is_stalled() && self.stall_deadline.is_none() {
            self.stall_deadline = Some(now + self.configure_timeout);
        }
    }

    fn on_binary(&mut self, bytes: &[u8], _now: Instant) {
        self.session.handle_audio(bytes);
    }

    fn on_idle_timeout(&mut self) {
        self.session.handle_idle_timeout();
    }

    fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.session.poll_output().map(|o| match o {
            SessionOutput::Text(t) => Outgoing::Text(t),
            SessionOutput::Close { code, reason } => Outgoing::Close { code, reason },
        })
    }

    fn next_wake(&self) -> Option<Instant> {
        self.stall_deadline
    }

    fn on_wake(&mut self, now: Instant) {
        if self.stall_deadline.is_some_and(|due| due <= now) {
            self.stall_deadline = None;
            self.session.handle_configure_timeout();
        }
    }
}
