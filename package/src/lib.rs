//! The npm package's WebAssembly module: the `deepgram-live-wasm` library and nothing else.
//!
//! The library's `#[wasm_bindgen]` classes are exported from the library crate itself; this crate only links it
//! as a `cdylib`, where cargo applies the release profile's LTO (it skips LTO for a crate that is also an rlib,
//! and the library must be one for its tests). `make pkg` builds it with wasm-pack.

// Links the library (and with it every export) into this module.
pub use deepgram_live_wasm as library;
