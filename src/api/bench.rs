//! Benchmark entry points, compiled only with the `bench` feature (never in the package): `make bench` builds a
//! separate package with them and times them in headless Chromium with `performance.now()`.

use wasm_bindgen::prelude::*;

use crate::audio::{linear_workload, resample_workload};

/// Runs the fixed resampling workload (`kind`: "polyphase" or "linear") for `blocks` render quanta; returns its
/// checksum so the work cannot be optimised away.
#[wasm_bindgen(js_name = benchResample)]
pub fn bench_resample(
    kind: &str,
    in_rate: u32,
    out_rate: u32,
    blocks: u32,
) -> Result<u32, JsValue> {
    let run = match kind {
        "polyphase" => resample_workload,
        "linear" => linear_workload,
        other => {
            return Err(JsValue::from_str(&format!(
                "benchResample: kind \"{other}\" is not \"polyphase\" or \"linear\""
            )))
        }
    };
    run(in_rate, out_rate, blocks as usize).map_err(|e| JsValue::from_str(&e.to_string()))
}
