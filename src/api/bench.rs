//! Benchmark entry points, compiled only with the `bench` feature (never in the package): `make bench` builds a
//! separate package with them and times them in headless Chromium with `performance.now()`.

use wasm_bindgen::prelude::*;

use super::arguments::{number, string};
use crate::audio::{linear_workload, resample_workload};

const CALL: &str = "benchResample(kind, inRate, outRate, blocks)";
const WHOLE: &str = "a whole number";

/// Runs the fixed resampling workload (`kind`: "polyphase" or "linear") for `blocks` render quanta; returns its
/// checksum so the work cannot be optimised away.
#[wasm_bindgen(js_name = benchResample)]
pub fn bench_resample(
    kind: JsValue,
    in_rate: JsValue,
    out_rate: JsValue,
    blocks: JsValue,
) -> Result<u32, JsValue> {
    let run = match string("bench", CALL, "\"polyphase\" or \"linear\"", &kind)?.as_str() {
        "polyphase" => resample_workload,
        "linear" => linear_workload,
        other => {
            return Err(JsValue::from_str(&format!(
                "benchResample: kind \"{other}\" is not \"polyphase\" or \"linear\""
            )))
        }
    };
    let [in_rate, out_rate, blocks] = [&in_rate, &out_rate, &blocks]
        .map(|v| number("bench", CALL, WHOLE, v).map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32));
    run(in_rate?, out_rate?, blocks? as usize).map_err(|e| JsValue::from_str(&e.to_string()))
}
