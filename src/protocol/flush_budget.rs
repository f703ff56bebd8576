//! The speak Flush rate limit as a sliding window: at most `limit` accepted Flushes in any `window_ms`.
//!
//! Owns the Flush rule (the window is [`RateWindow`]'s). It mirrors the server's rule (20 per sliding 60 s; a
//! Flush over the limit is ignored by the server and so is not recorded here either) so the session can warn
//! before sending; it never blocks a Flush.

use super::rate_window::RateWindow;

/// Deepgram's limit: 20 Flushes...
pub const FLUSH_LIMIT: usize = 20;
/// ...per sliding 60 s.
pub const FLUSH_WINDOW_MS: u64 = 60_000;

/// Sliding-window counter of accepted Flushes.
#[derive(Debug, Clone)]
pub struct FlushBudget(RateWindow);

impl Default for FlushBudget {
    fn default() -> Self {
        Self::new(FLUSH_LIMIT, FLUSH_WINDOW_MS)
    }
}

impl FlushBudget {
    /// A budget of `limit` Flushes per `window_ms`.
    pub fn new(limit: usize, window_ms: u64) -> Self {
        Self(RateWindow::new(limit, window_ms))
    }

    /// Records a Flush at `now` if the window has room and returns `true`; returns `false` (and records nothing,
    /// as the server ignores it) when the window is full.
    pub fn try_take(&mut self, now: u64) -> bool {
        self.0.try_take(now, 1)
    }

    /// Flushes still allowed at `now`.
    pub fn remaining(&mut self, now: u64) -> usize {
        self.0.remaining(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_per_sliding_minute() {
        let mut b = FlushBudget::default();
        for i in 0..20 {
            assert!(b.try_take(1000 + i * 100), "flush {i}");
        }
        assert!(!b.try_take(3000), "21st within the window");
        assert_eq!(b.remaining(3000), 0);
        // The first flush (t=1000) leaves the window at t=61000, exactly one slot frees.
        assert!(!b.try_take(60_999));
        assert!(b.try_take(61_000));
        assert!(!b.try_take(61_000));
        assert!(b.try_take(61_100));
        assert_eq!(b.remaining(200_000), 20);
    }

    #[test]
    fn rejected_flushes_do_not_extend_the_window() {
        let mut b = FlushBudget::new(2, 1000);
        assert!(b.try_take(0));
        assert!(b.try_take(0));
        for t in 1..1000 {
            assert!(!b.try_take(t));
        }
        assert!(b.try_take(1000));
    }
}
