//! A fixed-size latency histogram (1 ms buckets), for figures like capture → send p50/p99 that a page shows
//! live and a benchmark prints, without keeping every sample.

/// Buckets of 1 ms from 0 to this many ms; slower samples land in one overflow bucket.
const MAX_MS: usize = 1000;

/// Latencies in milliseconds: count, last, max and percentiles at 1 ms resolution.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    buckets: Vec<u32>,
    count: u64,
    last: f64,
    max: f64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram (one allocation of 4 KB, none per sample).
    pub fn new() -> Self {
        Self {
            buckets: vec![0; MAX_MS + 2],
            count: 0,
            last: 0.0,
            max: 0.0,
        }
    }

    /// Records one latency; negative or non-finite values count as 0 ms.
    pub fn record(&mut self, ms: f64) {
        let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
        let index = (ms.round() as usize).min(MAX_MS + 1);
        if let Some(b) = self.buckets.get_mut(index) {
            *b = b.saturating_add(1);
        }
        self.count += 1;
        self.last = ms;
        self.max = self.max.max(ms);
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The most recent sample.
    pub fn last(&self) -> Option<f64> {
        (self.count > 0).then_some(self.last)
    }

    /// The largest sample.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The `p`-th percentile (0-100) at 1 ms resolution (the overflow bucket reads as the max).
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((p.clamp(0.0, 100.0) / 100.0) * self.count as f64)
            .ceil()
            .max(1.0) as u64;
        let mut seen = 0u64;
        for (ms, n) in self.buckets.iter().enumerate() {
            seen += u64::from(*n);
            if seen >= rank {
                return Some(if ms > MAX_MS { self.max } else { ms as f64 });
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut h = LatencyHistogram::new();
        assert_eq!(h.percentile(50.0), None);
        for ms in 1..=100 {
            h.record(f64::from(ms));
        }
        assert_eq!(h.count(), 100);
        assert_eq!(h.percentile(50.0), Some(50.0));
        assert_eq!(h.percentile(99.0), Some(99.0));
        assert_eq!(h.percentile(100.0), Some(100.0));
        assert_eq!(h.max(), Some(100.0));
        assert_eq!(h.last(), Some(100.0));
    }

    #[test]
    fn outliers_and_bad_values_are_counted_not_lost() {
        let mut h = LatencyHistogram::new();
        h.record(f64::NAN);
        h.record(-5.0);
        h.record(5000.0);
        assert_eq!(h.count(), 3);
        assert_eq!(h.percentile(50.0), Some(0.0));
        assert_eq!(h.percentile(100.0), Some(5000.0));
    }
}
