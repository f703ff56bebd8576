//! Browser tests: real headless Chromium (`wasm-pack test --headless --chrome`) against the real local server.
//! `scripts/browser-test.sh` starts the server and passes its URL at build time (`DG_TEST_SERVER`); the fake
//! microphone plays the DTMF WAV it generates.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod capture;
mod fuzz;
mod listen;
mod options;
mod reconnect;
mod speak;
mod support;
