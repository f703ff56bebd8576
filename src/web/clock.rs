//! Monotonic milliseconds for the sans-IO core (`std::time::Instant::now()` panics on wasm32).

/// Milliseconds since the page's time origin (`performance.now()`, sub-millisecond), the streams' `now`.
pub fn now() -> f64 {
    let ms = web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0);
    if ms.is_finite() && ms > 0.0 {
        ms
    } else {
        0.0
    }
}
