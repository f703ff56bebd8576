//! The `#[wasm_bindgen]` surface JavaScript uses: the `Transcriber`, `Speaker` and `VoiceSession` classes, their
//! option parsing (errors that name the field), and event dispatch.
//!
//! Thin by design: protocol rules live in `protocol`, DSP in `audio`, browser plumbing in `web`. The one rule this
//! layer owns is re-entrancy: no `RefCell` borrow is held while a JS callback runs, because a handler may call
//! back into the class (`close()` inside `on('transcript')`), and a double borrow would panic and kill the module.

mod errors;
mod events;
mod js_options;
mod transcriber;

pub use transcriber::Transcriber;
