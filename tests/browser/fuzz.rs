//! The JS surface survives any value: `fuzz.js` calls every exported constructor, method, getter and setter with
//! generated values (wrong types, NaN, BigInt, symbols, huge strings and lone surrogates, detached buffers,
//! throwing getters and Proxies, re-entrant and throwing handlers...) in every state, through the real glue code.
//! Every call returns or throws an `Error` with a string `kind`; none traps the module, and afterwards a
//! Transcriber still transcribes and a Speaker still speaks. Seeded (`DG_FUZZ_SEED`, `DG_FUZZ_CALLS` at build
//! time): the seed and the counts are printed.

use deepgram_live_wasm::api::{Speaker, Transcriber, VoiceSession};
use js_sys::{Object, Reflect};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::listen::{dtmf_pcm16, send_in_frames, transcriber};
use crate::support::*;

// From fuzz.js, through the tests' one JS module (see harness.js).
#[wasm_bindgen(raw_module = "/tests/browser/harness.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn fuzz(classes: JsValue, config: JsValue) -> Result<JsValue, JsValue>;
}

fn seed() -> u32 {
    option_env!("DG_FUZZ_SEED")
        .unwrap_or("20261203")
        .parse()
        .expect("DG_FUZZ_SEED is a number")
}

fn calls() -> u32 {
    option_env!("DG_FUZZ_CALLS")
        .unwrap_or("3000")
        .parse()
        .expect("DG_FUZZ_CALLS is a number")
}

/// The JS class of an exported Rust struct: the `constructor` of an instance the glue made for it.
fn class_of(instance: JsValue) -> JsValue {
    let class = Reflect::get(&instance, &"constructor".into()).unwrap();
    let free: js_sys::Function = Reflect::get(&instance, &"free".into()).unwrap().into();
    free.call0(&instance).unwrap();
    class
}

fn names(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.name()).collect()
}

#[wasm_bindgen_test]
async fn every_export_takes_any_value_in_every_state_without_trapping() {
    control_post("/_control/reset", json!({})).await;
    let url = server_url();
    let options = json!({
        "Transcriber": {"baseUrl": url, "auth": {"apiKey": "test-key"},
            "options": {"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}},
        "Speaker": {"baseUrl": url, "auth": {"apiKey": "test-key"},
            "options": {"model": "aura-2-thalia-en", "encoding": "linear16", "sample_rate": 24000}},
        "VoiceSession": {"baseUrl": url, "auth": {"apiKey": "test-key"},
            "listen": {"model": "nova-3"}, "speak": {"model": "aura-2-thalia-en"}},
    });
    let classes = Object::new();
    for (name, instance) in [
        (
            "Transcriber",
            JsValue::from(Transcriber::new(js(options["Transcriber"].clone())).unwrap()),
        ),
        (
            "Speaker",
            JsValue::from(Speaker::new(js(options["Speaker"].clone())).unwrap()),
        ),
        (
            "VoiceSession",
            JsValue::from(VoiceSession::new(js(options["VoiceSession"].clone())).unwrap()),
        ),
    ] {
        Reflect::set(&classes, &name.into(), &class_of(instance)).unwrap();
    }
    let config = json!({
        "seed": seed(),
        "calls": calls(),
        // DG_FUZZ_TRACE=1 logs every call before it is made (with BROWSER_TESTS=fuzz::, the console is shown).
        "trace": option_env!("DG_FUZZ_TRACE").is_some_and(|v| v == "1"),
        "progress": true,
        "serverUrl": url,
        "settleMs": 30_000,
        "options": options,
        // Transcriber: no source (the app sends audio); VoiceSession: the fake microphone.
        "sources": {"Transcriber": null, "VoiceSession": {"microphone": true}},
        "members": {},
        "events": {
            "Transcriber": names(TRANSCRIBER_EVENTS),
            "Speaker": names(SPEAKER_EVENTS),
            "VoiceSession": names(VOICE_SESSION_EVENTS),
        },
    });
    let report = fuzz(classes.into(), js(config))
        .await
        .unwrap_or_else(|e| panic!("the fuzz driver itself failed: {e:?}"));
    let report: Value = serde_json::from_str(
        &js_sys::JSON::stringify(&report)
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .unwrap();
    let used = report["kindsUsed"].as_object().unwrap();
    let members = report["members"].as_object().unwrap();
    web_sys::console::log_1(
        &format!(
            "fuzz: seed {}, {} calls ({} from event handlers, {} handler throws): {} returned, errors by kind {}; \
             {} of {} kinds of value, {} members of 3 classes, states {}",
            report["seed"],
            report["calls"],
            report["handlerCalls"],
            report["handlerThrows"],
            report["returned"],
            report["errors"],
            used.len(),
            report["valueKinds"],
            members.len(),
            report["states"],
        )
        .into(),
    );
    if let Some(examples) = report["examples"].as_object() {
        for (kind, example) in examples {
            web_sys::console::log_1(&format!("fuzz: first {kind} error: {example}").into());
        }
    }
    // The fixed cases: each a typed error, its message naming the call, what was given and what is expected.
    let speak = "Speaker.speak(text): expected a string (the text to speak; for a chunk object, pass its text), got";
    let event =
        "Transcriber.on(event, handler): expected an event name (a string, e.g. \"open\"), got";
    let expected = json!([
        {"call": "speaker.speak(123)", "kind": "argument", "message": format!("Error: {speak} a number (123)")},
        {"call": "speaker.speak({toString})", "kind": "argument", "message": format!("Error: {speak} an object")},
        {"call": "speaker.speak()", "kind": "argument", "message": format!("Error: {speak} undefined")},
        {"call": "speaker.speak([1, 2, 3])", "kind": "argument", "message": format!("Error: {speak} an array")},
        {"call": "transcriber.on(5, fn)", "kind": "argument", "message": format!("Error: {event} a number (5)")},
        {"call": "transcriber.on({}, fn)", "kind": "argument", "message": format!("Error: {event} an object")},
        {"call": "transcriber.off(7)", "kind": "argument",
         "message": "Error: Transcriber.off(event, handler): expected an event name (a string, e.g. \"open\"), got \
                     a number (7)"},
        {"call": "transcriber.on('open', 'nope')", "kind": "argument",
         "message": "Error: Transcriber.on(event, handler): expected a function, got a string"},
        {"call": "speaker.volume = 11", "kind": "argument",
         "message": "Error: Speaker.volume: expected a number from 0 to 10, got a number (11)"},
        {"call": "transcriber.sendAudio(detached)", "kind": "argument",
         "message": "Error: Transcriber.sendAudio(data): expected audio bytes in a buffer that is still here (this \
                     one was transferred, e.g. by postMessage: send a copy), got binary data (an ArrayBuffer or a \
                     typed array)"},
        {"call": "transcriber.finalize() after free()", "kind": "state",
         "message": "Error: Transcriber.finalize(): this Transcriber was freed (free() was called): create a new one"},
        {"call": "speaker.flush() after free()", "kind": "state",
         "message": "Error: Speaker.flush(): this Speaker was freed (free() was called): create a new one"},
    ]);
    assert_eq!(report["fixed"], expected);

    let failures = report["failures"].as_array().unwrap();
    assert!(
        failures.is_empty(),
        "seed {}: {} failures:\n{}",
        report["seed"],
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        used.len() as u64,
        report["valueKinds"].as_u64().unwrap(),
        "every kind of value was used"
    );
    for (class, member) in [
        ("Speaker", "speak"),
        ("Speaker", "volume"),
        ("Transcriber", "on"),
        ("Transcriber", "off"),
        ("Transcriber", "sendAudio"),
        ("VoiceSession", "bargeIn"),
        ("VoiceSession", "free"),
    ] {
        assert!(
            members.contains_key(&format!("{class}.{member}")),
            "{class}.{member} was never called: {members:?}"
        );
    }

    // The module still works.
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": 16000}),
        json!({}),
    );
    let rec = Recorder::default();
    rec.attach(&t, &[Event::Transcript]);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    send_in_frames(&t, &dtmf_pcm16("471", 16000, 400), 640);
    await_promise(t.close_stream()).await.unwrap();
    assert_eq!(rec.final_words(), vec!["four", "seven", "one"]);

    let sp = Speaker::new(js(options["Speaker"].clone())).unwrap();
    let rec = Recorder::default();
    rec.attach_with(&[Event::PlaybackEnd], |n, f| {
        sp.on(JsValue::from(n), JsValue::from(f)).unwrap();
    });
    sp.speak(JsValue::from("1 2 3")).unwrap();
    let id = sp.flush().unwrap();
    rec.wait_for("playbackEnd", 1, 15_000).await;
    let end = &rec.of("playbackEnd")[0];
    assert_eq!(end["sequenceId"], json!(id));
    assert!(end["playedSamples"].as_u64().unwrap() > 0, "{end}");
    sp.release();
}
