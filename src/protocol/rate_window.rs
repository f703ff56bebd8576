//! Deepgram's speak rate limits as one sliding window: amounts (Flushes, characters of text) recorded with their
//! time, summed over the last `window_ms`. The Flush budget (20 a minute) and the text budget (2,400 characters a
//! minute, past which Deepgram closes with 1008 `DATA-0001`: docs/streaming-text-to-speech, Limits) are two uses.
//!
//! Owns the window arithmetic only, so the session can warn before the server acts; it never holds anything
//! back. Whether Deepgram's windows slide or are fixed is not documented: a sliding one warns no later than either.

/// Deepgram's text limit: 2,400 characters...
pub const TEXT_LIMIT_CHARS: usize = 2400;
/// ...per 60 s.
pub const TEXT_WINDOW_MS: u64 = 60_000;

/// Sliding-window sum of recorded amounts.
#[derive(Debug, Clone)]
pub struct RateWindow {
    limit: usize,
    window_ms: u64,
    /// `(time, amount)` of each record, oldest first.
    records: Vec<(u64, usize)>,
    total: usize,
}

impl RateWindow {
    /// A window of `window_ms` that allows `limit` in all.
    pub fn new(limit: usize, window_ms: u64) -> Self {
        Self {
            limit,
            window_ms,
            records: Vec::new(),
            total: 0,
        }
    }

    /// The text budget: 2,400 characters a minute.
    pub fn text() -> Self {
        Self::new(TEXT_LIMIT_CHARS, TEXT_WINDOW_MS)
    }

    fn expire(&mut self, now: u64) {
        let gone = self
            .records
            .iter()
            .take_while(|(t, _)| now.saturating_sub(*t) >= self.window_ms)
            .count();
        for (_, amount) in self.records.drain(..gone) {
            self.total -= amount;
        }
    }

    /// Records `amount` at `now`; `false` when it takes the window over the limit (recorded all the same: the
    /// text is sent anyway, and the server decides).
    pub fn take(&mut self, now: u64, amount: usize) -> bool {
        self.expire(now);
        if amount > 0 {
            self.records.push((now, amount));
            self.total += amount;
        }
        self.total <= self.limit
    }

    /// Records `amount` at `now` only if the window has room for it (what the server ignores is not counted).
    pub fn try_take(&mut self, now: u64, amount: usize) -> bool {
        self.expire(now);
        let room = self.total + amount <= self.limit;
        if room {
            self.take(now, amount);
        }
        room
    }

    /// What the window holds at `now`.
    pub fn used(&mut self, now: u64) -> usize {
        self.expire(now);
        self.total
    }

    /// What the window still allows at `now`.
    pub fn remaining(&mut self, now: u64) -> usize {
        self.limit.saturating_sub(self.used(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_slides_and_the_limit_is_inclusive() {
        let mut b = RateWindow::text();
        assert!(b.take(0, 2000));
        assert!(
            b.take(30_000, 400),
            "2,400 in the minute: at the limit, not over it"
        );
        assert!(!b.take(30_001, 1), "one more is over");
        assert_eq!(
            b.used(60_000),
            401,
            "the first 2,000 left the window at 60 s"
        );
        assert!(b.take(60_000, 1999));
        assert!(!b.take(60_000, 1));
        assert_eq!(b.used(200_000), 0);
    }
}
