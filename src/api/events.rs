//! Event listeners and re-entrancy-safe dispatch.
//!
//! Events are queued while the session state is borrowed and dispatched after the borrow ends. If a handler
//! triggers more events (by calling a method), they join the queue and the outer dispatch loop delivers them in
//! order, so handlers see events in the order they happened and never run nested.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::errors::{js_error, ErrorKind};

/// A Rust observer of every event a hub delivers (how `VoiceSession` hears its Transcriber and Speaker).
pub type Forward = Rc<dyn Fn(&'static str, &JsValue)>;

/// Listeners by event name, plus the queue of events waiting to be dispatched.
pub struct EventHub {
    names: &'static [&'static str],
    listeners: Vec<(&'static str, Vec<Function>)>,
    /// Events waiting, each with an optional second handler argument (which half of a `VoiceSession`).
    queue: VecDeque<(&'static str, JsValue, Option<&'static str>)>,
    dispatching: bool,
    forward: Option<Forward>,
}

impl EventHub {
    /// A hub accepting exactly `names`.
    pub fn new(names: &'static [&'static str]) -> Self {
        Self {
            names,
            listeners: Vec::new(),
            queue: VecDeque::new(),
            dispatching: false,
            forward: None,
        }
    }

    /// Sends every delivered event to `f` as well (after the JS listeners).
    pub fn set_forward(&mut self, f: Forward) {
        self.forward = Some(f);
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
        self.forward.is_some()
            || self
                .listeners
                .iter()
                .any(|(n, fs)| *n == name && !fs.is_empty())
    }

    /// Queues an event.
    pub fn push(&mut self, name: &'static str, payload: JsValue) {
        self.queue.push_back((name, payload, None));
    }

    /// Queues an event whose handlers get `source` as a second argument.
    pub fn push_from(&mut self, name: &'static str, payload: JsValue, source: &'static str) {
        self.queue.push_back((name, payload, Some(source)));
    }

    /// Whether `name` is one of this hub's events.
    pub fn accepts(&self, name: &str) -> bool {
        self.names.contains(&name)
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

/// A class's `on(name, f)`: an unknown name is an `options` error listing the valid ones.
pub fn subscribe(hub: &RefCell<EventHub>, name: &str, f: Function) -> Result<(), JsValue> {
    hub.borrow_mut()
        .on(name, f)
        .map_err(|m| js_error(ErrorKind::Options, &m))
}

/// A class's `off(name, f?)`.
pub fn unsubscribe(
    hub: &RefCell<EventHub>,
    name: &str,
    f: Option<Function>,
) -> Result<(), JsValue> {
    hub.borrow_mut()
        .off(name, f)
        .map_err(|m| js_error(ErrorKind::Options, &m))
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
                Some((name, payload, source)) => {
                    let fs = h
                        .listeners
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, fs)| fs.clone())
                        .unwrap_or_default();
                    Some((name, payload, source, fs, h.forward.clone()))
                }
                None => {
                    h.dispatching = false;
                    None
                }
            }
        };
        let Some((name, payload, source, fs, forward)) = next else {
            break;
        };
        for f in fs {
            // A throwing handler must not stop the others or the session: report it and go on.
            let result = match source {
                Some(s) => f.call2(&JsValue::UNDEFINED, &payload, &JsValue::from_str(s)),
                None => f.call1(&JsValue::UNDEFINED, &payload),
            };
            if let Err(e) = result {
                web_sys::console::error_2(&"deepgram-live-wasm: an event handler threw".into(), &e);
            }
        }
        if let Some(forward) = forward {
            forward(name, &payload);
        }
    }
}
