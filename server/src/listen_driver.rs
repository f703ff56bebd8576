//! Adapts a [`ListenSession`] to the IO loop.
//!
//! Owns nothing but the mapping between the session's outputs and the loop's frames; it must not add
//! protocol behaviour.

use tokio::time::Instant;

use crate::connection_io::{Outgoing, SessionDriver};
use crate::transcriber::{ListenSession, SessionOutput};

/// A listen stream driven by [`crate::connection_io::run_connection`].
pub struct ListenDriver {
    session: ListenSession,
}

impl ListenDriver {
    /// Wraps a session.
    pub fn new(session: ListenSession) -> ListenDriver {
        ListenDriver { session }
    }
}

impl SessionDriver for ListenDriver {
    fn on_text(&mut self, text: &str, _now: Instant) {
        self.session.handle_text(text);
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
}
