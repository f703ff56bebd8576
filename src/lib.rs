//! # deepgram-live-wasm
//!
//! Live speech in the browser over Deepgram's streaming APIs.
//!
//! Layers (see `docs/ARCHITECTURE.md`):
//! - [`protocol`]: the sans-IO core for `/v1/listen` and `/v1/speak` (options, auth, messages, sessions).
//! - [`audio`]: pure DSP (resampling, PCM conversion, G.711, metering).
//! - [`stream`]: live streams over one or more connections (reconnect, playback bookkeeping, barge-in).
//! - `web` (wasm32 only): the web-sys shell (WebSocket, AudioContext, worklets, timers).
//! - `api` (wasm32 only): the `#[wasm_bindgen]` classes JavaScript uses.

/// Pure DSP (resampling, PCM conversion, G.711, metering, the playback scheduler): the `deepgram-live-dsp` crate.
pub use deepgram_live_dsp as audio;
pub mod arguments;
pub mod config;
pub mod events;
pub mod protocol;
pub mod stream;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod web;
