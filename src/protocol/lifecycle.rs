//! The lifecycle both sessions share: one enum with checked transitions (the quinn-proto `connection/state.rs`
//! shape), instead of a handful of booleans whose combinations mean something.
//!
//! Owns which transitions exist and what each state accepts. It knows nothing of frames, timers or events; the
//! sessions act on what the transitions return.

use super::error::SessionError;
use super::transmit::SessionState;

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    /// The socket is opening. `ending`: the app already asked for a graceful end (its message goes once open).
    Connecting {
        /// A graceful end is queued.
        ending: bool,
    },
    /// Open: everything is accepted.
    Open,
    /// A graceful end (listen `CloseStream`, speak `Close`) is queued or sent: waiting for the server to close.
    Ending,
    /// This side is closing the socket (`close()`, or a graceful end that timed out).
    Closing {
        /// Whether the socket had opened.
        opened: bool,
    },
    /// Closed. Terminal.
    Closed,
}

impl Lifecycle {
    /// A new connection.
    pub(crate) fn new() -> Self {
        Self::Connecting { ending: false }
    }

    /// The state the app sees.
    pub(crate) fn public(self) -> SessionState {
        match self {
            Self::Connecting { ending: false } => SessionState::Connecting,
            Self::Open => SessionState::Open,
            Self::Connecting { ending: true } | Self::Ending | Self::Closing { .. } => {
                SessionState::Closing
            }
            Self::Closed => SessionState::Closed,
        }
    }

    /// The socket opened, or opened before (a closed session still counts, for classifying its close).
    pub(crate) fn opened(self) -> bool {
        matches!(
            self,
            Self::Open | Self::Ending | Self::Closing { opened: true }
        )
    }

    /// Whether the connection is open and nothing is ending it.
    pub(crate) fn is_open(self) -> bool {
        self == Self::Open
    }

    /// Whether queued messages may go out on the socket now.
    pub(crate) fn can_send(self) -> bool {
        matches!(self, Self::Open | Self::Ending)
    }

    /// Whether this side started the close (a graceful end or a socket close): how a close is classified.
    pub(crate) fn client_initiated(self) -> bool {
        matches!(
            self,
            Self::Connecting { ending: true } | Self::Ending | Self::Closing { .. }
        )
    }

    /// Whether this side is closing the socket itself.
    pub(crate) fn is_closing(self) -> bool {
        matches!(self, Self::Closing { .. })
    }

    /// Whether the session is closed.
    pub(crate) fn is_closed(self) -> bool {
        self == Self::Closed
    }

    /// Whether a new app call may be made; `ending` is the session's error for calls after a graceful end.
    pub(crate) fn accepting(self, ending: SessionError) -> Result<(), SessionError> {
        match self {
            Self::Connecting { ending: false } | Self::Open => Ok(()),
            Self::Connecting { ending: true } | Self::Ending => Err(ending),
            Self::Closing { .. } => Err(SessionError::Closing),
            Self::Closed => Err(SessionError::Closed),
        }
    }

    /// The socket opened. Returns whether the app should hear of it (not when it already asked to close).
    pub(crate) fn move_to_open(&mut self) -> bool {
        match *self {
            Self::Connecting { ending: false } => {
                *self = Self::Open;
                true
            }
            Self::Connecting { ending: true } => {
                *self = Self::Ending;
                true
            }
            Self::Closing { opened: false } => {
                *self = Self::Closing { opened: true };
                false
            }
            _ => false,
        }
    }

    /// The app asked for a graceful end. Fails (with `ending` for a second request) unless accepting.
    pub(crate) fn move_to_ending(&mut self, ending: SessionError) -> Result<(), SessionError> {
        self.accepting(ending)?;
        *self = match *self {
            Self::Connecting { .. } => Self::Connecting { ending: true },
            _ => Self::Ending,
        };
        Ok(())
    }

    /// This side closes the socket. Returns `false` (and changes nothing) when already closing or closed.
    pub(crate) fn move_to_closing(&mut self) -> bool {
        match *self {
            Self::Closing { .. } | Self::Closed => false,
            other => {
                *self = Self::Closing {
                    opened: other.opened(),
                };
                true
            }
        }
    }

    /// The connection is over. Returns `false` when it already was.
    pub(crate) fn move_to_closed(&mut self) -> bool {
        let was_closed = self.is_closed();
        *self = Self::Closed;
        !was_closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        let mut s = Lifecycle::new();
        assert_eq!(s.public(), SessionState::Connecting);
        assert!(!s.opened() && !s.can_send());
        assert!(s.move_to_open());
        assert_eq!(s.public(), SessionState::Open);
        assert!(!s.move_to_open(), "a second open is ignored");
        s.move_to_ending(SessionError::StreamClosing).unwrap();
        assert_eq!(s, Lifecycle::Ending);
        assert!(s.can_send() && s.client_initiated());
        assert_eq!(
            s.move_to_ending(SessionError::StreamClosing),
            Err(SessionError::StreamClosing)
        );
        assert!(s.move_to_closing());
        assert_eq!(s, Lifecycle::Closing { opened: true });
        assert!(!s.move_to_closing());
        assert_eq!(
            s.accepting(SessionError::Closing),
            Err(SessionError::Closing)
        );
        assert!(s.move_to_closed());
        assert!(!s.move_to_closed());
        assert!(!s.move_to_open() && !s.move_to_closing());
        assert_eq!(
            s.accepting(SessionError::Closing),
            Err(SessionError::Closed)
        );
    }

    #[test]
    fn ending_before_open_goes_out_once_open() {
        let mut s = Lifecycle::new();
        s.move_to_ending(SessionError::Closing).unwrap();
        assert_eq!(s.public(), SessionState::Closing);
        assert!(!s.can_send());
        assert!(s.move_to_open(), "the open is still reported");
        assert_eq!(s, Lifecycle::Ending);
    }

    #[test]
    fn closing_before_open_stays_quiet_on_open() {
        let mut s = Lifecycle::new();
        assert!(s.move_to_closing());
        assert_eq!(s, Lifecycle::Closing { opened: false });
        assert!(!s.move_to_open());
        assert!(s.opened(), "its close is classified as after an open");
        assert!(!s.can_send());
    }
}
