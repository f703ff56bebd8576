//! The `#[wasm_bindgen]` surface JavaScript uses: the `Transcriber`, `Speaker` and `VoiceSession` classes, their
//! option parsing (errors that name the field), and event dispatch.
//!
//! Thin by design: protocol rules live in `protocol`, DSP in `audio`, browser plumbing in `web`. The one rule this
//! layer owns is re-entrancy: no `RefCell` borrow is held while a JS callback runs, because a handler may call
//! back into the class (`close()` inside `on('transcript')`), and a double borrow would panic and kill the module.

#[cfg(feature = "bench")]
pub mod bench;
mod connection;
mod errors;
mod events;
mod js_options;
mod payload;
mod speaker;
mod transcriber;
mod voice_session;

pub use speaker::Speaker;
pub use transcriber::Transcriber;
pub use voice_session::VoiceSession;
