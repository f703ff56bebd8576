//! A local Deepgram-compatible live speech server: `/v1/listen` (speech-to-text) and `/v1/speak`
//! (text-to-speech) WebSockets with Deepgram's auth, query validation, messages, close codes and
//! timeouts, deterministic DTMF engines (and an optional espeak-ng voice), static file serving for the
//! demo and a `/_control/` API that lets tests inject faults and read what each connection exchanged.
//!
//! Layout: sans-IO state machines (`transcriber`, `speak_session`) hold the protocol rules and are unit
//! tested natively; `listen_socket` / `speak_socket` move frames between them and the WebSocket;
//! `handshake` decides upgrades; `control` and `registry` are the test API. It writes its JSON from the
//! spec and the recorded fixtures, never from the client library's types (the only thing it takes from
//! the library is the resampler the espeak voice uses).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod access_token;
pub mod auth;
pub mod codec;
pub mod config;
pub mod connection_io;
pub mod container;
pub mod control;
pub mod espeak;
pub mod fault;
pub mod handshake;
pub mod keyterm_limit;
pub mod listen_driver;
pub mod listen_messages;
pub mod listen_options;
pub mod model;
pub mod query;
pub mod recognizer;
pub mod redaction;
pub mod registry;
pub mod server;
pub mod speak_driver;
pub mod speak_options;
pub mod speak_session;
pub mod static_files;
pub mod stderr_log;
pub mod timestamp;
pub mod transcriber;
pub mod voice;

pub use config::Config;
pub use server::{Server, ServerError, ServerHandle};
