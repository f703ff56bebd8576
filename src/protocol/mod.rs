//! The sans-IO protocol core for Deepgram's live WebSocket APIs, `/v1/listen` (speech-to-text) and `/v1/speak`
//! (text-to-speech), in the quinn-proto / rustls / h11 shape.
//!
//! Owns everything about the wire protocol that can be decided without a socket or a clock: options → URL and
//! subprotocols, client messages, server frames → typed messages, and the two session state machines
//! ([`ListenSession`], [`SpeakSession`]) that the IO layer feeds with socket events and the current time
//! (`now`, milliseconds from any fixed origin, e.g. `performance.now()`) and drains for messages to send and
//! events to dispatch. JSON itself is the IO layer's (the browser parses and writes it): this core sees parsed
//! frames through [`Frame`] and hands out [`ClientMessage`] values. It must not import web-sys or wasm-bindgen,
//! read a clock, sleep, or panic on anything a server or an app can send: it builds and is tested natively and
//! for wasm32.

mod auth;
mod client_message;
mod close_reason;
mod configure;
mod error;
mod flush_budget;
mod lifecycle;
mod listen_session;
mod options;
mod outbound_queue;
mod pcm_carry;
mod rate_window;
mod reconnect;
mod sequence_tracker;
mod server_message;
mod speak_session;
mod text_split;
mod timer;
mod transmit;
pub mod warning_code;

pub use auth::Auth;
pub use client_message::ClientMessage;
pub use close_reason::{CloseInfo, CloseKind};
pub use configure::{ConfigureFeatures, ConfigureUpdate};
pub use error::{raw_excerpt, AuthError, OptionsError, ProtocolError, SessionError};
pub use flush_budget::{FlushBudget, FLUSH_LIMIT, FLUSH_WINDOW_MS};
pub use listen_session::{
    ListenConfig, ListenEvent, ListenSession, ListenStats, BACKPRESSURE_RECHECK_MS,
    DEFAULT_REPLAY_CAP_MS, DROP_WARNING_INTERVAL_MS,
};
pub use options::{
    bounded, check_names, checked, field_names, flag_or_checked, keyterm_tokens, read_bag,
    read_frame, CallbackMethod, Endpoint, Endpointing, FlagOr, ListenEncoding, ListenOptions,
    OptionBag, OptionWarning, Redact, SpeakEncoding, SpeakOptions, MAX_EXTRA_CHARS,
    MAX_KEYTERM_TOKENS, NOT_REDACTABLE, REDACT_ENTITY_TYPES, REDACT_GROUPS, SPEAK_SPEED_RANGE,
};
pub use pcm_carry::PcmCarry;
pub use reconnect::ReconnectPolicy;
pub use server_message::{
    Alternative, Frame, ListenMetadata, ListenServerMessage, Results, ResultsChannel, SequenceAck,
    ServerError, ServerWarning, SpeakMetadata, SpeakServerMessage, SpeechStarted, UtteranceEnd,
    WordTiming,
};
pub use speak_session::{SpeakConfig, SpeakEvent, SpeakSession, SpeakStats};
pub use text_split::{split_for_speak, MAX_SPEAK_CHARS};
pub use transmit::{SessionIo, SessionState, Transmit};

/// The native [`Frame`] for tests (serde_json values) and their parsing.
#[cfg(test)]
pub(crate) use server_message::test_frames;
