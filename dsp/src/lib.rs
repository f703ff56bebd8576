//! Pure DSP for live speech: what happens to samples between the microphone and Deepgram
//! (`/v1/listen`) and between Deepgram (`/v1/speak`) and the speakers. It owns resampling (a
//! polyphase Kaiser-windowed sinc FIR with exact sample counts), channel down-mixing, the raw
//! encodings Deepgram speaks (`linear16`, `linear32`, `mulaw`, `alaw`) and level metering, plus
//! the tooling that measures the resampler. It must not import web-sys or wasm-bindgen, read a clock,
//! or allocate per block once built: it runs inside an AudioWorklet's `process()` and is tested
//! natively.
//!
//! The two chains most callers need:
//! - [`CaptureEncoder`]: planar float blocks at the device rate -> encoded bytes for `/v1/listen`.
//! - [`PlaybackDecoder`]: bytes from `/v1/speak` -> float samples at the audio context's rate.

mod capture;
mod downmix;
mod error;
mod g711;
mod latency;
mod level;
mod linear_baseline;
mod pcm;
mod playback;
mod playout;
pub mod quality;
mod resampler;
mod sample_format;
mod workload;

pub use capture::CaptureEncoder;
pub use downmix::{downmix_planar, frame_count, interleave, source_channel, MAX_CHANNELS};
pub use error::AudioError;
pub use g711::{
    alaw_to_f32, alaw_to_linear, f32_to_alaw, f32_to_mulaw, linear_to_alaw, linear_to_mulaw,
    mulaw_to_f32, mulaw_to_linear,
};
pub use latency::LatencyHistogram;
pub use level::{block_level, to_dbfs, Level, LevelMeter, DBFS_FLOOR};
pub use linear_baseline::LinearResampler;
pub use pcm::{
    f32_le_to_f32, f32_to_f32_le, f32_to_i16, f32_to_pcm16_le, i16_to_f32, pcm16_le_to_f32,
    sanitize_f32,
};
pub use playback::PlaybackDecoder;
pub use playout::{
    Playout, PlayoutCommand, PlayoutConfig, PlayoutEvent, PlayoutStats, WorkletReport,
};
pub use resampler::{PolyphaseResampler, Resample, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
pub use sample_format::SampleFormat;
pub use workload::{linear_workload, resample_workload, WORKLOAD_BLOCK_FRAMES};
