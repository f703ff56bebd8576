//! The IO side of one accepted WebSocket: a reader loop feeding a session, a writer task draining it, the
//! connection's time limits ([`Limits`]: idle timeout, maximum duration), and the faults injected through
//! the control API.
//!
//! Owns everything a connection does with sockets and time: recording frames in the registry, delaying
//! replies, stopping reading, aborting the TCP connection, and finishing the close handshake. It must not
//! hold protocol rules: those live in the sans-IO sessions behind [`SessionDriver`]. Each connection is its
//! own task with no `unwrap` on input, so one connection's trouble never reaches another.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout, Instant};

use crate::fault::{Fault, DEFAULT_MALFORMED};
use crate::registry::{ClosedBy, Connection};
use crate::stderr_log::Logger;

/// A frame a session wants sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// JSON text.
    Text(String),
    /// Audio.
    Binary(Vec<u8>),
    /// A close frame; nothing follows it.
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
}

/// A protocol session as the IO loop sees it. Times are tokio instants so tests can pause the clock.
pub trait SessionDriver: Send {
    /// A text frame arrived.
    fn on_text(&mut self, text: &str, now: Instant);
    /// A binary frame arrived.
    fn on_binary(&mut self, bytes: &[u8], now: Instant);
    /// Nothing arrived for [`Limits::idle`] (only called when the limit is set).
    fn on_idle_timeout(&mut self) {}
    /// The connection has been open for [`Limits::max_duration`] (only called when the limit is set).
    fn on_time_limit(&mut self) {}
    /// The next frame to send.
    fn poll_outgoing(&mut self) -> Option<Outgoing>;
    /// When the session next wants [`SessionDriver::on_wake`] (audio pacing).
    fn next_wake(&self) -> Option<Instant> {
        None
    }
    /// The time asked for by [`SessionDriver::next_wake`] has come.
    fn on_wake(&mut self, _now: Instant) {}
    /// Whether the session's own activity (audio being sent) keeps the idle timer from firing.
    fn is_busy(&self) -> bool {
        false
    }
}

/// The time limits of one connection, measured by the IO loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// Call [`SessionDriver::on_idle_timeout`] after this long without a binary or text frame from the
    /// client (while [`SessionDriver::is_busy`] is false). `None`: no idle timeout.
    pub idle: Option<Duration>,
    /// Call [`SessionDriver::on_time_limit`] this long after the connection opened. `None`: no limit.
    pub max_duration: Option<Duration>,
}

struct Queued {
    at: Instant,
    msg: Outgoing,
}

/// How long the server waits for the peer's half of a close handshake.
const CLOSE_HANDSHAKE_WAIT: Duration = Duration::from_secs(2);

/// What the writer shares with the reading loop: how many frames wait to be written, and a signal
/// after each write (so audio pacing never runs ahead of the socket, and a Clear drops what is not yet
/// written).
#[derive(Default)]
struct Backlog {
    queued: AtomicUsize,
    written: Notify,
}

async fn writer(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::UnboundedReceiver<Queued>,
    delay_ms: Arc<AtomicU64>,
    conn: Arc<Connection>,
    backlog: Arc<Backlog>,
) {
    while let Some(q) = rx.recv().await {
        let _written = WrittenGuard(&backlog);
        let delay = delay_ms.load(Ordering::Relaxed);
        if delay > 0 {
            sleep_until(q.at + Duration::from_millis(delay)).await;
        }
        let sent = match q.msg {
            Outgoing::Text(t) => {
                conn.sent_text(&t);
                sink.send(Message::Text(t.into())).await
            }
            Outgoing::Binary(b) => {
                conn.sent_binary(b.len());
                sink.send(Message::Binary(b.into())).await
            }
            Outgoing::Close { code, reason } => {
                conn.closed(code, &reason, ClosedBy::Server);
                let frame = CloseFrame {
                    code,
                    reason: reason.into(),
                };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        };
        if sent.is_err() {
            break;
        }
    }
    // Flushes a close reply tungstenite queued when the client closed first.
    let _ = timeout(CLOSE_HANDSHAKE_WAIT, sink.close()).await;
}

/// Counts a frame as written however the loop iteration ends.
struct WrittenGuard<'a>(&'a Backlog);

impl Drop for WrittenGuard<'_> {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::Relaxed);
        self.0.written.notify_one();
    }
}

enum Timed {
    Abort,
    Close { code: u16, reason: String },
    Malformed(String),
    StopReading,
}

/// Why the reading loop stopped.
enum Ending {
    /// The server sent (queued) a close frame.
    ServerClose,
    /// The client sent a close frame.
    ClientClose,
    /// The TCP connection is gone, or an abort fault dropped it.
    Dropped,
}

struct Io {
    conn: Arc<Connection>,
    tx: Option<mpsc::UnboundedSender<Queued>>,
    delay_ms: Arc<AtomicU64>,
    backlog: Arc<Backlog>,
    timers: Vec<(Instant, Timed)>,
    abort_at_bytes: Option<u64>,
    bytes_seen: u64,
    reading: bool,
    log: Logger,
}

impl Io {
    fn send(&self, msg: Outgoing) {
        if let Some(tx) = &self.tx {
            self.backlog.queued.fetch_add(1, Ordering::Relaxed);
            if tx
                .send(Queued {
                    at: Instant::now(),
                    msg,
                })
                .is_err()
            {
                self.backlog.queued.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// Whether paced audio should wait for the writer. With `delay_replies` every frame waits on purpose,
    /// so pacing must not wait for it too (that would slow the audio down instead of delaying it).
    fn writer_busy(&self) -> bool {
        self.backlog.queued.load(Ordering::Relaxed) > 1
            && self.delay_ms.load(Ordering::Relaxed) == 0
    }

    fn apply(&mut self, fault: Fault, now: Instant) {
        self.log.line(format_args!(
            "connection {} fault {:?}",
            self.conn.id, fault
        ));
        let at = |ms: u64| now + Duration::from_millis(ms);
        match fault {
            Fault::Abort {
                after_ms: Some(ms), ..
            } => self.timers.push((at(ms), Timed::Abort)),
            Fault::Abort {
                after_audio_bytes: Some(n),
                ..
            } => self.abort_at_bytes = Some(self.bytes_seen.saturating_add(n)),
            Fault::Abort { .. } | Fault::RefuseHandshake { .. } => {}
            Fault::Close {
                code,
                reason,
                after_ms,
            } => self
                .timers
                .push((at(after_ms), Timed::Close { code, reason })),
            Fault::Malformed { after_ms, text } => self.timers.push((
                at(after_ms),
                Timed::Malformed(text.unwrap_or_else(|| DEFAULT_MALFORMED.to_string())),
            )),
            Fault::DelayReplies { ms } => self.delay_ms.store(ms, Ordering::Relaxed),
            Fault::StopReading { after_ms } => self.timers.push((at(after_ms), Timed::StopReading)),
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        self.timers.iter().map(|(t, _)| *t).min()
    }

    /// Fires due timers; returns how the connection ends if one of them ends it.
    fn fire_timers(&mut self, now: Instant) -> Option<Ending> {
        let mut due = Vec::new();
        self.timers.retain_mut(|(t, action)| {
            if *t <= now {
                due.push(std::mem::replace(action, Timed::StopReading));
                false
            } else {
                true
            }
        });
        for action in due {
            match action {
                Timed::Abort => return Some(Ending::Dropped),
                Timed::Close { code, reason } => {
                    self.send(Outgoing::Close { code, reason });
                    return Some(Ending::ServerClose);
                }
                Timed::Malformed(text) => self.send(Outgoing::Text(text)),
                Timed::StopReading => self.reading = false,
            }
        }
        None
    }
}

/// Runs one accepted connection to its end.
pub async fn run_connection<D: SessionDriver>(
    socket: WebSocket,
    conn: Arc<Connection>,
    mut driver: D,
    limits: Limits,
    mut faults: mpsc::UnboundedReceiver<Fault>,
    initial_faults: Vec<Fault>,
    log: Logger,
) {
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::unbounded_channel();
    let delay_ms = Arc::new(AtomicU64::new(0));
    let backlog = Arc::new(Backlog::default());
    let writer_task = tokio::spawn(writer(
        sink,
        rx,
        Arc::clone(&delay_ms),
        Arc::clone(&conn),
        Arc::clone(&backlog),
    ));
    let mut io = Io {
        conn: Arc::clone(&conn),
        tx: Some(tx),
        delay_ms,
        backlog,
        timers: Vec::new(),
        abort_at_bytes: None,
        bytes_seen: 0,
        reading: true,
        log,
    };
    let start = Instant::now();
    for f in initial_faults {
        io.apply(f, start);
    }
    let ending = read_loop(&mut io, &mut stream, &mut driver, &mut faults, limits).await;
    finish(io, stream, writer_task, ending).await;
}

async fn read_loop<D: SessionDriver>(
    io: &mut Io,
    stream: &mut SplitStream<WebSocket>,
    driver: &mut D,
    faults: &mut mpsc::UnboundedReceiver<Fault>,
    limits: Limits,
) -> Ending {
    let far = || Instant::now() + Duration::from_secs(365 * 24 * 3600);
    let opened = Instant::now();
    // With no idle limit the deadline is parked far away and never fires.
    let idle_timeout = limits.idle.unwrap_or(Duration::from_secs(365 * 24 * 3600));
    let mut idle_deadline = opened + idle_timeout;
    let mut limit_deadline = limits.max_duration.map(|d| opened + d);
    loop {
        while let Some(out) = driver.poll_outgoing() {
            let is_close = matches!(out, Outgoing::Close { .. });
            io.send(out);
            if is_close {
                return Ending::ServerClose;
            }
        }
        let now = Instant::now();
        if let Some(ending) = io.fire_timers(now) {
            return ending;
        }
        let timer = io.next_timer();
        let wake = driver.next_wake();
        let writer_busy = io.writer_busy();
        let backlog = Arc::clone(&io.backlog);
        tokio::select! {
            biased;
            fault = faults.recv() => {
                if let Some(f) = fault {
                    io.apply(f, Instant::now());
                    if io.abort_at_bytes.is_some_and(|n| io.bytes_seen >= n) {
                        return Ending::Dropped;
                    }
                }
            }
            _ = sleep_until(timer.unwrap_or_else(far)), if timer.is_some() => {}
            msg = stream.next(), if io.reading => {
                let now = Instant::now();
                match msg {
                    Some(Ok(Message::Text(text))) => {
                        idle_deadline = now + idle_timeout;
                        io.conn.received_text(text.as_str());
                        driver.on_text(text.as_str(), now);
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        idle_deadline = now + idle_timeout;
                        io.conn.received_binary(&bytes);
                        io.bytes_seen = io
                            .bytes_seen
                            .saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
                        if io.abort_at_bytes.is_some_and(|n| io.bytes_seen >= n) {
                            return Ending::Dropped;
                        }
                        driver.on_binary(&bytes, now);
                    }
                    // Pings are answered by tungstenite; like the real service, they do not count as
                    // activity for the idle timeout.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = frame
                            .map(|f| (f.code, f.reason.as_str().to_string()))
                            .unwrap_or((1005, String::new()));
                        io.conn.closed(code, &reason, ClosedBy::Client);
                        return Ending::ClientClose;
                    }
                    Some(Err(_)) | None => return Ending::Dropped,
                }
            }
            // After the socket, so a Clear is read between two frames even at high --tts-speed.
            _ = sleep_until(wake.unwrap_or_else(far)), if wake.is_some() && !writer_busy => {
                let now = Instant::now();
                driver.on_wake(now);
                if driver.is_busy() {
                    idle_deadline = now + idle_timeout;
                }
            }
            _ = backlog.written.notified(), if wake.is_some() && writer_busy => {}
            _ = sleep_until(limit_deadline.unwrap_or_else(far)), if limit_deadline.is_some() => {
                driver.on_time_limit();
                limit_deadline = None;
            }
            _ = sleep_until(idle_deadline), if limits.idle.is_some() => {
                if driver.is_busy() {
                    idle_deadline = Instant::now() + idle_timeout;
                } else {
                    driver.on_idle_timeout();
                    idle_deadline = far();
                }
            }
        }
    }
}

async fn finish(
    mut io: Io,
    mut stream: SplitStream<WebSocket>,
    mut writer_task: JoinHandle<()>,
    ending: Ending,
) {
    match ending {
        Ending::Dropped => {
            // No close frame: drop both halves so the TCP connection closes.
            writer_task.abort();
            drop(stream);
            io.conn.closed(1006, "", ClosedBy::Abort);
        }
        Ending::ClientClose => {
            io.tx = None;
            let _ = timeout(CLOSE_HANDSHAKE_WAIT, &mut writer_task).await;
            writer_task.abort();
        }
        Ending::ServerClose => {
            // Let queued (possibly delayed) frames and the close frame go out, and read until the client
            // answers the close, so the handshake completes cleanly.
            io.tx = None;
            let delay = Duration::from_millis(io.delay_ms.load(Ordering::Relaxed));
            let deadline = Instant::now() + CLOSE_HANDSHAKE_WAIT + delay;
            let mut writer_done = false;
            loop {
                tokio::select! {
                    _ = &mut writer_task, if !writer_done => writer_done = true,
                    msg = stream.next(), if io.reading => match msg {
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                        Some(Ok(_)) => {}
                    },
                    _ = sleep_until(deadline) => break,
                }
                if writer_done && !io.reading {
                    break;
                }
            }
            if !writer_done {
                let _ = timeout(Duration::from_millis(200), &mut writer_task).await;
                writer_task.abort();
            }
        }
    }
    io.conn.ended();
    io.log.line(format_args!(
        "connection {} ended: {}",
        io.conn.id,
        io.conn.close_info().map_or_else(
            || "no close".to_string(),
            |c| format!("{} {:?} by {:?}", c.code, c.reason, c.by)
        )
    ));
}
