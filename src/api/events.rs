//! Event listeners and re-entrancy-safe dispatch.
//!
//! Events are queued while the session state is borrowed and dispatched after the borrow ends. If a handler
//! triggers more events (by calling a method), they join the queue and the outer dispatch loop delivers them in
//! order, so handlers see events in the order they happened and never run nested.

use std::cell::RefCell;
use std::collections::VecDeque;

use js_sys::Function;
use wasm_bindgen::JsValue;

/// Listeners by event name, plus the queue of events waiting to be dispatched.
pub struct EventHub {
    names: &'static [&'static str],
    listeners: Vec<(&'static str, Vec<Function>)>,
    queue: VecDeque<(&'static str, JsValue)>,
    dispatching: bool,
}

impl EventHub {
    /// A hub accepting exactly `names`.
    pub fn new(names: &'static [&'static str]) -> Self {
        Self {
            names,
            listeners: Vec::new(),
            queue: VecDeque::new(),
            dispatching: false,
        }
    }

    /// Adds `f` for `name`; an unknown name is an error listing the valid ones.
    pub fn on(&mut self, name: &str, f: Function) -> Result<(), String> {
        let name = self.known(name)?;
        match self.listeners.iter_mut().find(|(n, _)| *n == name) {
            Some((_, fs)) => {
                if !fs.iter().any(|g| g == &f) {
                    fs.push(f);
                }
            }
            None => self.listeners.push((name, vec![f])),
        }
        Ok(())
    }

    /// Removes `f` from `name` (all listeners of `name` when `f` is `None`).
    pub fn off(&mut self, name: &str, f: Option<Function>) -> Result<(), String> {
        let name = self.known(name)?;
        if let Some((_, fs)) = self.listeners.iter_mut().find(|(n, _)| *n == name) {
            match f {
                Some(f) => fs.retain(|g| g != &f),
                None => fs.clear(),
            }
        }
        Ok(())
    }

    /// Whether anyone listens to `name` (lets callers skip building payloads nobody reads).
    pub fn has(&self, name: &str) -> bool {
        self.listeners
            .iter()
            .any(|(n, fs)| *n == name && !fs.is_empty())
    }

    /// Queues an event.
    pub fn push(&mut self, name: &'static str, payload: JsValue) {
        self.queue.push_back((name, payload));
    }

    fn known(&self, name: &str) -> Result<&'static str, String> {
        self.names
            .iter()
            .find(|n| **n == name)
            .copied()
            .ok_or_else(|| {
                format!(
                    "unknown event \"{name}\": use one of {}",
                    self.names.join(", ")
                )
            })
    }
}

/// Delivers queued events, unless a dispatch is already running further up the stack (it will deliver them).
pub fn dispatch(hub: &RefCell<EventHub>) {
    {
        let Ok(mut h) = hub.try_borrow_mut() else {
            return;
        };
        if h.dispatching {
            return;
        }
        h.dispatching = true;
    }
    loop {
        let next = {
            let Ok(mut h) = hub.try_borrow_mut() else {
                return;
            };
            match h.queue.pop_front() {
                Some((name, payload)) => {
                    let fs = h
                        .listeners
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, fs)| fs.clone())
                        .unwrap_or_default();
                    Some((payload, fs))
                }
                None => {
                    h.dispatching = false;
                    None
                }
            }
        };
        let Some((payload, fs)) = next else { break };
        for f in fs {
            // A throwing handler must not stop the others or the session: report it and go on.
            if let Err(e) = f.call1(&JsValue::UNDEFINED, &payload) {
                web_sys::console::error_2(&"deepgram-live-wasm: an event handler threw".into(), &e);
            }
        }
    }
}
