//! The watchdogs: notice a capture that stopped while the stream is open (the system suspended the
//! AudioContext, the microphone went away, the worklet stopped posting), or a playback that cannot play the audio
//! it holds (its context not running), and say when they run again.
//!
//! Owns the rules only: when a stall begins (capture: no frame for `stall_ms`, the cause told apart by the
//! context's state and the input track; playback: the context not `running` for `stall_ms` while audio waits) and
//! when it is over (a frame arrives again; the context runs again). The web layer checks them on a timer, turns
//! what they return into `capture_stalled` / `capture_resumed` and `PLAYBACK_STALLED` / `PLAYBACK_RESUMED`
//! warnings and tries `resume()` on a stall.

/// Why the capture counts as stalled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StallCause {
    /// The AudioContext's state is not `running` (the value: `suspended`, `interrupted`, `closed`).
    Context(String),
    /// The microphone track ended (device unplugged, permission revoked).
    TrackEnded,
    /// No frame from the worklet, with the context running.
    NoFrames,
}

impl StallCause {
    /// The cause in words, for the warning.
    pub fn describe(&self) -> String {
        match self {
            Self::Context(state) => {
                format!("the AudioContext is \"{state}\" (suspended by the browser or the system)")
            }
            Self::TrackEnded => {
                "the microphone track ended (device removed or permission revoked)".to_owned()
            }
            Self::NoFrames => "the capture worklet posts no frames".to_owned(),
        }
    }
}

/// A change the app should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum Watch {
    /// Capture stopped: nothing was captured for `silent_ms`.
    Stalled {
        /// Time since the last frame, ms.
        silent_ms: f64,
        /// Why.
        cause: StallCause,
    },
    /// Frames arrive again after a stall of `gap_ms`.
    Resumed {
        /// Time without frames, ms.
        gap_ms: f64,
    },
}

/// What the web layer sees of the capture when it checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureHealth {
    /// The AudioContext's `state`.
    pub context_state: String,
    /// Whether our microphone track ended.
    pub track_ended: bool,
}

/// The watchdog of one capture.
#[derive(Debug, Clone)]
pub struct CaptureWatchdog {
    stall_ms: f64,
    last_frame: Option<f64>,
    stalled: bool,
}

impl CaptureWatchdog {
    /// A watchdog that reports a stall after `stall_ms` without frames (0 = never).
    pub fn new(stall_ms: u64) -> Self {
        Self {
            stall_ms: stall_ms as f64,
            last_frame: None,
            stalled: false,
        }
    }

    /// Whether it watches at all.
    pub fn enabled(&self) -> bool {
        self.stall_ms > 0.0
    }

    /// How often the web layer should check, ms.
    pub fn check_interval_ms(&self) -> u32 {
        (self.stall_ms / 4.0).clamp(25.0, 1000.0) as u32
    }

    /// Capture started at `now`.
    pub fn start(&mut self, now: f64) {
        self.last_frame = Some(now);
        self.stalled = false;
    }

    /// A frame arrived at `now`.
    pub fn frame(&mut self, now: f64) -> Option<Watch> {
        let last = self.last_frame.replace(now);
        if !std::mem::take(&mut self.stalled) {
            return None;
        }
        Some(Watch::Resumed {
            gap_ms: last.map_or(0.0, |l| (now - l).max(0.0)),
        })
    }

    /// The timer: a stall begins once `stall_ms` passed without a frame. Reported once per stall.
    pub fn check(&mut self, now: f64, health: &CaptureHealth) -> Option<Watch> {
        let last = self.last_frame?;
        let silent_ms = (now - last).max(0.0);
        if !self.enabled() || self.stalled || silent_ms < self.stall_ms {
            return None;
        }
        self.stalled = true;
        let cause = if health.track_ended {
            StallCause::TrackEnded
        } else if health.context_state != "running" {
            StallCause::Context(health.context_state.clone())
        } else {
            StallCause::NoFrames
        };
        Some(Watch::Stalled { silent_ms, cause })
    }
}

/// The watchdog of one playback.
#[derive(Debug, Clone)]
pub struct PlaybackWatchdog {
    stall_ms: f64,
    /// Since when the context has not been running while audio waited.
    since: Option<f64>,
    stalled: bool,
}

impl PlaybackWatchdog {
    /// A watchdog that reports a stall once the context was not running for `stall_ms` with audio to play.
    pub fn new(stall_ms: u64) -> Self {
        Self {
            stall_ms: stall_ms as f64,
            since: None,
            stalled: false,
        }
    }

    /// The timer: `context_state` is the context's state, `audio_waiting` whether audio is queued or playing.
    pub fn check(&mut self, now: f64, context_state: &str, audio_waiting: bool) -> Option<Watch> {
        if context_state == "running" {
            let since = self.since.take();
            if !std::mem::take(&mut self.stalled) {
                return None;
            }
            return Some(Watch::Resumed {
                gap_ms: since.map_or(0.0, |s| (now - s).max(0.0)),
            });
        }
        if !audio_waiting && !self.stalled {
            // Nothing to play: a suspended context is no stall.
            self.since = None;
            return None;
        }
        let since = *self.since.get_or_insert(now);
        let silent_ms = (now - since).max(0.0);
        if self.stalled || silent_ms < self.stall_ms {
            return None;
        }
        self.stalled = true;
        Some(Watch::Stalled {
            silent_ms,
            cause: StallCause::Context(context_state.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(state: &str, track_ended: bool) -> CaptureHealth {
        CaptureHealth {
            context_state: state.into(),
            track_ended,
        }
    }

    #[test]
    fn a_stall_is_reported_once_then_its_end() {
        let mut w = CaptureWatchdog::new(1000);
        let running = health("running", false);
        assert_eq!(w.check(0.0, &running), None, "not started");
        w.start(0.0);
        assert_eq!(w.frame(20.0), None);
        assert_eq!(w.check(1019.0, &running), None);
        assert_eq!(
            w.check(1020.0, &health("suspended", false)),
            Some(Watch::Stalled {
                silent_ms: 1000.0,
                cause: StallCause::Context("suspended".into())
            })
        );
        assert_eq!(w.check(5000.0, &running), None, "once per stall");
        assert_eq!(w.frame(6020.0), Some(Watch::Resumed { gap_ms: 6000.0 }));
        assert_eq!(w.frame(6040.0), None);
    }

    #[test]
    fn playback_stalls_only_with_audio_waiting() {
        let mut w = PlaybackWatchdog::new(500);
        assert_eq!(w.check(0.0, "suspended", false), None);
        assert_eq!(w.check(1000.0, "suspended", false), None, "nothing to play");
        assert_eq!(w.check(1100.0, "interrupted", true), None);
        assert_eq!(
            w.check(1600.0, "interrupted", true),
            Some(Watch::Stalled {
                silent_ms: 500.0,
                cause: StallCause::Context("interrupted".into())
            })
        );
        assert_eq!(w.check(2000.0, "interrupted", false), None, "once");
        assert_eq!(
            w.check(2100.0, "running", false),
            Some(Watch::Resumed { gap_ms: 1000.0 })
        );
        assert_eq!(w.check(2200.0, "running", true), None);
    }

    #[test]
    fn causes_are_told_apart_and_zero_never_watches() {
        let mut w = CaptureWatchdog::new(100);
        w.start(0.0);
        assert!(matches!(
            w.check(100.0, &health("running", true)),
            Some(Watch::Stalled {
                cause: StallCause::TrackEnded,
                ..
            })
        ));
        let mut w = CaptureWatchdog::new(100);
        w.start(0.0);
        assert!(matches!(
            w.check(150.0, &health("running", false)),
            Some(Watch::Stalled {
                cause: StallCause::NoFrames,
                ..
            })
        ));
        let mut w = CaptureWatchdog::new(0);
        w.start(0.0);
        assert_eq!(w.check(1e9, &health("closed", true)), None);
        assert_eq!(CaptureWatchdog::new(2000).check_interval_ms(), 500);
    }
}
