//! Event listeners and re-entrancy-safe dispatch, keyed by [`Event`] (the one table of event names).
//!
//! Events are queued while the session state is borrowed and dispatched after the borrow ends. If a handler
//! triggers more events (by calling a method), they join the queue and the outer dispatch loop delivers them in
//! order, so handlers see events in the order they happened and never run nested.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

use super::arguments::{argument_error, function, string};
use super::errors::js_error;
use crate::events::{ErrorKind, Event};

/// A Rust observer of every event a hub delivers (how `VoiceSession` hears its Transcriber and Speaker).
pub type Forward = Rc<dyn Fn(Event, &JsValue)>;

/// Listeners by event, plus the queue of events waiting to be dispatched.
pub struct EventHub {
    class: &'static str,
    events: &'static [Event],
    listeners: Vec<(Event, Vec<Function>)>,
    /// Events waiting, each with an optional second handler argument (which half of a `VoiceSession`).
    queue: VecDeque<(Event, JsValue, Option<&'static str>)>,
    dispatching: bool,
    forward: Option<Forward>,
}

impl EventHub {
    /// A hub of `class` accepting exactly `events`.
    pub fn new(class: &'static str, events: &'static [Event]) -> Self {
        Self {
            class,
            events,
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

    /// The event named `name`; an unknown name is an `argument` error listing the valid ones.
    fn event(&self, name: &str) -> Result<Event, JsValue> {
        Event::find(name, self.events, self.class).map_err(|m| js_error(ErrorKind::Argument, &m))
    }

    /// Adds `f` for `name`.
    pub fn on(&mut self, name: &str, f: Function) -> Result<(), JsValue> {
        let event = self.event(name)?;
        match self.listeners.iter_mut().find(|(e, _)| *e == event) {
            Some((_, fs)) => {
                if !fs.iter().any(|g| g == &f) {
                    fs.push(f);
                }
            }
            None => self.listeners.push((event, vec![f])),
        }
        Ok(())
    }

    /// Removes `f` from `name` (all listeners of `name` when `f` is `None`).
    pub fn off(&mut self, name: &str, f: Option<Function>) -> Result<(), JsValue> {
        let event = self.event(name)?;
        if let Some((_, fs)) = self.listeners.iter_mut().find(|(e, _)| *e == event) {
            match f {
                Some(f) => fs.retain(|g| g != &f),
                None => fs.clear(),
            }
        }
        Ok(())
    }

    /// Whether anyone listens to `event` (lets callers skip building payloads nobody reads).
    pub fn has(&self, event: Event) -> bool {
        self.forward.is_some()
            || self
                .listeners
                .iter()
                .any(|(e, fs)| *e == event && !fs.is_empty())
    }

    /// Drops every listener and queued event (`free()`).
    pub fn clear(&mut self) {
        self.listeners.clear();
        self.queue.clear();
    }

    /// Queues an event.
    pub fn push(&mut self, event: Event, payload: JsValue) {
        self.queue.push_back((event, payload, None));
    }

    /// Queues an event whose handlers get `source` as a second argument.
    pub fn push_from(&mut self, event: Event, payload: JsValue, source: &'static str) {
        if self.events.contains(&event) {
            self.queue.push_back((event, payload, Some(source)));
        }
    }
}

const EVENT_NAME: &str = "an event name (a string, e.g. \"open\")";

/// A class's `on(event, handler)`, with the arguments as JavaScript passed them.
pub fn subscribe(
    hub: &RefCell<EventHub>,
    event: &JsValue,
    handler: &JsValue,
) -> Result<(), JsValue> {
    let class = hub.borrow().class;
    let name = string(class, "on(event, handler)", EVENT_NAME, event)?;
    let f = function(class, "on(event, handler)", handler)?;
    hub.borrow_mut().on(&name, f)
}

/// A class's `off(event, handler?)`: without a handler (`undefined` or `null`), every handler of `event`.
pub fn unsubscribe(
    hub: &RefCell<EventHub>,
    event: &JsValue,
    handler: &JsValue,
) -> Result<(), JsValue> {
    let class = hub.borrow().class;
    let name = string(class, "off(event, handler)", EVENT_NAME, event)?;
    let f = if handler.is_undefined() || handler.is_null() {
        None
    } else {
        Some(handler.dyn_ref::<Function>().cloned().ok_or_else(|| {
            argument_error(
                class,
                "off(event, handler)",
                "a function, or nothing to remove every handler of the event",
                handler,
            )
        })?)
    };
    hub.borrow_mut().off(&name, f)
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
                Some((event, payload, source)) => {
                    let fs = h
                        .listeners
                        .iter()
                        .find(|(e, _)| *e == event)
                        .map(|(_, fs)| fs.clone())
                        .unwrap_or_default();
                    Some((event, payload, source, fs, h.forward.clone()))
                }
                None => {
                    h.dispatching = false;
                    None
                }
            }
        };
        let Some((event, payload, source, fs, forward)) = next else {
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
            forward(event, &payload);
        }
    }
}
