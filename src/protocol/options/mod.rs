//! Options → WebSocket URL for `/v1/listen` and `/v1/speak`: typed options built from the user's JSON, validated,
//! and rendered with the base URL into the exact URL to open.
//!
//! Owns option names, types, the rules between options, percent-encoding and base-URL parsing. It does not hold
//! credentials (see `auth`): no secret ever goes into a URL.

mod endpoint;
mod json_fields;
mod listen;
mod query;
mod speak;
mod suggest;

pub use endpoint::Endpoint;
pub use listen::{
    CallbackMethod, Endpointing, ListenEncoding, ListenOptions, Redact, LISTEN_OPTION_NAMES,
};
pub use speak::{SpeakEncoding, SpeakOptions, SPEAK_OPTION_NAMES, SPEAK_SPEED_RANGE};

pub(crate) use suggest::nearest;
