//! Log lines on stderr, one per event, when logging is on (`--quiet` turns it off).
//!
//! Owns the line format. Callers must never pass a secret: log lines name connections by id, path and
//! request id, and auth by method only.

use std::fmt;

/// Writes log lines to stderr, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct Logger {
    enabled: bool,
}

impl Logger {
    /// A logger that writes when `enabled`.
    pub fn new(enabled: bool) -> Logger {
        Logger { enabled }
    }

    /// Writes one line.
    pub fn line(&self, args: fmt::Arguments<'_>) {
        if self.enabled {
            eprintln!("[deepgram-live-server] {args}");
        }
    }
}
