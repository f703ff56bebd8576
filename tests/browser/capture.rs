//! Microphone capture end to end: the microphone plays the DTMF WAV from scripts/browser-test.sh (keys
//! 1234567890, looping): Chromium's file capture into 48 kHz and then 44.1 kHz contexts, and a PulseAudio source
//! in Firefox and WebKit, into a context at the engine's own rate.

use deepgram_live_wasm::api::Transcriber;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// The WAV's keys as words, in order (the file loops, so a capture sees a rotation of this cycle).
const FAKE_MIC_WORDS: [&str; 10] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero",
];

/// The fake microphone, with the browser's processing off (exact samples), into an app-supplied AudioContext at
/// this run's rate: headless Chromium's default context rate does not follow the WAV, so its runs pick the rate
/// to exercise both the 48 kHz and the 44.1 kHz capture paths; Firefox and WebKit use their own default.
fn mic_source() -> (JsValue, web_sys::AudioContext) {
    let opts = web_sys::AudioContextOptions::new();
    if let Some(rate) = mic_rate() {
        opts.set_sample_rate(rate as f32);
    }
    let ctx = web_sys::AudioContext::new_with_context_options(&opts).unwrap();
    let src = js(
        json!({"microphone": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false}}),
    );
    js_sys::Reflect::set(&src, &"audioContext".into(), &ctx).unwrap();
    (src, ctx)
}

fn assert_cyclic_run(words: &[String]) {
    assert!(!words.is_empty(), "no words transcribed");
    let first = FAKE_MIC_WORDS
        .iter()
        .position(|w| *w == words[0])
        .unwrap_or_else(|| panic!("unexpected word {:?}", words[0]));
    for (i, w) in words.iter().enumerate() {
        let expected = FAKE_MIC_WORDS[(first + i) % FAKE_MIC_WORDS.len()];
        assert_eq!(w, expected, "word {i} of {words:?} breaks the cycle");
    }
}

fn stats_of(t: &Transcriber) -> Value {
    stats_json(t.stats())
}

#[wasm_bindgen_test]
async fn capture_fake_microphone_transcribes_the_digits_in_order() {
    let t = Transcriber::new(js(json!({
        "baseUrl": server_url(),
        "auth": {"apiKey": "test-key"},
        "options": {"model": "nova-3", "interim_results": true, "endpointing": 150},
    })))
    .unwrap();
    let rec = Recorder::default();
    rec.attach(&t, TRANSCRIBER_EVENTS);
    let (source, ctx) = mic_source();
    await_promise(t.start(source)).await.unwrap();
    // A little over one loop of the 5.5 s file: every digit at least once.
    sleep(7000).await;
    let meta = await_promise(t.close_stream()).await.unwrap();
    let meta: Value =
        serde_json::from_str(&js_sys::JSON::stringify(&meta).unwrap().as_string().unwrap())
            .unwrap();
    let stats = stats_of(&t);
    let words = rec.final_words();
    assert_cyclic_run(&words);
    assert!(
        words.len() >= 10,
        "expected every digit at least once: {words:?}"
    );
    let rate = ctx.sample_rate();
    assert_eq!(
        stats["inputSampleRate"].as_f64().unwrap(),
        f64::from(rate),
        "{stats}"
    );

    let conn = last_connection("/v1/listen").await;
    assert!(
        conn["query"]
            .as_str()
            .unwrap()
            .contains("encoding=linear16"),
        "{conn}"
    );
    assert!(
        conn["query"]
            .as_str()
            .unwrap()
            .contains("sample_rate=16000"),
        "{conn}"
    );
    assert_eq!(
        conn["binary_bytes"], stats["sentBytes"],
        "server bytes vs stats: {conn} {stats}"
    );
    assert_eq!(stats["sentBytes"], stats["capturedBytes"], "{stats}");
    // Metadata duration matches the captured seconds within one 20 ms frame.
    let captured_secs = stats["capturedSamples"].as_f64().unwrap() / f64::from(rate);
    let dur = meta["duration"].as_f64().unwrap();
    assert!(
        (dur - captured_secs).abs() <= 0.02,
        "metadata {dur} s vs captured {captured_secs} s"
    );
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    assert_eq!(rec.of("close")[0]["code"], 1000);
    // Level readings about every 50 ms, in dBFS as well as linear: the tones (amplitude 0.5, RMS about -9 dBFS).
    let levels = rec.of("level");
    assert!(levels.len() >= 50, "{} level events in 7 s", levels.len());
    let loudest = levels
        .iter()
        .filter_map(|l| l["rmsDb"].as_f64())
        .fold(f64::MIN, f64::max);
    assert!(
        (-20.0..0.0).contains(&loudest),
        "loudest rmsDb {loudest}: {:?}",
        &levels[..5]
    );
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn capture_pause_longer_than_the_idle_timeout_keeps_the_stream_open() {
    let t = Transcriber::new(js(json!({
        "baseUrl": server_url(),
        "auth": {"apiKey": "test-key"},
        "options": {"model": "nova-3", "endpointing": 150},
        "keepAliveMs": 500,
    })))
    .unwrap();
    let rec = Recorder::default();
    rec.attach(
        &t,
        &[Event::Open, Event::Close, Event::Error, Event::Transcript],
    );
    let (source, ctx) = mic_source();
    await_promise(t.start(source)).await.unwrap();
    sleep(500).await;
    t.pause().unwrap();
    let sent_at_pause = stats_of(&t)["sentBytes"].as_u64().unwrap();
    // The test server closes idle streams after 2 s.
    sleep(3000).await;
    assert_eq!(t.state(), "open", "events: {:?}", rec.events.borrow());
    let stats = stats_of(&t);
    assert!(
        stats["sentBytes"].as_u64().unwrap() <= sent_at_pause + 640,
        "audio went out while paused: {stats}"
    );
    let conn = last_connection("/v1/listen").await;
    let keepalives = conn["text_frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.as_str() == Some(r#"{"type":"KeepAlive"}"#))
        .count();
    assert!(keepalives >= 4, "expected KeepAlives while paused: {conn}");
    t.resume().unwrap();
    sleep(4500).await;
    await_promise(t.close_stream()).await.unwrap();
    assert!(!rec.final_words().is_empty(), "no transcript after resume");
    assert_eq!(rec.of("close")[0]["code"], 1000);
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn capture_through_the_blob_worklet_fallback() {
    let t = Transcriber::new(js(json!({
        "baseUrl": server_url(),
        "auth": {"apiKey": "test-key"},
        "options": {"model": "nova-3", "endpointing": 150},
        "worklet": "blob",
    })))
    .unwrap();
    let rec = Recorder::default();
    rec.attach(
        &t,
        &[Event::Open, Event::Close, Event::Error, Event::Transcript],
    );
    let (source, ctx) = mic_source();
    await_promise(t.start(source)).await.unwrap();
    sleep(4000).await;
    await_promise(t.close_stream()).await.unwrap();
    let words = rec.final_words();
    assert!(words.len() >= 3, "{words:?}");
    assert_cyclic_run(&words);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn capture_suspended_by_the_system_is_a_stall_warning_and_is_resumed() {
    let t = Transcriber::new(js(json!({
        "baseUrl": server_url(),
        "auth": {"apiKey": "test-key"},
        "options": {"model": "nova-3"},
        "captureStallMs": 300,
    })))
    .unwrap();
    let rec = Recorder::default();
    rec.attach(
        &t,
        &[Event::Open, Event::Close, Event::Error, Event::Warning],
    );
    let (source, ctx) = mic_source();
    await_promise(t.start(source)).await.unwrap();
    while stats_of(&t)["capturedFrames"].as_u64().unwrap_or(0) < 5 {
        sleep(20).await;
    }
    assert!(rec.of("warning").is_empty(), "{:?}", rec.of("warning"));
    // What the system does to a page's audio (iOS interruptions, a laptop lid): the context stops running.
    wasm_bindgen_futures::JsFuture::from(ctx.suspend().unwrap())
        .await
        .unwrap();
    rec.wait_for("warning", 1, 10_000).await;
    let stalled = rec.of("warning")[0].clone();
    assert_eq!(stalled["code"], "capture_stalled", "{stalled}");
    let message = stalled["message"].as_str().unwrap();
    assert!(
        message.contains("\"suspended\"") && message.contains("resume()"),
        "{message}"
    );
    // The Transcriber resumed the context itself: audio flows again, and it says so.
    rec.wait_for("warning", 2, 10_000).await;
    let warnings = rec.of("warning");
    assert_eq!(warnings[1]["code"], "capture_resumed", "{warnings:?}");
    assert_eq!(ctx.state(), web_sys::AudioContextState::Running);
    assert_eq!(t.state(), "open");
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    t.close().unwrap();
    close_context(&ctx).await;
}
