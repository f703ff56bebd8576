//! The IO plumbing both classes share: one stream's WebSocket (replaced when the stream reconnects), its timer
//! and its `start()` waiters, driven through [`SessionIo`] so `Transcriber` and `Speaker` run their streams with
//! the same code.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsValue;

use super::errors::{error_payload, js_error};
use super::events::EventHub;
use super::payload::{self, set};
use crate::events::{ErrorKind, Event};
use crate::protocol::{CloseInfo, SessionIo, SessionState, Transmit};
use crate::web::audio_context::{describe, failed};
use crate::web::clock::now;
use crate::web::defer_drop;
use crate::web::frame;
use crate::web::socket::{Socket, SocketEvent};

/// A promise's resolve and reject functions.
pub type Waiter = (Function, Function);

/// Promises to settle once no borrow is held: `(resolve or reject, value)`.
pub type Settle = Vec<(Function, JsValue)>;

/// The socket, the stream's timer and who waits for the first open, of one class.
#[derive(Default)]
pub struct Link {
    socket: Option<Socket>,
    url: String,
    protocols: Vec<String>,
    sink: Option<Rc<dyn Fn(SocketEvent)>>,
    tick: Option<Rc<dyn Fn()>>,
    /// The armed timer and its deadline.
    timer: Option<(u64, Timeout)>,
    open_waiters: Vec<Waiter>,
    /// Whether the stream opened at least once.
    opened: bool,
}

impl Link {
    /// Opens the WebSocket to `url`; socket events go to `on_socket(owner, ev)`, the timer to `on_timer(owner)`,
    /// for as long as `owner` lives (a weak reference: no cycle). `class` names the class in the error for a URL
    /// the browser rejects.
    pub fn connect<T: 'static>(
        &mut self,
        class: &str,
        url: String,
        protocols: Vec<String>,
        owner: Weak<T>,
        on_socket: fn(&Rc<T>, SocketEvent),
        on_timer: fn(&Rc<T>),
    ) -> Result<(), JsValue> {
        let socket_owner = owner.clone();
        self.sink = Some(Rc::new(move |ev| {
            if let Some(o) = socket_owner.upgrade() {
                on_socket(&o, ev);
            }
        }));
        self.tick = Some(Rc::new(move || {
            if let Some(o) = owner.upgrade() {
                on_timer(&o);
            }
        }));
        self.url = url;
        self.protocols = protocols;
        self.open_socket().map_err(|e| {
            js_error(
                ErrorKind::Options,
                &format!(
                    "{class} options.baseUrl: the browser rejected the URL: {}",
                    describe(&e)
                ),
            )
        })
    }

    fn open_socket(&mut self) -> Result<(), JsValue> {
        self.socket_gone();
        if let Some(sink) = self.sink.clone() {
            self.socket = Some(Socket::connect(&self.url, &self.protocols, sink)?);
        }
        Ok(())
    }

    /// The socket's `bufferedAmount` (0 without a socket).
    pub fn buffered_amount(&self) -> usize {
        self.socket.as_ref().map_or(0, Socket::buffered_amount)
    }

    /// A promise settled by the stream's first open (resolve) or a close before it (reject).
    pub fn wait_open(&mut self) -> Promise {
        let mut waiter = None;
        let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
        if let Some(w) = waiter {
            if self.opened {
                let _ = w.0.call0(&JsValue::UNDEFINED);
            } else {
                self.open_waiters.push(w);
            }
        }
        promise
    }

    /// The timer fired (it is re-armed by [`Link::arm`]).
    pub fn timer_fired(&mut self) {
        if let Some((_, t)) = self.timer.take() {
            // Inside its own callback: released after it returns.
            defer_drop(t);
        }
    }

    /// Arms the timer for `deadline` (on the `now` clock). A timer already armed for the same time or earlier is
    /// kept: when it fires early the stream has nothing to do and the timer is armed again, so a deadline that
    /// keeps moving later (the KeepAlive after each audio frame) costs no new timer per frame.
    pub fn arm(&mut self, deadline: Option<u64>, now: f64) {
        let Some(at) = deadline else {
            self.timer = None;
            return;
        };
        if self.timer.as_ref().is_some_and(|(armed, _)| *armed <= at) {
            return;
        }
        let Some(tick) = self.tick.clone() else {
            return;
        };
        let now = if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        };
        let delay = at.saturating_sub(now).min(u64::from(u32::MAX >> 1)) as u32;
        self.timer = Some((at, Timeout::new(delay, move || tick())));
    }

    /// Sends everything the stream has queued (opening a new socket when it reconnects); a failed send becomes
    /// a `network` error event.
    pub fn transmit(
        &mut self,
        stream: &mut impl SessionIo<JsValue>,
        events: &mut EventHub,
        now: f64,
    ) {
        while let Some(t) = stream.poll_transmit(now) {
            let sent = match (&t, self.socket.as_ref()) {
                (Transmit::Connect, _) => self.open_socket(),
                (_, None) => Ok(()),
                (Transmit::Message(m), Some(sock)) => sock.send_message(m),
                (Transmit::Binary(bytes), Some(sock)) => sock.send_binary(bytes),
                (Transmit::Close { code, reason }, Some(sock)) => {
                    sock.close(*code, reason);
                    Ok(())
                }
            };
            if let Err(e) = sent {
                events.push(
                    Event::Error,
                    error_payload(ErrorKind::Network, &failed("send failed", &e)),
                );
            }
        }
    }

    /// A connection opened: resolves the `start()` waiters and queues the `open` event.
    pub fn opened(&mut self, events: &mut EventHub, settle: &mut Settle) {
        self.opened = true;
        for (resolve, _) in self.open_waiters.drain(..) {
            settle.push((resolve, JsValue::UNDEFINED));
        }
        let o = Object::new();
        if let Some(sock) = self.socket.as_ref() {
            set(&o, "protocol", sock.protocol());
        }
        events.push(Event::Open, o.into());
    }

    /// The connection dropped and the stream will open a new one: the old socket goes, quietly.
    pub fn socket_gone(&mut self) {
        if let Some(sock) = self.socket.take() {
            defer_drop(sock);
        }
    }

    /// The stream closed: queues the `error` (unless the close was normal) and `close` events, rejects the
    /// `start()` waiters and releases the socket and the timer.
    pub fn closed(&mut self, info: &CloseInfo, events: &mut EventHub, settle: &mut Settle) {
        if let Some(kind) = ErrorKind::of_close(info.kind) {
            events.push(Event::Error, error_payload(kind, info.kind.explain()));
        }
        events.push(Event::Close, payload::close(info));
        for (_, reject) in self.open_waiters.drain(..) {
            settle.push((reject, js_error(ErrorKind::Handshake, info.kind.explain())));
        }
        self.socket_gone();
        self.timer = None;
    }
}

/// The `state` getter's value: `"idle"` before a stream exists, then its state.
pub fn state_name(state: Option<SessionState>) -> &'static str {
    match state {
        None => "idle",
        Some(SessionState::Connecting) => "connecting",
        Some(SessionState::Open) => "open",
        Some(SessionState::Closing) => "closing",
        Some(SessionState::Closed) => "closed",
    }
}

/// A class's state that holds a stream and its [`Link`].
pub trait HasStream {
    /// The stream type.
    type Stream: SessionIo<JsValue>;
    /// The stream (once started) and the link.
    fn parts(&mut self) -> (Option<&mut Self::Stream>, &mut Link);
}

/// A socket event for the stream in `inner` (skipped when `inner` is borrowed: a re-entrant browser callback
/// cannot happen with one thread, but a panic must never be the answer). The caller pumps afterwards.
pub fn on_socket_event<I: HasStream>(inner: &RefCell<I>, ev: SocketEvent) {
    if let Ok(mut inner) = inner.try_borrow_mut() {
        if let (Some(s), _) = inner.parts() {
            feed(s, ev, now());
        }
    }
}

/// The timer fired for the stream in `inner`. The caller pumps afterwards.
pub fn on_timer<I: HasStream>(inner: &RefCell<I>) {
    if let Ok(mut inner) = inner.try_borrow_mut() {
        let (stream, link) = inner.parts();
        link.timer_fired();
        if let Some(s) = stream {
            s.handle_timeout(now());
        }
    }
}

/// Hands one socket event to the stream (a text frame parsed once, by `JSON.parse`).
fn feed(stream: &mut impl SessionIo<JsValue>, ev: SocketEvent, now: f64) {
    match ev {
        SocketEvent::Open => stream.handle_open(now),
        SocketEvent::Text(text) => match frame::parse(&text) {
            Ok(f) => {
                let raw = f.0.clone();
                stream.handle_text(&f, raw, now);
            }
            Err(e) => stream.handle_bad_text(e, now),
        },
        SocketEvent::Binary(b) => stream.handle_binary(&b, now),
        SocketEvent::Close {
            code,
            reason,
            was_clean,
        } => stream.handle_close(code, &reason, was_clean, now),
        SocketEvent::Error => {}
    }
}

/// Settles promises (with no borrow held).
pub fn settle(settle: Settle) {
    for (f, v) in settle {
        let _ = f.call1(&JsValue::UNDEFINED, &v);
    }
}
