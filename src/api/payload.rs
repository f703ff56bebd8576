//! The JavaScript payloads of the classes' events, built from the typed events of the streams, and the bytes of
//! audio arguments.

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};

use super::errors::error_payload;
use crate::audio::Level;
use crate::events::ErrorKind;
use crate::protocol::{CloseInfo, ServerError};
use crate::stream::ClearedReport;
use crate::web::set_field;

/// Sets `key` on `o` (a plain object; cannot fail). Only the conversion is generic (and inlined): the rest is
/// the one shared [`set_field`].
#[inline]
pub fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    set_field(o, key, value.into());
}

/// `value`, or `null`.
pub fn or_null(value: Option<impl Into<JsValue>>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

/// `{code, message}` for `warning` events (`server`: the server's frame, for its warnings).
pub fn warning(code: &str, message: &str, server: Option<JsValue>) -> JsValue {
    let o = Object::new();
    set(&o, "code", code);
    set(&o, "message", message);
    if let Some(server) = server {
        set(&o, "server", server);
    }
    o.into()
}

/// `{code, reason, wasClean, explanation}` for `close` events.
pub fn close(info: &CloseInfo) -> JsValue {
    let o = Object::new();
    set(&o, "code", info.code);
    set(&o, "reason", info.reason.as_str());
    set(&o, "wasClean", info.was_clean);
    set(&o, "explanation", info.kind.explain());
    o.into()
}

/// The `error` event for a server `Error` message: `{kind: "server", message, server}`, the message taken from
/// whichever field the server filled.
pub fn server_error(error: &ServerError, raw: JsValue) -> JsValue {
    let message = error.text().unwrap_or("the server reported an error");
    let o = error_payload(ErrorKind::Server, message);
    set_field(&o, "server", raw);
    o
}

/// `{rms, peak, rmsDb, peakDb}` for `level` events.
pub fn level(level: &Level) -> JsValue {
    let o = Object::new();
    set(&o, "rms", level.rms);
    set(&o, "peak", level.peak);
    set(&o, "rmsDb", level.rms_db);
    set(&o, "peakDb", level.peak_db);
    o.into()
}

/// The `cleared` event: the server's `Cleared` object with what was heard and dropped added to it.
pub fn cleared(report: ClearedReport<JsValue>, sample_rate: u32) -> JsValue {
    let payload = report.raw;
    if let Some(o) = payload.dyn_ref::<Object>() {
        let rate = f64::from(sample_rate.max(1));
        set(o, "playedSamples", report.played_samples as f64);
        set(o, "playedMs", report.played_samples as f64 * 1000.0 / rate);
        set(o, "sampleRate", sample_rate);
        set(
            o,
            "interruptedSequenceId",
            or_null(report.interrupted_sequence_id),
        );
        set(o, "discardedBytes", report.discarded_bytes as f64);
        set(o, "discardedSamples", report.discarded_samples as f64);
        set(o, "generation", report.generation);
        if let Some(frame) = report.silent_at_frame {
            set(o, "silentAt", frame / rate);
        }
        set(
            o,
            "predictedSequenceId",
            or_null(report.predicted_sequence_id),
        );
    }
    payload
}
