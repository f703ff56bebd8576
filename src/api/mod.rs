//! The `#[wasm_bindgen]` surface JavaScript uses: the `Transcriber`, `Speaker` and `VoiceSession` classes.
//!
//! Thin by design: option bags are read by `config`, protocol rules live in `protocol`, the policies across
//! connections in `stream`, DSP in `audio`, browser plumbing in `web`. What this layer owns is the JS payloads
//! and re-entrancy: no `RefCell` borrow is held while a JS callback runs, because a handler may call back into
//! the class (`close()` inside `on('transcript')`), and a double borrow would panic and kill the module.

mod arguments;
#[cfg(feature = "bench")]
pub mod bench;
mod connection;
mod errors;
mod events;
mod payload;
mod speaker;
mod transcriber;
mod voice_session;

pub use speaker::Speaker;
pub use transcriber::Transcriber;
pub use voice_session::VoiceSession;
