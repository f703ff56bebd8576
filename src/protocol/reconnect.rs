//! When a dropped connection is opened again, and after how long.
//!
//! Owns the retry rule only: which closes are worth a new connection, how many attempts in a row, the growing
//! delay. What a new connection carries over (audio, counters, time offsets) is the stream's.

use super::close_reason::{CloseInfo, CloseKind};

/// How a stream replaces a connection that dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Attempts in a row before giving up (0 = never reconnect).
    pub attempts: u32,
    /// Wait before the first attempt; attempt `n` waits `n` times this.
    pub delay_ms: u64,
}

impl Default for ReconnectPolicy {
    /// 3 attempts, 500 ms apart and growing.
    fn default() -> Self {
        Self {
            attempts: 3,
            delay_ms: 500,
        }
    }
}

impl ReconnectPolicy {
    /// Never reconnect.
    pub const NEVER: Self = Self {
        attempts: 0,
        delay_ms: 0,
    };

    /// How long to wait before opening a new connection after `close`, when `failed` attempts in a row have
    /// already failed; `None` to give up. Only connections that dropped are retried (no close frame, a server that
    /// stopped answering, an unexpected code); a refused handshake only while already reconnecting (a server
    /// restarting); a normal close, bad audio or an idle timeout end the stream.
    pub fn delay(&self, failed: u32, close: &CloseInfo) -> Option<u64> {
        let retry = match close.kind {
            CloseKind::Abnormal | CloseKind::NoResponseTimeout | CloseKind::Other => true,
            CloseKind::HandshakeRefused => failed > 0,
            // Listen streams only: a speak connection is reopened by the next speak(), whatever closed it.
            _ => false,
        };
        (retry && failed < self.attempts)
            .then(|| self.delay_ms.saturating_mul(u64::from(failed) + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(code: u16, kind: CloseKind) -> CloseInfo {
        CloseInfo {
            code,
            reason: String::new(),
            was_clean: false,
            kind,
        }
    }

    #[test]
    fn drops_are_retried_with_a_growing_delay_up_to_the_limit() {
        let p = ReconnectPolicy::default();
        let dropped = close(1006, CloseKind::Abnormal);
        assert_eq!(p.delay(0, &dropped), Some(500));
        assert_eq!(p.delay(1, &dropped), Some(1000));
        assert_eq!(p.delay(2, &dropped), Some(1500));
        assert_eq!(p.delay(3, &dropped), None);
        assert_eq!(
            p.delay(0, &close(1011, CloseKind::NoResponseTimeout)),
            Some(500)
        );
        assert_eq!(p.delay(0, &close(1001, CloseKind::Other)), Some(500));
    }

    #[test]
    fn endings_and_refusals_are_not_retried() {
        let p = ReconnectPolicy::default();
        for kind in [
            CloseKind::Normal,
            CloseKind::DataError,
            CloseKind::IdleTimeout,
        ] {
            assert_eq!(p.delay(0, &close(1000, kind)), None, "{kind:?}");
        }
        let refused = close(1006, CloseKind::HandshakeRefused);
        assert_eq!(
            p.delay(0, &refused),
            None,
            "a first handshake that fails is not a drop"
        );
        assert_eq!(
            p.delay(1, &refused),
            Some(1000),
            "a server restarting while we reconnect"
        );
        assert_eq!(
            ReconnectPolicy::NEVER.delay(0, &close(1006, CloseKind::Abnormal)),
            None
        );
    }
}
