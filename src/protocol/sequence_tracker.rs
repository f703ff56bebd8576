//! Predicts the `sequence_id` the speak server will give each Flush and Clear, and reconciles with what it says.
//!
//! The decided rule shared with the local server: Flushed and Cleared share ONE counter per connection, starting at
//! 0, incremented for each Flush or Clear the server acknowledges; a Flush the server ignores for the rate limit
//! does not count. Predictions are optimistic (every Flush is assumed acknowledged). Reconciliation:
//! - an `EXCESSIVE_FLUSH` warning marks the most recent unacknowledged Flush as ignored: it leaves the pending list
//!   and every later prediction shifts back by one;
//! - an acknowledgement is matched to the oldest pending operation of its kind; a Cleared also retires the Flushes
//!   sent before its Clear that were never acknowledged (the Clear discarded them); the predictions after the
//!   matched operation are re-based on the server's id, so one surprise does not skew every later id.
//!
//! Owns only this bookkeeping; it sends nothing and does not know about audio.

/// Flush or Clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AckKind {
    Flush,
    Clear,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    kind: AckKind,
    /// The current prediction (re-based when the server counts differently).
    predicted: u32,
    /// What `register` returned (never changes: the app's handle on the operation).
    issued: u32,
    /// A unique, never re-used identity of the operation (ids can repeat after a re-base; tickets cannot).
    ticket: u64,
}

/// Outcome of matching an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matched {
    /// What `register` returned for the matched operation (`None` when nothing was pending of that kind).
    pub predicted: Option<u32>,
    /// The matched operation's ticket.
    pub ticket: Option<u64>,
    /// Flushes retired because a Clear overtook them.
    pub retired_flushes: usize,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SequenceTracker {
    next: u32,
    tickets: u64,
    /// Oldest first. A `Vec`: the list is short, and a `VecDeque` of its own type would add its own copy of the
    /// ring-buffer code.
    pending: Vec<Pending>,
}

impl SequenceTracker {
    /// Registers a Flush or Clear being sent; returns its predicted id.
    pub(crate) fn register(&mut self, kind: AckKind) -> u32 {
        let id = self.next;
        self.tickets += 1;
        self.pending.push(Pending {
            kind,
            predicted: id,
            issued: id,
            ticket: self.tickets,
        });
        self.next = self.next.saturating_add(1);
        id
    }

    /// The ticket of the most recent `register`.
    pub(crate) fn last_ticket(&self) -> u64 {
        self.tickets
    }

    pub(crate) fn pending_clears(&self) -> usize {
        self.pending
            .iter()
            .filter(|p| p.kind == AckKind::Clear)
            .count()
    }

    /// Matches a `Flushed`/`Cleared` carrying `server_id`.
    pub(crate) fn acknowledge(&mut self, kind: AckKind, server_id: u32) -> Matched {
        let mut found = None;
        for (index, p) in self.pending.iter().enumerate() {
            if p.kind == kind {
                found = Some((index, *p));
                break;
            }
        }
        let Some((index, matched)) = found else {
            return Matched {
                predicted: None,
                ticket: None,
                retired_flushes: 0,
            };
        };
        // What precedes the oldest pending operation of a kind is all of the other kind: before a Clear, the
        // Flushes it retires; before a Flush, Clears that stay pending.
        let from = if kind == AckKind::Clear { 0 } else { index };
        self.pending.drain(from..=index);
        let mut next = server_id.saturating_add(1);
        for p in self.pending.iter_mut().skip(from) {
            p.predicted = next;
            next = next.saturating_add(1);
        }
        self.next = next;
        Matched {
            predicted: Some(matched.issued),
            ticket: Some(matched.ticket),
            retired_flushes: index - from,
        }
    }

    /// The server ignored a Flush (rate limit): drop the most recent pending Flush and shift later ids back.
    pub(crate) fn flush_ignored(&mut self) -> bool {
        let Some(index) = self.pending.iter().rposition(|p| p.kind == AckKind::Flush) else {
            return false;
        };
        self.pending.drain(index..=index);
        for p in self.pending.iter_mut().skip(index) {
            p.predicted = p.predicted.saturating_sub(1);
        }
        self.next = self.next.saturating_sub(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_counter_counts_up() {
        let mut t = SequenceTracker::default();
        assert_eq!(t.register(AckKind::Flush), 0);
        assert_eq!(t.register(AckKind::Clear), 1);
        assert_eq!(t.register(AckKind::Flush), 2);
        assert_eq!(
            t.acknowledge(AckKind::Flush, 0),
            Matched {
                predicted: Some(0),
                ticket: Some(1),
                retired_flushes: 0
            }
        );
        assert_eq!(
            t.acknowledge(AckKind::Clear, 1),
            Matched {
                predicted: Some(1),
                ticket: Some(2),
                retired_flushes: 0
            }
        );
        assert_eq!(
            t.acknowledge(AckKind::Flush, 2),
            Matched {
                predicted: Some(2),
                ticket: Some(3),
                retired_flushes: 0
            }
        );
        assert_eq!(t.register(AckKind::Flush), 3);
    }

    #[test]
    fn ignored_flush_shifts_later_predictions() {
        let mut t = SequenceTracker::default();
        assert_eq!(t.register(AckKind::Flush), 0);
        assert_eq!(t.register(AckKind::Flush), 1);
        assert!(t.flush_ignored());
        assert_eq!(t.register(AckKind::Flush), 1);
        assert_eq!(t.acknowledge(AckKind::Flush, 0).predicted, Some(0));
        assert_eq!(t.acknowledge(AckKind::Flush, 1).predicted, Some(1));
        assert!(!t.flush_ignored());
    }

    #[test]
    fn clear_retires_unacknowledged_flushes_and_rebases() {
        let mut t = SequenceTracker::default();
        t.register(AckKind::Flush); // 0, never acknowledged: the Clear discards it
        t.register(AckKind::Clear); // predicted 1, server says 0
        t.register(AckKind::Flush); // predicted 2, should become 1
        assert_eq!(t.pending_clears(), 1);
        assert_eq!(
            t.acknowledge(AckKind::Clear, 0),
            Matched {
                predicted: Some(1),
                ticket: Some(2),
                retired_flushes: 1
            }
        );
        assert_eq!(t.pending_clears(), 0);
        // The Flush is matched by identity: it reports what register() returned (2), though the server
        // counted it as 1, and later registrations continue from the server's count.
        let m = t.acknowledge(AckKind::Flush, 1);
        assert_eq!((m.predicted, m.ticket), (Some(2), Some(3)));
        assert_eq!(t.register(AckKind::Clear), 2);
        assert_eq!(t.last_ticket(), 4);
    }

    #[test]
    fn unsolicited_ack_matches_nothing() {
        let mut t = SequenceTracker::default();
        assert_eq!(
            t.acknowledge(AckKind::Flush, 7),
            Matched {
                predicted: None,
                ticket: None,
                retired_flushes: 0
            }
        );
        assert_eq!(
            t.acknowledge(AckKind::Clear, 7),
            Matched {
                predicted: None,
                ticket: None,
                retired_flushes: 0
            }
        );
        assert_eq!(t.register(AckKind::Flush), 0);
    }
}
