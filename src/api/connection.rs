//! The IO plumbing both classes share: one session's WebSocket, its timer and its `start()` waiters, driven
//! through [`SessionIo`] so `Transcriber` and `Speaker` run their sessions with the same code.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise};
use wasm_bindgen::JsValue;

use super::errors::{error_payload, js_error, ErrorKind};
use super::events::EventHub;
use super::payload::{self, set};
use crate::protocol::{CloseInfo, CloseKind, SessionIo, SessionState, Transmit};
use crate::web::audio_context::{describe, failed};
use crate::web::clock::now_ms;
use crate::web::defer_drop;
use crate::web::socket::{Socket, SocketEvent};
use crate::web::timer::Timer;

/// A promise's resolve and reject functions.
pub type Waiter = (Function, Function);

/// The socket, the session timer and who waits for the open, of one connection.
#[derive(Default)]
pub struct Link {
    /// The WebSocket (None before `connect` and after the close).
    pub socket: Option<Socket>,
    timer: Option<Timer>,
    /// Whether the session reported its open.
    pub opened: bool,
    open_waiters: Vec<Waiter>,
}

impl Link {
    /// Opens the WebSocket to `url`; socket events go to `on_socket(owner, ev)`, the session timer to
    /// `on_timer(owner)`, for as long as `owner` lives (a weak reference: no cycle). `class` names the class in the
    /// error for a URL the browser rejects.
    pub fn connect<T: 'static>(
        &mut self,
        class: &str,
        url: &str,
        protocols: &[String],
        owner: Weak<T>,
        on_socket: fn(&Rc<T>, SocketEvent),
        on_timer: fn(&Rc<T>),
    ) -> Result<(), JsValue> {
        let socket_owner = owner.clone();
        let sink: Rc<dyn Fn(SocketEvent)> = Rc::new(move |ev| {
            if let Some(o) = socket_owner.upgrade() {
                on_socket(&o, ev);
            }
        });
        let socket = Socket::connect(url, protocols, sink).map_err(|e| {
            js_error(
                ErrorKind::Options,
                &format!(
                    "{class} options.baseUrl: the browser rejected the URL: {}",
                    describe(&e)
                ),
            )
        })?;
        self.socket = Some(socket);
        self.timer = Some(Timer::new(move || {
            if let Some(o) = owner.upgrade() {
                on_timer(&o);
            }
        }));
        self.opened = false;
        Ok(())
    }

    /// A promise settled by the session's open (resolve) or a close before it (reject).
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

    /// Marks the timer as fired (it re-arms in [`Link::finish_pump`]).
    pub fn timer_fired(&mut self) {
        if let Some(t) = self.timer.as_mut() {
            t.fired();
        }
    }

    /// Sends everything the session has queued; a failed send becomes a `network` error event.
    pub fn transmit(&self, session: &mut impl SessionIo, events: &mut EventHub, now: u64) {
        while let Some(t) = session.poll_transmit(now) {
            let Some(sock) = self.socket.as_ref() else {
                continue;
            };
            let sent = match &t {
                Transmit::Text(text) => sock.send_text(text),
                Transmit::Binary(bytes) => sock.send_binary(bytes),
                Transmit::Close { code, reason } => {
                    sock.close(*code, reason);
                    Ok(())
                }
            };
            if let Err(e) = sent {
                events.push(
                    "error",
                    error_payload(ErrorKind::Network, &failed("send failed", &e)),
                );
            }
        }
    }

    /// The session opened: resolves the `start()` waiters and queues the `open` event.
    pub fn opened(&mut self, events: &mut EventHub, settle: &mut Vec<(Function, JsValue)>) {
        self.opened = true;
        for (resolve, _) in self.open_waiters.drain(..) {
            settle.push((resolve, JsValue::UNDEFINED));
        }
        let o = Object::new();
        if let Some(sock) = self.socket.as_ref() {
            set(&o, "protocol", sock.protocol());
        }
        events.push("open", o.into());
    }

    /// The session closed: queues the `error` (unless the close was normal) and `close` events, rejects the
    /// `start()` waiters and releases the socket and the timer.
    pub fn closed(
        &mut self,
        info: &CloseInfo,
        events: &mut EventHub,
        settle: &mut Vec<(Function, JsValue)>,
    ) {
        if info.kind == CloseKind::HandshakeRefused {
            events.push(
                "error",
                error_payload(ErrorKind::Handshake, info.kind.explain()),
            );
        } else if !matches!(info.kind, CloseKind::Normal) {
            events.push(
                "error",
                error_payload(ErrorKind::Network, info.kind.explain()),
            );
        }
        events.push("close", payload::close(info));
        for (_, reject) in self.open_waiters.drain(..) {
            settle.push((reject, js_error(ErrorKind::Handshake, info.kind.explain())));
        }
        if let Some(sock) = self.socket.take() {
            defer_drop(sock);
        }
        if let Some(mut t) = self.timer.take() {
            t.cancel();
            defer_drop(t);
        }
    }

    /// Releases the socket and the timer without any event (the connection is being replaced).
    pub fn drop_quietly(&mut self) {
        if let Some(sock) = self.socket.take() {
            defer_drop(sock);
        }
        if let Some(mut t) = self.timer.take() {
            t.cancel();
            defer_drop(t);
        }
        self.opened = false;
    }

    /// Re-arms the timer for the session's next deadline.
    pub fn finish_pump(&mut self, session: &impl SessionIo, now: u64) {
        if let Some(timer) = self.timer.as_mut() {
            timer.arm_at(session.next_timeout(), now);
        }
    }
}

/// The `state` getter's value: `"idle"` before a session exists, then the session's state.
pub fn state_name(state: Option<SessionState>) -> &'static str {
    match state {
        None => "idle",
        Some(SessionState::Connecting) => "connecting",
        Some(SessionState::Open) => "open",
        Some(SessionState::Closing) => "closing",
        Some(SessionState::Closed) => "closed",
    }
}

/// A class's state that holds a session and its [`Link`].
pub trait HasSession {
    /// The session type.
    type Session: SessionIo;
    /// The session (once started) and the link.
    fn parts(&mut self) -> (Option<&mut Self::Session>, &mut Link);
}

/// A socket event for the session in `inner` (skipped when `inner` is borrowed: a re-entrant browser callback
/// cannot happen with one thread, but a panic must never be the answer). The caller pumps afterwards.
pub fn on_socket_event<I: HasSession>(inner: &RefCell<I>, ev: SocketEvent) {
    if let Ok(mut inner) = inner.try_borrow_mut() {
        if let (Some(s), _) = inner.parts() {
            feed(s, ev, now_ms());
        }
    }
}

/// The session timer fired for the session in `inner`. The caller pumps afterwards.
pub fn on_timer<I: HasSession>(inner: &RefCell<I>) {
    if let Ok(mut inner) = inner.try_borrow_mut() {
        let (session, link) = inner.parts();
        link.timer_fired();
        if let Some(s) = session {
            s.handle_timeout(now_ms());
        }
    }
}

/// Hands one socket event to the session.
pub fn feed(session: &mut impl SessionIo, ev: SocketEvent, now: u64) {
    match ev {
        SocketEvent::Open => session.handle_open(now),
        SocketEvent::Text(t) => session.handle_text(&t, now),
        SocketEvent::Binary(b) => session.handle_binary(&b, now),
        SocketEvent::Close {
            code,
            reason,
            was_clean,
        } => session.handle_close(code, &reason, was_clean, now),
        SocketEvent::Error => session.handle_socket_error(now),
    }
}
