//! The `code` strings of warnings the sessions raise themselves (server warnings keep the server's code).
//!
//! Owns only these names, so the JS layer and tests match on constants rather than retyped strings.

/// Listen: the socket's send buffer is over the high-water mark, audio is held in the session queue.
pub const BACKPRESSURE: &str = "backpressure";
/// Listen: the socket's send buffer drained below half the high-water mark.
pub const BACKPRESSURE_CLEARED: &str = "backpressure_cleared";
/// Listen: the held audio exceeded the queue cap and the oldest frames were dropped.
pub const AUDIO_DROPPED: &str = "audio_dropped";
/// Both: the server did not finish closing in time after `CloseStream` / `Close`; the client closed the socket.
pub const CLOSE_TIMEOUT: &str = "close_timeout";
/// Speak: more than 20 Flushes in 60 s (same code the server uses in its own warning).
pub const EXCESSIVE_FLUSH: &str = "EXCESSIVE_FLUSH";
/// Listen: an option Deepgram accepts but ignores as set (`sample_rate` or `channels` without `encoding`).
pub const OPTION_IGNORED: &str = "option_ignored";
/// Listen: an option that has no effect as set (`utterance_end_ms` below 1000, `dictation` without `punctuate`).
pub const OPTION_NO_EFFECT: &str = "option_no_effect";
/// Speak: more than 2,400 characters of text in 60 s; Deepgram closes the connection (1008 `DATA-0001`).
pub const EXCESSIVE_CHARACTERS: &str = "EXCESSIVE_CHARACTERS";
/// Listen: a drop left audio sent after the last final unreplayed: it was more than the replay cap.
pub const REPLAY_TRUNCATED: &str = "replay_truncated";
/// Listen: no captured audio arrived for the watchdog's time, or the capture context left `running`.
pub const CAPTURE_STALLED: &str = "capture_stalled";
/// Listen: captured audio arrives again after a `capture_stalled`.
pub const CAPTURE_RESUMED: &str = "capture_resumed";
