//! Loading the AudioWorklet modules shipped with the package: from their real file URLs by default (works under
//! `script-src 'self'`), or from a Blob URL built from the same source when the app asks for it (hosts that cannot
//! serve the files).

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BaseAudioContext, Blob, BlobPropertyBag, Url};

use crate::config::WorkletSource;

#[wasm_bindgen(module = "/js/main-thread.js")]
extern "C" {
    #[wasm_bindgen(js_name = captureProcessorUrl)]
    fn capture_processor_url() -> String;
    #[wasm_bindgen(js_name = playbackProcessorUrl)]
    fn playback_processor_url() -> String;
}

// Importing a name from each processor file is what makes wasm-bindgen (and bundlers) ship the file beside
// main-thread.js; the file also registers the processor when it runs inside the AudioWorkletGlobalScope.
// The Blob fallback's source comes from the same files (each rebuilds its module from its own code), so the
// processors are not duplicated inside the wasm.
#[wasm_bindgen(module = "/js/capture-processor.js")]
extern "C" {
    #[wasm_bindgen(js_name = captureProcessorName)]
    fn capture_processor_name() -> String;
    #[wasm_bindgen(js_name = captureProcessorSource)]
    fn capture_processor_source() -> String;
}

#[wasm_bindgen(module = "/js/playback-processor.js")]
extern "C" {
    #[wasm_bindgen(js_name = playbackProcessorName)]
    fn playback_processor_name() -> String;
    #[wasm_bindgen(js_name = playbackProcessorSource)]
    fn playback_processor_source() -> String;
}

/// Which processor module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processor {
    /// Microphone frames to the main thread.
    Capture,
    /// The playback ring buffer.
    Playback,
}

impl Processor {
    /// The name the processor registers under.
    pub fn name(self) -> String {
        match self {
            Processor::Capture => capture_processor_name(),
            Processor::Playback => playback_processor_name(),
        }
    }

    fn marker(self) -> &'static str {
        match self {
            Processor::Capture => "__deepgramLiveCaptureLoaded",
            Processor::Playback => "__deepgramLivePlaybackLoaded",
        }
    }

    fn source(self) -> String {
        match self {
            Processor::Capture => capture_processor_source(),
            Processor::Playback => playback_processor_source(),
        }
    }

    fn file_url(self) -> String {
        match self {
            Processor::Capture => capture_processor_url(),
            Processor::Playback => playback_processor_url(),
        }
    }
}

/// Adds the processor's module to the context once (a second `addModule` of a Blob URL would re-register the
/// processor name and fail).
pub async fn ensure_loaded(
    ctx: &BaseAudioContext,
    processor: Processor,
    source: &WorkletSource,
) -> Result<(), JsValue> {
    let marker = JsValue::from_str(processor.marker());
    if Reflect::get(ctx, &marker)?.is_truthy() {
        return Ok(());
    }
    let url = match source {
        WorkletSource::File => processor.file_url(),
        WorkletSource::Url(u) => u.clone(),
        WorkletSource::Blob => blob_url(&processor.source())?,
    };
    let result = JsFuture::from(ctx.audio_worklet()?.add_module(&url)?).await;
    if matches!(source, WorkletSource::Blob) {
        let _ = Url::revoke_object_url(&url);
    }
    result?;
    Reflect::set(ctx, &marker, &JsValue::TRUE)?;
    Ok(())
}

fn blob_url(source: &str) -> Result<String, JsValue> {
    let parts = Array::of1(&JsValue::from_str(source));
    let bag = BlobPropertyBag::new();
    bag.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &bag)?;
    Url::create_object_url_with_blob(&blob)
}
