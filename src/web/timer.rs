//! One re-armable `setTimeout` per session, driving the protocol core's `next_timeout`/`handle_timeout`.
//!
//! The closure is created once and lives as long as the timer, so re-arming from inside the callback never frees
//! a running closure (the trap of replacing a one-shot timer value from its own callback).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A timer that fires its callback once per `arm`; dropping it cancels it.
pub struct Timer {
    callback: Closure<dyn FnMut()>,
    handle: Option<i32>,
    deadline: Option<u64>,
}

impl Timer {
    /// A disarmed timer that will call `callback` when it fires.
    pub fn new(callback: impl FnMut() + 'static) -> Self {
        Self {
            callback: Closure::<dyn FnMut()>::new(callback),
            handle: None,
            deadline: None,
        }
    }

    /// Fires at `deadline` (milliseconds on the [`super::clock::now_ms`] clock); `None` disarms. Re-arming to the
    /// same deadline is a no-op.
    pub fn arm_at(&mut self, deadline: Option<u64>, now: u64) {
        if deadline == self.deadline && (deadline.is_none() || self.handle.is_some()) {
            return;
        }
        self.cancel();
        let Some(at) = deadline else { return };
        let delay = at.saturating_sub(now).min(i32::MAX as u64) as i32;
        if let Some(window) = web_sys::window() {
            if let Ok(id) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                self.callback.as_ref().unchecked_ref(),
                delay,
            ) {
                self.handle = Some(id);
                self.deadline = Some(at);
            }
        }
    }

    /// Marks the timer as fired (call first thing in the callback, so the next `arm_at` re-arms).
    pub fn fired(&mut self) {
        self.handle = None;
        self.deadline = None;
    }

    /// Cancels a pending firing.
    pub fn cancel(&mut self) {
        if let (Some(id), Some(window)) = (self.handle.take(), web_sys::window()) {
            window.clear_timeout_with_handle(id);
        }
        self.deadline = None;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}
