//! `/v1/listen` end to end without a microphone: `sendAudio`, control messages, faults, close reasons,
//! re-entrant calls from handlers.

use deepgram_live_wasm::api::Transcriber;
use dtmf::{Key, ToneSpec};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const ALL_EVENTS: &[Event] = TRANSCRIBER_EVENTS;

pub(crate) fn transcriber(options: Value, extra: Value) -> Transcriber {
    let o = merged(
        json!({
            "baseUrl": server_url(),
            "auth": {"apiKey": "test-key"},
            "options": options,
        }),
        extra,
    );
    Transcriber::new(js(o)).unwrap()
}

pub(crate) fn dtmf_pcm16(keys: &str, rate: u32, tail_ms: u32) -> Vec<u8> {
    let keys: Vec<Key> = keys.chars().filter_map(Key::from_char).collect();
    let spec = ToneSpec {
        tone_ms: 100,
        gap_ms: 100,
        amplitude: 0.5,
    };
    let mut samples = dtmf::synthesize(&keys, &spec, rate);
    samples.extend(std::iter::repeat_n(0.0, (rate * tail_ms / 1000) as usize));
    pcm16(&samples)
}

pub(crate) fn send_in_frames(t: &Transcriber, bytes: &[u8], frame_bytes: usize) {
    for chunk in bytes.chunks(frame_bytes) {
        let arr = js_sys::Uint8Array::from(chunk);
        t.send_audio(arr.into()).unwrap();
    }
}

#[wasm_bindgen_test]
async fn send_audio_is_transcribed_and_close_stream_returns_metadata() {
    control_post("/_control/reset", json!({})).await;
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "interim_results": true, "endpointing": 100}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(t.state(), "open");
    let audio = dtmf_pcm16("471", 16000, 400);
    send_in_frames(&t, &audio, 640);
    let meta = await_promise(t.close_stream()).await.unwrap();
    let meta: Value =
        serde_json::from_str(&js_sys::JSON::stringify(&meta).unwrap().as_string().unwrap())
            .unwrap();
    assert_eq!(meta["type"], "Metadata");
    let expected_secs = audio.len() as f64 / 2.0 / 16000.0;
    assert!(
        (meta["duration"].as_f64().unwrap() - expected_secs).abs() < 0.001,
        "{meta}"
    );
    assert_eq!(rec.final_words(), vec!["four", "seven", "one"]);
    // The handlers get the server's object as the browser parsed it: fields the library never reads are there.
    let first = &rec.of("transcript")[0];
    assert!(
        first["metadata"]["model_info"]["name"].is_string(),
        "{first}"
    );
    assert!(
        first["channel"]["alternatives"][0]["words"][0]["punctuated_word"].is_string()
            || first["channel"]["alternatives"][0]["words"]
                .as_array()
                .unwrap()
                .is_empty(),
        "{first}"
    );
    rec.wait_for("close", 1, 5000).await;
    assert_eq!(rec.of("close")[0]["code"], 1000);
    assert_eq!(t.state(), "closed");

    let conn = last_connection("/v1/listen").await;
    assert_eq!(conn["subprotocol"], "token", "{conn}");
    assert_eq!(conn["binary_bytes"].as_u64().unwrap(), audio.len() as u64);
    assert_eq!(conn["sha256"], meta["sha256"]);
    assert_eq!(conn["text_frames"], json!([r#"{"type":"CloseStream"}"#]));
    let stats: Value = stats_json(t.stats());
    assert_eq!(
        stats["sentBytes"].as_u64().unwrap(),
        audio.len() as u64,
        "{stats}"
    );
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
}

#[wasm_bindgen_test]
async fn finalize_yields_from_finalize_and_keep_alive_is_sent_as_text() {
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "endpointing": false}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    send_in_frames(&t, &dtmf_pcm16("9", 16000, 0), 640);
    t.keep_alive().unwrap();
    t.finalize().unwrap();
    let mut waited = 0;
    while !rec
        .of("transcript")
        .iter()
        .any(|r| r["from_finalize"] == true)
    {
        assert!(
            waited < 5000,
            "no from_finalize result: {:?}",
            rec.events.borrow()
        );
        sleep(20).await;
        waited += 20;
    }
    assert_eq!(rec.final_words(), vec!["nine"]);
    let conn = last_connection("/v1/listen").await;
    let frames = conn["text_frames"].as_array().unwrap().clone();
    assert_eq!(
        frames,
        vec![
            json!(r#"{"type":"KeepAlive"}"#),
            json!(r#"{"type":"Finalize"}"#)
        ],
        "{conn}"
    );
    t.close().unwrap();
    rec.wait_for("close", 1, 5000).await;
}

#[wasm_bindgen_test]
async fn refused_handshake_rejects_start_with_a_handshake_error_and_a_close() {
    fault_next(
        "/v1/listen",
        json!({"kind": "refuse_handshake", "status": 401}),
    )
    .await;
    let t = transcriber(json!({"model": "nova-3"}), json!({}));
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    let err = await_promise(t.start(JsValue::UNDEFINED))
        .await
        .unwrap_err();
    let (kind, message) = error_kind(&err);
    assert_eq!(kind, "handshake", "{message}");
    assert!(message.contains("credentials"), "{message}");
    rec.wait_for("close", 1, 5000).await;
    let errors = rec.of("error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "handshake");
    assert_eq!(rec.of("close")[0]["code"], 1006);
}

#[wasm_bindgen_test]
async fn malformed_frame_is_a_protocol_error_and_transcripts_keep_arriving() {
    fault_next("/v1/listen", json!({"kind": "malformed", "after_ms": 0})).await;
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "endpointing": 100}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    rec.wait_for("error", 1, 5000).await;
    assert_eq!(rec.of("error")[0]["kind"], "protocol");
    send_in_frames(&t, &dtmf_pcm16("28", 16000, 400), 640);
    await_promise(t.close_stream()).await.unwrap();
    assert_eq!(rec.final_words(), vec!["two", "eight"]);
}

#[wasm_bindgen_test]
async fn idle_timeout_close_is_explained() {
    // The test server's idle timeout is 2 s (scripts/browser-test.sh); automatic KeepAlive off.
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}),
        json!({"keepAliveMs": 0}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    rec.wait_for("close", 1, 8000).await;
    let close = &rec.of("close")[0];
    assert_eq!(close["code"], 1011, "{close}");
    let explanation = close["explanation"].as_str().unwrap().to_lowercase();
    assert!(
        explanation.contains("keepalive") || explanation.contains("keep-alive"),
        "{explanation}"
    );
    assert_eq!(rec.count("metadata"), 1, "NET-0001 is preceded by Metadata");
}

#[wasm_bindgen_test]
async fn finalize_close_stream_and_close_work_from_inside_event_handlers() {
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "interim_results": true, "endpointing": 100}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    // The handler holds its own handle on the same Transcriber (what `this`/a closure gives a JS app).
    let handle = t
        .on(JsValue::from("open"), JsValue::from(rec.handler("open2")))
        .unwrap();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let c2 = calls.clone();
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |_v: JsValue| {
        c2.set(c2.get() + 1);
        if c2.get() == 1 {
            handle.finalize().unwrap();
            let _ = handle.close_stream();
            handle.close().unwrap();
        }
    });
    t.on(JsValue::from("transcript"), handler.as_ref().clone())
        .unwrap();
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    send_in_frames(&t, &dtmf_pcm16("3", 16000, 300), 640);
    rec.wait_for("close", 1, 5000).await;
    assert!(calls.get() >= 1);
    assert_eq!(t.state(), "closed");
    drop(handler);
}

#[wasm_bindgen_test]
async fn a_slow_network_holds_audio_up_to_the_cap_then_drops_oldest_with_a_warning() {
    control_post("/_control/reset", json!({})).await;
    // The server stops reading. Audio pushed faster than the socket takes it grows the browser's bufferedAmount
    // past the high-water mark: the session holds audio (warning), then drops the oldest past the cap (warning
    // naming the bytes). Every byte ends up sent, held or reported dropped.
    fault_next("/v1/listen", json!({"kind": "stop_reading"})).await;
    let cap = 256 * 1024;
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}),
        json!({"bufferHighWaterBytes": 64 * 1024, "bufferCapBytes": cap}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    let chunk = vec![0x11u8; 32_000];
    let mut pushed = 0u64;
    for i in 0..1200 {
        t.send_audio(js_sys::Uint8Array::from(chunk.as_slice()).into())
            .unwrap();
        pushed += chunk.len() as u64;
        if i % 20 == 0 {
            sleep(5).await;
        }
        if rec
            .of("warning")
            .iter()
            .any(|w| w["code"] == "audio_dropped")
        {
            break;
        }
    }
    sleep(1200).await;
    let stats: Value = stats_json(t.stats());
    let warnings = rec.of("warning");
    let codes: Vec<&str> = warnings.iter().filter_map(|w| w["code"].as_str()).collect();
    let held = codes.iter().position(|c| *c == "backpressure");
    let dropped = codes.iter().position(|c| *c == "audio_dropped");
    assert!(
        held.is_some() && dropped.is_some() && held < dropped,
        "expected backpressure then audio_dropped: {warnings:?} {stats}"
    );
    let drop_warning = &warnings[dropped.unwrap()];
    assert!(
        drop_warning["message"]
            .as_str()
            .unwrap()
            .contains("dropped "),
        "{drop_warning}"
    );
    let sent = stats["sentBytes"].as_u64().unwrap();
    let queued = stats["queuedBytes"].as_u64().unwrap();
    let dropped_bytes = stats["droppedBytes"].as_u64().unwrap();
    assert!(dropped_bytes > 0, "{stats}");
    assert!(
        queued <= cap,
        "held {queued} bytes over the cap {cap}: {stats}"
    );
    // Every byte is accounted for: sent, held, or dropped with a warning.
    assert_eq!(sent + queued + dropped_bytes, pushed, "{stats}");
    t.close().unwrap();
}

#[wasm_bindgen_test]
async fn a_dropped_connection_reconnects_and_the_audio_keeps_flowing() {
    control_post("/_control/reset", json!({})).await;
    // The server drops the TCP connection (no close frame) after half a second of audio.
    fault_next(
        "/v1/listen",
        json!({"kind": "abort", "after_audio_bytes": 16000}),
    )
    .await;
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "endpointing": 150}),
        json!({"reconnect": {"attempts": 3, "delayMs": 100}}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    // Real-time pace, 20 ms frames: what is captured while the connection is down waits in the new session.
    let audio = dtmf_pcm16("1234567890", 16000, 600);
    for chunk in audio.chunks(640) {
        t.send_audio(js_sys::Uint8Array::from(chunk).into())
            .unwrap();
        sleep(20).await;
    }
    let meta = await_promise(t.close_stream()).await.unwrap();
    assert!(!meta.is_undefined());
    let reconnecting = rec.of("reconnecting");
    assert_eq!(reconnecting.len(), 1, "{:?}", rec.events.borrow());
    assert_eq!(reconnecting[0]["attempt"], 1);
    assert_eq!(reconnecting[0]["code"], 1006);
    let reconnected = rec.of("reconnected");
    assert_eq!(reconnected.len(), 1);
    // The new connection's timestamps start at 0: timeOffset is where it starts in the audio, the end of the
    // last final result of the dropped one (0 here when the drop came before any final), never past the drop.
    let offset = reconnected[0]["timeOffset"].as_f64().unwrap();
    assert!((0.0..=0.5).contains(&offset), "{offset}");
    assert_eq!(rec.count("open"), 2);
    // One close only, the final one, and no error: the drop was handled.
    assert_eq!(rec.count("close"), 1);
    assert_eq!(rec.of("close")[0]["code"], 1000);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    // Every digit once, in order: the one cut by the drop was transcribed again on the new connection.
    let words = rec.final_words();
    let digits = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero",
    ];
    assert_eq!(words, digits, "{:?}", rec.events.borrow());
    // The new connection got the audio from the last final on (the replay), each byte counted sent once.
    let conn = last_connection("/v1/listen").await;
    let stats = stats_json(t.stats());
    let sent = stats["sentBytes"].as_u64().unwrap();
    assert_eq!(sent, audio.len() as u64, "{stats}");
    let from_offset = sent - (offset * 32000.0).round() as u64;
    assert!(
        conn["binary_bytes"].as_u64().unwrap().abs_diff(from_offset) <= 2,
        "the second connection got the audio from the last final on: {conn} {stats} offset {offset}"
    );
}

#[wasm_bindgen_test]
async fn configure_round_trips_and_bad_updates_are_refused_before_sending() {
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    let before = t
        .configure(js(json!({"keyterms": ["Deepgram"]})))
        .unwrap_err();
    assert_eq!(error_kind(&before).0, "state", "before start()");
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();

    let ok = await_promise(
        t.configure(js(
            json!({"keyterms": ["Deepgram", "customer service"], "features": {"numerals": true}}),
        ))
        .unwrap(),
    )
    .await
    .unwrap();
    let ok = json_of(&ok);
    assert_eq!(ok["type"], "ConfigureSuccess", "{ok}");
    assert_eq!(
        ok["keyterms"],
        json!(["Deepgram", "customer service"]),
        "{ok}"
    );
    assert_eq!(rec.of("configureSuccess"), vec![ok.clone()]);
    // numerals on: the server writes digits, from the next audio on.
    send_in_frames(&t, &dtmf_pcm16("42", 16000, 400), 640);
    t.finalize().unwrap();
    for _ in 0..500 {
        if rec.final_words().len() >= 2 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(rec.final_words(), vec!["4", "2"]);
    // Two at once: answered once each, in order.
    let a = t
        .configure(js(json!({"features": {"numerals": false}})))
        .unwrap();
    let b = t.configure(js(json!({"keyterms": []}))).unwrap();
    assert_eq!(
        json_of(&await_promise(a).await.unwrap())["type"],
        "ConfigureSuccess"
    );
    assert_eq!(
        json_of(&await_promise(b).await.unwrap())["type"],
        "ConfigureSuccess"
    );
    assert_eq!(rec.count("configureSuccess"), 3);

    for (update, words) in [
        (
            json!({"keyterms": vec!["two words"; 251]}),
            "502 tokens, over Deepgram's 500",
        ),
        (
            json!({"keyterm": ["x"]}),
            "unknown Configure option \"keyterm\": did you mean \"keyterms\"?",
        ),
        (json!({"features": {"numeral": true}}), "numerals"),
        (json!({"keyterms": "Deepgram"}), "keyterms"),
    ] {
        let e = t.configure(js(update.clone())).unwrap_err();
        let (kind, m) = error_kind(&e);
        assert_eq!(kind, "argument", "{update}");
        assert!(
            m.starts_with("Transcriber.configure(update): ") && m.contains(words),
            "{update}: {m}"
        );
    }
    let sent = last_connection("/v1/listen").await;
    let configures = sent["text_frames"].as_array().map(|frames| {
        frames
            .iter()
            .filter(|f| f.as_str().is_some_and(|f| f.contains("Configure")))
            .count()
    });
    assert_eq!(
        configures,
        Some(3),
        "only the good updates were sent: {sent}"
    );
    await_promise(t.close_stream()).await.unwrap();
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
}

fn json_of(v: &JsValue) -> Value {
    serde_json::from_str(&js_sys::JSON::stringify(v).unwrap().as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn options_deepgram_ignores_are_warnings_when_the_stream_starts() {
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000, "interim_results": true,
               "utterance_end_ms": 500, "dictation": true}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, ALL_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    rec.wait_for("open", 1, 5000).await;
    let codes: Vec<Value> = rec
        .of("warning")
        .iter()
        .map(|w| w["code"].clone())
        .collect();
    assert_eq!(
        codes,
        vec![json!("option_no_effect"), json!("option_no_effect")],
        "{:?}",
        rec.of("warning")
    );
    let messages: Vec<String> = rec
        .of("warning")
        .iter()
        .map(|w| w["message"].to_string())
        .collect();
    assert!(
        messages[0].contains("utterance_end_ms is below 1000"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("set punctuate to true"),
        "{messages:?}"
    );
    let conn = last_connection("/v1/listen").await;
    assert!(
        conn["query"]
            .as_str()
            .unwrap_or_default()
            .contains("utterance_end_ms=500"),
        "sent as given: {conn}"
    );
    t.close().unwrap();
}
