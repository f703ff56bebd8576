//! Native integration tests of the local server: a real WebSocket client against an in-process server
//! on port 0 (one test runs the real binary). One test binary, so the suite links once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod binary;
mod common;
mod control;
mod handshake;
mod listen;
mod speak;
