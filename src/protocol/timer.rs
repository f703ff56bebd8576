//! The deadlines of a session as one table (the quinn-proto `connection/timer.rs` shape): each session names its
//! timers in an enum, and the table answers `next_timeout` and which timers are due.
//!
//! Owns only the bookkeeping of deadlines (milliseconds on the caller's clock); what a timer does when it fires
//! is the session's.

use std::marker::PhantomData;

/// Deadlines indexed by the timer enum `T` (`N` of them).
#[derive(Debug, Clone)]
pub(crate) struct TimerTable<T, const N: usize> {
    at: [Option<u64>; N],
    kind: PhantomData<T>,
}

impl<T: Copy + Into<usize>, const N: usize> Default for TimerTable<T, N> {
    fn default() -> Self {
        Self {
            at: [None; N],
            kind: PhantomData,
        }
    }
}

impl<T: Copy + Into<usize>, const N: usize> TimerTable<T, N> {
    /// Arms `timer` for `at` (replacing its deadline).
    pub(crate) fn set(&mut self, timer: T, at: u64) {
        if let Some(slot) = self.at.get_mut(timer.into()) {
            *slot = Some(at);
        }
    }

    /// Disarms `timer`.
    pub(crate) fn stop(&mut self, timer: T) {
        if let Some(slot) = self.at.get_mut(timer.into()) {
            *slot = None;
        }
    }

    /// Disarms every timer.
    pub(crate) fn stop_all(&mut self) {
        self.at = [None; N];
    }

    /// `timer`'s deadline, if armed.
    pub(crate) fn get(&self, timer: T) -> Option<u64> {
        self.at.get(timer.into()).copied().flatten()
    }

    /// Whether `timer` is armed.
    pub(crate) fn is_set(&self, timer: T) -> bool {
        self.get(timer).is_some()
    }

    /// If `timer` is due at `now`, disarms it and returns `true`.
    pub(crate) fn expire(&mut self, timer: T, now: u64) -> bool {
        match self.get(timer) {
            Some(at) if now >= at => {
                self.stop(timer);
                true
            }
            _ => false,
        }
    }

    /// The earliest armed deadline.
    pub(crate) fn next_timeout(&self) -> Option<u64> {
        self.at.iter().flatten().min().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    enum Timer {
        A,
        B,
    }

    impl From<Timer> for usize {
        fn from(t: Timer) -> usize {
            t as usize
        }
    }

    #[test]
    fn earliest_and_expiry() {
        let mut t: TimerTable<Timer, 2> = TimerTable::default();
        assert_eq!(t.next_timeout(), None);
        t.set(Timer::A, 50);
        t.set(Timer::B, 20);
        assert_eq!(t.next_timeout(), Some(20));
        assert!(!t.expire(Timer::A, 49));
        assert!(t.expire(Timer::B, 20));
        assert!(!t.is_set(Timer::B));
        assert_eq!(t.next_timeout(), Some(50));
        t.stop_all();
        assert_eq!(t.get(Timer::A), None);
    }
}
