//! An event listener as a value: created subscribed, unsubscribed when dropped (the gloo-events shape).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

/// A subscription of a Rust closure to a DOM event; dropping it removes the listener.
#[derive(Debug)]
#[must_use = "the listener is removed when dropped"]
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl EventListener {
    /// Subscribes `callback` to `kind` events of `target`.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        callback: impl FnMut(Event) + 'static,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        let callback = Closure::<dyn FnMut(Event)>::new(callback);
        target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())?;
        Ok(Self {
            target: target.clone(),
            kind,
            callback,
        })
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
