//! Monotonic milliseconds for the sans-IO core (`std::time::Instant::now()` panics on wasm32).

/// Milliseconds since the page's time origin (`performance.now()`), as the protocol layer's `now`.
pub fn now_ms() -> u64 {
    let ms = web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0);
    if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    }
}

/// `performance.now()` with its sub-millisecond precision, for latency figures.
pub fn now_precise_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}
