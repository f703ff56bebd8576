//! Option bags and arguments from JavaScript: every bad value is a real `Error` with `kind: "options"` whose
//! message names the bag, the field, what was wrong and what to write instead. The messages are pinned: they are
//! what an app developer reads.

use deepgram_live_wasm::api::{Speaker, Transcriber, VoiceSession};
use js_sys::Reflect;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

/// The `kind` and message of what `f` threw, checking it is a real `Error`.
fn thrown(e: JsValue) -> (String, String) {
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    error_kind(&e)
}

fn transcriber_error(bag: JsValue) -> (String, String) {
    thrown(
        Transcriber::new(bag)
            .err()
            .expect("the constructor accepted a bad bag"),
    )
}

#[wasm_bindgen_test]
fn transcriber_bags_are_checked_with_paths_and_suggestions() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"keepAlive": 1000}),
            "Transcriber options: unknown Transcriber option \"keepAlive\": did you mean \"keepAliveMs\"?",
        ),
        (
            json!({"options": {"modle": "nova-3"}}),
            "Transcriber options.options: unknown listen option \"modle\": did you mean \"model\"? (use \
             \"extra_query\" for parameters this version does not know)",
        ),
        (
            json!({"options": {"model": "nova-3", "keyterm": ["a", 3]}}),
            "Transcriber options.options.keyterm[1]: invalid type: floating point `3.0`, expected a string",
        ),
        (
            json!({"options": {"interim_results": "true"}}),
            "Transcriber options.options.interim_results: invalid type: string \"true\", expected a boolean",
        ),
        (
            json!({"options": {"redact": ["pii", "cardinal"]}}),
            "Transcriber options.options.redact[1]: \"cardinal\" is an entity type that detect_entities finds but \
             redact cannot remove (Deepgram refuses it): use a group (pii, phi, pci, numbers) or another entity type",
        ),
        (
            json!({"frameMs": 5}),
            "Transcriber options.frameMs: invalid value: integer `5`, expected a whole number from 10 to 100",
        ),
        (
            json!({"reconnect": {"attempts": 2.5}}),
            "Transcriber options.reconnect.attempts: invalid value: floating point `2.5`, expected a whole number \
             from 0 to 100",
        ),
        (
            json!({"microphone": {"deviceID": "x"}}),
            "Transcriber options.microphone: unknown microphone option \"deviceID\": did you mean \"deviceId\"?",
        ),
        (
            json!({"baseUrl": "ftp://x"}),
            "Transcriber options.baseUrl: invalid baseUrl: the scheme must be wss, ws, https or http",
        ),
        (
            json!([1, 2]),
            "Transcriber options: expected an object such as {\"key\": value}, not a list",
        ),
        (
            json!(5),
            "Transcriber options: expected an object such as {\"key\": value}, not a value",
        ),
    ];
    for (bag, message) in cases {
        assert_eq!(
            transcriber_error(js(bag.clone())),
            ("options".to_owned(), message.to_owned()),
            "{bag}"
        );
    }
    // No bag, an empty one, and nulls are the defaults.
    assert!(Transcriber::new(JsValue::UNDEFINED).is_ok());
    assert!(Transcriber::new(js(
        json!({"options": null, "auth": null, "reconnect": null})
    ))
    .is_ok());
}

#[wasm_bindgen_test]
fn a_credential_in_the_wrong_place_is_never_echoed() {
    for bag in [
        json!({"auth": "sk-SECRET-key"}),
        json!({"auth": {"apiKey": {"key": "sk-SECRET-key"}}}),
        json!({"auth": {"accessToken": ["eyJ.SECRET.sig"]}}),
        json!({"auth": {"apiKey": "sk-SECRET key"}}),
    ] {
        let (kind, message) = transcriber_error(js(bag.clone()));
        assert_eq!(kind, "options");
        assert!(message.starts_with("Transcriber options.auth"), "{message}");
        assert!(!message.contains("SECRET"), "{bag}: {message}");
    }
}

#[wasm_bindgen_test]
fn speaker_and_voice_session_bags() {
    let speaker = |bag: JsValue| thrown(Speaker::new(bag).err().expect("accepted"));
    assert_eq!(
        speaker(js(json!({"options": {"sampleRate": 8000}}))),
        (
            "options".to_owned(),
            "Speaker options.options: unknown speak option \"sampleRate\": did you mean \"sample_rate\"? (use \
             \"extra_query\" for parameters this version does not know)"
                .to_owned()
        )
    );
    assert_eq!(
        speaker(js(json!({"volume": 11}))).1,
        "Speaker options.volume: invalid value: integer `11`, expected a number from 0 to 10"
    );
    // Browser objects are checked for what they are.
    let bag = js(json!({}));
    Reflect::set(&bag, &"audioContext".into(), &js(json!({}))).unwrap();
    assert_eq!(
        speaker(bag).1,
        "Speaker options.audioContext: expected an instance of AudioContext"
    );
    let bag = js(json!({"destination": 5}));
    assert_eq!(
        speaker(bag).1,
        "Speaker options.destination: expected an instance of AudioNode"
    );
    let voice = |bag: Value| thrown(VoiceSession::new(js(bag)).err().expect("accepted"));
    assert_eq!(
        voice(json!({"listen": {"modle": "x"}})).1,
        "VoiceSession options.listen: unknown listen option \"modle\": did you mean \"model\"? (use \
         \"extra_query\" for parameters this version does not know)"
    );
    assert_eq!(
        voice(json!({"worklet": "/w.js"})).1,
        "VoiceSession options.worklet: a URL names one worklet file and a VoiceSession loads two: use \"file\" \
         or \"blob\" (or give each half its own with a Transcriber and a Speaker)"
    );
}

#[wasm_bindgen_test]
async fn events_and_start_arguments() {
    let t = Transcriber::new(JsValue::UNDEFINED).unwrap();
    let f = js_sys::Function::new_no_args("");
    let (kind, message) = thrown(
        t.on(JsValue::from("transcrpt"), JsValue::from(f.clone()))
            .err()
            .expect("accepted"),
    );
    assert_eq!(kind, "argument");
    assert_eq!(
        message,
        "Transcriber.on/off: unknown event \"transcrpt\": use one of open, close, error, warning, metadata, \
         unhandled, reconnecting, reconnected, transcript, utteranceEnd, speechStarted, level, configureSuccess, \
         configureFailure"
    );
    for (source, message) in [
        (
            json!({"microphon": true}),
            "start(source): unknown source option \"microphon\": did you mean \"microphone\"?",
        ),
        (
            json!({"microphone": true, "stream": {}}),
            "start(source): give one of microphone, stream or node",
        ),
        (
            json!({"stream": {}}),
            "start(source).stream: expected an instance of MediaStream",
        ),
    ] {
        let e = await_promise(t.start(js(source.clone())))
            .await
            .unwrap_err();
        assert_eq!(
            thrown(e),
            ("options".to_owned(), message.to_owned()),
            "{source}"
        );
    }
    assert_eq!(t.state(), "idle", "a refused start() opens nothing");
}

/// A JS value made by `body` (a function body returning it).
fn made(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

#[wasm_bindgen_test]
fn bags_are_copied_first_so_their_getters_and_traps_cannot_break_a_read() {
    for (body, message) in [
        (
            "return { get baseUrl() { throw new Error('boom'); } }",
            "Transcriber options.baseUrl: reading it threw Error: boom",
        ),
        (
            "return { options: new Proxy({}, { ownKeys() { throw new TypeError('no keys'); } }) }",
            "Transcriber options.options: listing its keys threw TypeError: no keys",
        ),
        (
            "const o = { options: {} }; o.options.again = o; return o;",
            "Transcriber options.options.again: refers back to an object that contains it (a cycle)",
        ),
        (
            "return { options: { model: () => 'nova-3' } }",
            "Transcriber options.options.model: is a function: option values are data (strings, numbers, booleans, \
             objects, arrays) or an AudioContext, AudioNode or MediaStream",
        ),
    ] {
        assert_eq!(
            transcriber_error(made(body)),
            ("options".to_owned(), message.to_owned()),
            "{body}"
        );
    }
    let deep = made("let v = {}; for (let i = 0; i < 40; i++) v = { options: v }; return v;");
    assert_eq!(
        transcriber_error(deep).1,
        format!(
            "Transcriber options{}: is nested more than 32 levels deep",
            ".options".repeat(32)
        )
    );
    // An object shared by many fields is copied once: 3^25 paths, one copy each.
    let shared = made(
        "let v = {}; for (let i = 0; i < 25; i++) v = { a: v, b: v, c: v }; return { options: v };",
    );
    assert_eq!(
        transcriber_error(shared).1,
        "Transcriber options.options: unknown listen option \"a\" (use \"extra_query\" for parameters this version \
         does not know)"
    );
}
