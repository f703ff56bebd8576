//! `/v1/speak` end to end: the audio that actually left the playback node (recorded sample-exact by a tap node)
//! decodes to the DTMF digits the local server's voice speaks; clear, barge-in, loopback, the flush budget and
//! re-entrant calls from handlers.

use std::cell::RefCell;
use std::rc::Rc;

use deepgram_live_wasm::api::{Speaker, VoiceSession};
use js_sys::{Float32Array, Function, Promise, Reflect};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{AudioContext, AudioContextOptions};

use crate::support::*;

// From benches/browser/tap.js, through the tests' one JS module (see harness.js).
#[wasm_bindgen(raw_module = "/tests/browser/harness.js")]
extern "C" {
    #[wasm_bindgen(js_name = createTap)]
    fn create_tap(ctx: &AudioContext, seconds: f64) -> Promise;
    #[wasm_bindgen(js_name = collectTap)]
    fn collect_tap(node: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = contextFrame)]
    fn context_frame(ctx: &AudioContext) -> f64;
}

struct Tapped {
    samples: Vec<f32>,
    /// Context frame of `samples[0]`.
    first: f64,
}

fn context(rate: u32) -> AudioContext {
    let opts = AudioContextOptions::new();
    opts.set_sample_rate(rate as f32);
    AudioContext::new_with_context_options(&opts).unwrap()
}

async fn tap(ctx: &AudioContext, seconds: f64) -> JsValue {
    JsFuture::from(create_tap(ctx, seconds)).await.unwrap()
}

async fn collect(node: &JsValue) -> Tapped {
    let data = JsFuture::from(collect_tap(node)).await.unwrap();
    let samples: Float32Array = Reflect::get(&data, &"samples".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let first = Reflect::get(&data, &"first".into())
        .unwrap()
        .as_f64()
        .unwrap();
    Tapped {
        samples: samples.to_vec(),
        first,
    }
}

fn digits(samples: &[f32], rate: u32) -> String {
    dtmf::detect_all(samples, rate)
        .iter()
        .map(|d| d.key.to_char())
        .collect()
}

fn speaker(ctx: &AudioContext, destination: &JsValue, options: Value, extra: Value) -> Speaker {
    let o = merged(
        json!({
            "baseUrl": server_url(),
            "auth": {"apiKey": "test-key"},
            "options": options,
        }),
        extra,
    );
    let o = js(o);
    Reflect::set(&o, &"audioContext".into(), ctx).unwrap();
    Reflect::set(&o, &"destination".into(), destination).unwrap();
    Speaker::new(o).unwrap()
}

/// `events` without `audio`: the recorder turns every payload into JSON, and a stream of audio chunks would
/// keep the page's main thread busy (and its timers late).
fn without_audio(events: &[Event]) -> Vec<Event> {
    events
        .iter()
        .copied()
        .filter(|e| *e != Event::Audio)
        .collect()
}

/// A recorder of every Speaker event but `audio`.
fn recorder(sp: &Speaker) -> Recorder {
    let rec = Recorder::default();
    rec.attach_with(&without_audio(SPEAKER_EVENTS), |n, f| {
        sp.on(JsValue::from(n), JsValue::from(f)).unwrap();
    });
    rec
}

type Frames = Rc<RefCell<Vec<f64>>>;

/// Records the context frame (as the main thread sees it) each time `event` fires.
fn frames_at(
    ctx: &AudioContext,
    on: impl Fn(&str, Function),
    event: &str,
) -> (Frames, Closure<dyn FnMut(JsValue)>) {
    let frames = Rc::new(RefCell::new(Vec::new()));
    let f2 = frames.clone();
    let ctx = ctx.clone();
    let c = Closure::<dyn FnMut(JsValue)>::new(move |_v: JsValue| {
        f2.borrow_mut().push(context_frame(&ctx));
    });
    on(event, c.as_ref().clone().unchecked_into());
    (frames, c)
}

fn last_loud(samples: &[f32], threshold: f32) -> Option<usize> {
    samples.iter().rposition(|s| s.abs() > threshold)
}

#[wasm_bindgen_test]
async fn speak_plays_the_digits_in_order_and_playback_end_follows_the_last_sample() {
    control_post("/_control/reset", json!({})).await;
    for (encoding, rate, ctx_rate) in [
        ("linear16", 16_000, 48_000),
        ("linear16", 24_000, 44_100),
        ("linear16", 48_000, 48_000),
        ("mulaw", 8_000, 48_000),
    ] {
        let ctx = context(ctx_rate);
        let node = tap(&ctx, 8.0).await;
        let sp = speaker(
            &ctx,
            &node,
            json!({"model": "aura-2-thalia-en", "encoding": encoding, "sample_rate": rate}),
            json!({}),
        );
        let rec = recorder(&sp);
        let (end_frames, _keep) = frames_at(
            &ctx,
            |n, f| {
                sp.on(JsValue::from(n), JsValue::from(f)).unwrap();
            },
            "playbackEnd",
        );
        sp.speak(JsValue::from("1 2 3")).unwrap();
        let id = sp.flush().unwrap();
        rec.wait_for("playbackEnd", 1, 15_000).await;
        let end = rec.of("playbackEnd")[0].clone();
        assert_eq!(end["sequenceId"], json!(id), "{encoding}@{rate}: {end}");
        assert_eq!(rec.of("flushed")[0]["sequence_id"], json!(id));
        let starts = rec.of("playbackStart");
        assert_eq!(starts.len(), 1, "{starts:?}");
        assert_eq!(starts[0]["sequenceId"], json!(id));
        let duration = end["durationMs"].as_f64().unwrap();
        assert!(
            (400.0..1500.0).contains(&duration),
            "{encoding}@{rate}: {duration} ms"
        );
        let t = collect(&node).await;
        let heard = digits(&t.samples, ctx_rate);
        assert_eq!(heard, "123", "{encoding}@{rate} via {ctx_rate} Hz");
        // playbackEnd fired after the last audible sample had been rendered.
        let last = last_loud(&t.samples, 0.01).unwrap() as f64 + t.first;
        let end_frame = end_frames.borrow()[0];
        assert!(
            last <= end_frame,
            "{encoding}@{rate}: last sample at frame {last}, playbackEnd seen at frame {end_frame}"
        );
        assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
        JsFuture::from(sp.close()).await.unwrap();
        assert_eq!(rec.count("close"), 1);
        close_context(&ctx).await;
    }
}

#[wasm_bindgen_test]
async fn clear_silences_the_output_discards_audio_in_flight_and_the_next_utterance_plays() {
    control_post("/_control/reset", json!({})).await;
    // Every server frame leaves 300 ms late: at clear() a good part of the utterance is still in flight.
    fault_next("/v1/speak", json!({"kind": "delay_replies", "ms": 300})).await;
    let rate = 48_000;
    let ctx = context(rate);
    let node = tap(&ctx, 20.0).await;
    let sp = speaker(
        &ctx,
        &node,
        json!({"model": "aura-2-thalia-en", "encoding": "linear16", "sample_rate": 24000}),
        json!({}),
    );
    let rec = recorder(&sp);
    let (start_frames, _keep) = frames_at(
        &ctx,
        |n, f| {
            sp.on(JsValue::from(n), JsValue::from(f)).unwrap();
        },
        "playbackStart",
    );
    sp.speak(JsValue::from("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0"))
        .unwrap();
    sp.flush().unwrap();
    rec.wait_for("playbackStart", 1, 10_000).await;
    // Clear once 400 ms have played, by the player's own count (not the wall clock): the server is still
    // sending then, and the 300 ms delay keeps audio in flight.
    let played = || {
        stats_json(sp.stats())["playedSamples"]
            .as_f64()
            .unwrap_or(0.0)
    };
    let mut waited = 0;
    while played() < f64::from(rate) * 0.4 {
        assert!(
            waited < 10_000,
            "playback did not advance: {}",
            stats_json(sp.stats())
        );
        sleep(5).await;
        waited += 5;
    }
    let played_before = played();
    let clear_frame = context_frame(&ctx);
    let clear_id = sp.clear().unwrap();
    rec.wait_for("cleared", 1, 10_000).await;
    let cleared = rec.of("cleared")[0].clone();
    // What clear() returned is a prediction: the server does not count the Flush this Clear overtook.
    assert_eq!(cleared["predictedSequenceId"], json!(clear_id), "{cleared}");
    assert_eq!(cleared["interruptedSequenceId"], json!(0), "{cleared}");
    // What was heard, on the audio clock: at least the 400 ms the player had counted before the call, and at
    // most everything rendered from the segment's first sample to the silence the worklet reported (the tapped
    // output checks below that the output really is silent from there). How soon after the call that silence
    // comes is a latency, measured by `make bench` in each engine, not asserted here.
    let played_samples = cleared["playedSamples"].as_f64().unwrap();
    let start = rec.of("playbackStart")[0]["contextTime"].as_f64().unwrap() * f64::from(rate);
    let silent = cleared["silentAt"].as_f64().unwrap() * f64::from(rate);
    assert!(
        played_samples >= played_before && played_samples <= silent - start + 128.0,
        "heard {played_samples} samples: {played_before} had played at clear(), {} frames from the first \
         sample to silence: {cleared}",
        silent - start
    );
    let stats: Value = stats_json(sp.stats());
    assert!(
        stats["discardedBytes"].as_f64().unwrap() > 0.0,
        "no audio was in flight: {stats}"
    );
    sp.speak(JsValue::from("4 5")).unwrap();
    let id = sp.flush().unwrap();
    rec.wait_for("playbackEnd", 1, 15_000).await;
    assert_eq!(rec.of("playbackEnd")[0]["sequenceId"], json!(id));
    let t = collect(&node).await;
    let at = |frame: f64| ((frame - t.first).max(0.0) as usize).min(t.samples.len());
    // Where the worklet rendered the next segment's first sample (the event itself arrives a little later).
    let next_start = rec.of("playbackStart")[1]["contextTime"].as_f64().unwrap() * f64::from(rate);
    assert!(next_start <= start_frames.borrow()[1]);
    let (before, after) = t.samples.split_at(at(next_start));
    // The output is silent from the frame the worklet reported until the next segment: not one sample of the
    // cleared generation plays after its fade, although the server was still sending it.
    assert!(
        silent >= clear_frame,
        "silent at frame {silent}, before the clear call at {clear_frame}"
    );
    let stale = before[at(silent)..]
        .iter()
        .filter(|s| s.abs() > 1e-6)
        .count();
    assert_eq!(
        stale,
        0,
        "{stale} stale samples between the silence at frame {silent} and the next segment at {next_start}"
    );
    assert!(
        digits(before, rate).starts_with("12"),
        "{}",
        digits(before, rate)
    );
    assert_eq!(digits(after, rate), "45");
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    JsFuture::from(sp.close()).await.unwrap();
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn the_21st_flush_in_a_minute_warns_locally_before_the_server() {
    control_post("/_control/reset", json!({})).await;
    let sp = Speaker::new(js(json!({
        "baseUrl": server_url(),
        "auth": {"apiKey": "test-key"},
        "options": {"model": "aura-2-thalia-en"},
        "playback": false,
    })))
    .unwrap();
    let rec = recorder(&sp);
    JsFuture::from(sp.start()).await.unwrap();
    for i in 0..20 {
        sp.speak(JsValue::from(&format!("{}", i % 10))).unwrap();
        sp.flush().unwrap();
    }
    assert!(rec.of("warning").is_empty());
    sp.speak(JsValue::from("1")).unwrap();
    sp.flush().unwrap();
    // Raised synchronously by the 21st call: before the server has seen it.
    let warnings = rec.of("warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "EXCESSIVE_FLUSH");
    assert!(warnings[0].get("server").is_none(), "{warnings:?}");
    rec.wait_for("flushed", 20, 15_000).await;
    JsFuture::from(sp.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn handlers_can_clear_speak_and_close_from_inside_events() {
    control_post("/_control/reset", json!({})).await;
    let ctx = context(48_000);
    let node = tap(&ctx, 10.0).await;
    let sp = Rc::new(speaker(
        &ctx,
        &node,
        json!({"model": "aura-2-thalia-en"}),
        json!({}),
    ));
    let rec = recorder(&sp);
    let ends = Rc::new(RefCell::new(0));
    let (sp2, ends2) = (sp.clone(), ends.clone());
    let on_end = Closure::<dyn FnMut(JsValue)>::new(move |_v: JsValue| {
        *ends2.borrow_mut() += 1;
        match *ends2.borrow() {
            // First end: clear (nothing playing, still answered) and speak again from inside the handler.
            1 => {
                sp2.clear().unwrap();
                sp2.speak(JsValue::from("9")).unwrap();
                sp2.flush().unwrap();
            }
            // Second end: close from inside the handler.
            _ => {
                let _ = sp2.close();
            }
        }
    });
    sp.on(JsValue::from("playbackEnd"), on_end.as_ref().clone())
        .unwrap();
    sp.speak(JsValue::from("7")).unwrap();
    sp.flush().unwrap();
    rec.wait_for("close", 1, 15_000).await;
    assert_eq!(*ends.borrow(), 2);
    assert_eq!(rec.count("cleared"), 1);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    let t = collect(&node).await;
    assert_eq!(digits(&t.samples, 48_000), "79");
    close_context(&ctx).await;
}

fn voice(ctx: &AudioContext, destination: &JsValue, extra: Value) -> VoiceSession {
    let o = merged(
        json!({
            "baseUrl": server_url(),
            "auth": {"apiKey": "test-key"},
            "listen": {"model": "nova-3", "interim_results": true, "endpointing": 150},
            "speak": {"model": "aura-2-thalia-en", "encoding": "linear16", "sample_rate": 24000},
        }),
        extra,
    );
    let o = js(o);
    Reflect::set(&o, &"audioContext".into(), ctx).unwrap();
    Reflect::set(&o, &"destination".into(), destination).unwrap();
    VoiceSession::new(o).unwrap()
}

#[wasm_bindgen_test]
async fn loopback_voice_session_speaks_four_five_six_and_transcribes_it() {
    control_post("/_control/reset", json!({})).await;
    let ctx = context(48_000);
    // Test wiring: the Speaker's output feeds the Transcriber's input (no microphone).
    let mix = ctx.create_gain().unwrap();
    let v = voice(&ctx, &mix, json!({"bargeIn": false}));
    let rec = Recorder::default();
    rec.attach_with(&without_audio(VOICE_SESSION_EVENTS), |n, f| {
        v.on(JsValue::from(n), JsValue::from(f)).unwrap();
    });
    let src = js_sys::Object::new();
    Reflect::set(&src, &"node".into(), &mix).unwrap();
    JsFuture::from(v.start(src.into())).await.unwrap();
    v.speak(JsValue::from("4 5 6")).unwrap();
    let id = v.flush().unwrap();
    rec.wait_for("playbackEnd", 1, 15_000).await;
    assert_eq!(rec.of("playbackEnd")[0]["sequenceId"], json!(id));
    let mut waited = 0;
    while rec.final_words().len() < 3 && waited < 5_000 {
        sleep(50).await;
        waited += 50;
    }
    v.finalize().unwrap();
    sleep(300).await;
    assert_eq!(rec.final_words(), vec!["four", "five", "six"]);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    JsFuture::from(v.close()).await.unwrap();
    assert_eq!(rec.count("close"), 2, "{:?}", rec.events.borrow());
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn barge_in_clears_playback_when_the_user_speaks() {
    control_post("/_control/reset", json!({})).await;
    let ctx = context(48_000);
    let node = tap(&ctx, 20.0).await;
    let v = voice(
        &ctx,
        &node,
        json!({"microphone": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false}}),
    );
    assert!(v.barge_in());
    let rec = Recorder::default();
    rec.attach_with(&without_audio(VOICE_SESSION_EVENTS), |n, f| {
        v.on(JsValue::from(n), JsValue::from(f)).unwrap();
    });
    // The fake microphone plays DTMF digits after 500 ms of silence: the user speaks over a long utterance.
    JsFuture::from(v.start(JsValue::UNDEFINED)).await.unwrap();
    v.speak(JsValue::from(
        "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0",
    ))
    .unwrap();
    v.flush().unwrap();
    rec.wait_for("cleared", 1, 15_000).await;
    let stats: Value = stats_json(v.stats());
    assert!(stats["bargeIns"].as_u64().unwrap() >= 1, "{stats}");
    // The clear came from user speech: a transcript with words arrived before it.
    let events = rec.events.borrow().clone();
    let first_clear = events.iter().position(|(n, _)| n == "cleared").unwrap();
    assert!(
        events[..first_clear].iter().any(|(n, r)| n == "transcript"
            && !r["channel"]["alternatives"][0]["transcript"]
                .as_str()
                .unwrap_or_default()
                .is_empty()),
        "{events:?}"
    );
    assert!(
        rec.count("playbackEnd") == 0,
        "the utterance played to its end"
    );
    assert!(!v.speaker().playing());
    JsFuture::from(v.close()).await.unwrap();
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn playback_through_the_blob_worklet_fallback() {
    let ctx = context(48_000);
    let node = tap(&ctx, 4.0).await;
    let sp = speaker(
        &ctx,
        &node,
        json!({"model": "aura-2-thalia-en"}),
        json!({"worklet": "blob"}),
    );
    let rec = recorder(&sp);
    sp.speak(JsValue::from("8")).unwrap();
    sp.flush().unwrap();
    rec.wait_for("playbackEnd", 1, 10_000).await;
    assert_eq!(digits(&collect(&node).await.samples, 48_000), "8");
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    JsFuture::from(sp.close()).await.unwrap();
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn voice_session_handlers_can_clear_speak_and_close_from_transcript_and_playback_end() {
    control_post("/_control/reset", json!({})).await;
    let ctx = context(48_000);
    let node = tap(&ctx, 20.0).await;
    let v = Rc::new(voice(
        &ctx,
        &node,
        json!({
            "bargeIn": false,
            "microphone": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false},
        }),
    ));
    let rec = Recorder::default();
    rec.attach_with(&without_audio(VOICE_SESSION_EVENTS), |n, f| {
        v.on(JsValue::from(n), JsValue::from(f)).unwrap();
    });
    let reply_id = Rc::new(RefCell::new(None::<u32>));
    let (v2, id2) = (v.clone(), reply_id.clone());
    // On the user's first words: interrupt the long answer and say something short instead.
    let on_transcript = Closure::<dyn FnMut(JsValue)>::new(move |r: JsValue| {
        let words = js_sys::JSON::stringify(&r)
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s.contains("\"word\""));
        if words && id2.borrow().is_none() {
            v2.clear().unwrap();
            v2.speak(JsValue::from("7")).unwrap();
            *id2.borrow_mut() = Some(v2.flush().unwrap());
        }
    });
    v.on(JsValue::from("transcript"), on_transcript.as_ref().clone())
        .unwrap();
    let v3 = v.clone();
    // When the short answer has played: close everything from inside the handler.
    let on_end = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| {
        let _ = v3.close();
    });
    v.on(JsValue::from("playbackEnd"), on_end.as_ref().clone())
        .unwrap();
    JsFuture::from(v.start(JsValue::UNDEFINED)).await.unwrap();
    v.speak(JsValue::from(
        "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0",
    ))
    .unwrap();
    v.flush().unwrap();
    rec.wait_for("close", 2, 20_000).await;
    let ends = rec.of("playbackEnd");
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert_eq!(ends[0]["sequenceId"], json!(*reply_id.borrow()));
    assert!(rec.count("cleared") >= 1);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn after_the_server_closes_the_connection_the_next_speak_reconnects_and_plays() {
    let ctx = context(48_000);
    let node = tap(&ctx, 12.0).await;
    let sp = speaker(&ctx, &node, json!({"model": "aura-2-thalia-en"}), json!({}));
    let rec = recorder(&sp);
    sp.speak(JsValue::from("1")).unwrap();
    sp.flush().unwrap();
    rec.wait_for("playbackEnd", 1, 10_000).await;
    // The server ends the connection (Deepgram does at its 60-minute limit).
    close_open_connection("/v1/speak", 1011, "NET-0003").await;
    rec.wait_for("close", 1, 10_000).await;
    assert_eq!(sp.state(), "closed");
    let close = &rec.of("close")[0];
    assert!(
        close["explanation"]
            .as_str()
            .unwrap()
            .contains("time limit (NET-0003: 60 minutes"),
        "explained from the text-to-speech table: {close}"
    );
    sp.speak(JsValue::from("2")).unwrap();
    let id = sp.flush().unwrap();
    rec.wait_for("playbackEnd", 2, 10_000).await;
    assert_eq!(rec.of("playbackEnd")[1]["sequenceId"], json!(id));
    assert_eq!(rec.count("open"), 2);
    assert_eq!(rec.of("reconnecting"), vec![json!({"attempt": 1})]);
    assert_eq!(rec.of("reconnected"), vec![json!({"attempt": 1})]);
    assert_eq!(digits(&collect(&node).await.samples, 48_000), "12");
    JsFuture::from(sp.close()).await.unwrap();
    close_context(&ctx).await;
}

/// Has the server close the open connection on `path` with `code` and `reason` (a `close` fault).
async fn close_open_connection(path: &str, code: u16, reason: &str) {
    let id = last_connection(path).await["id"].clone();
    let r = control_post(
        "/_control/faults",
        json!({"connection": id, "fault": {"kind": "close", "code": code, "reason": reason}}),
    )
    .await;
    assert_eq!(r["ok"], json!(true), "fault not accepted: {r}");
}

#[wasm_bindgen_test]
async fn speak_closes_are_explained_from_the_text_to_speech_table() {
    let ctx = context(48_000);
    let node = tap(&ctx, 4.0).await;
    for (code, reason, words) in [
        (1008, "DATA-0001", "2,400 characters a minute"),
        (1003, "MESSAGE-0000", "never binary data"),
        (1008, "DATA-0000", "type Speak, Flush, Clear or Close"),
    ] {
        let sp = speaker(&ctx, &node, json!({"model": "aura-2-thalia-en"}), json!({}));
        let rec = recorder(&sp);
        JsFuture::from(sp.start()).await.unwrap();
        close_open_connection("/v1/speak", code, reason).await;
        rec.wait_for("close", 1, 10_000).await;
        let close = &rec.of("close")[0];
        assert_eq!(close["code"], json!(code), "{close}");
        let explanation = close["explanation"].as_str().unwrap();
        assert!(explanation.contains(words), "{reason}: {explanation}");
        assert!(
            !explanation.contains("audio"),
            "not the listen table: {explanation}"
        );
        sp.release();
    }
    close_context(&ctx).await;
}

#[wasm_bindgen_test]
async fn a_playback_context_suspended_by_the_system_is_a_stall_warning_and_is_resumed() {
    let ctx = context(48_000);
    let node = tap(&ctx, 4.0).await;
    let sp = speaker(
        &ctx,
        &node,
        json!({"model": "aura-2-thalia-en", "encoding": "linear16", "sample_rate": 24000}),
        json!({}),
    );
    let rec = recorder(&sp);
    sp.speak(JsValue::from("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0"))
        .unwrap();
    let flush_id = sp.flush().unwrap();
    rec.wait_for("playbackStart", 1, 10_000).await;
    JsFuture::from(ctx.suspend().unwrap()).await.unwrap();
    let codes = || -> Vec<String> {
        rec.of("warning")
            .iter()
            .filter_map(|w| w["code"].as_str().map(str::to_owned))
            .filter(|c| c.starts_with("PLAYBACK_STALLED") || c.starts_with("PLAYBACK_RESUMED"))
            .collect()
    };
    let mut waited = 0;
    while codes().len() < 2 {
        assert!(waited < 10_000, "{:?}", rec.events.borrow());
        sleep(20).await;
        waited += 20;
    }
    assert_eq!(codes(), ["PLAYBACK_STALLED", "PLAYBACK_RESUMED"]);
    let stalled = rec
        .of("warning")
        .into_iter()
        .find(|w| w["code"] == "PLAYBACK_STALLED")
        .unwrap();
    assert!(
        stalled["message"]
            .as_str()
            .unwrap()
            .contains("\"suspended\""),
        "{stalled}"
    );
    // The Speaker resumed the context itself: the segment plays to its end.
    rec.wait_for("playbackEnd", 1, 20_000).await;
    assert_eq!(rec.of("playbackEnd")[0]["sequenceId"], json!(flush_id));
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    let _ = JsFuture::from(sp.close()).await;
}
