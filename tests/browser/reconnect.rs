//! Zero loss across dropped connections, in the browser against the real server: the server drops the TCP
//! connection (no close frame) two dozen times, mid-word and mid-gap, while DTMF digits stream in; every digit
//! comes back exactly once, in order, at its time, and the stream still ends with the final Metadata.

use dtmf::{Key, ToneSpec};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::listen::{send_in_frames, transcriber};
use crate::support::*;

const RATE: u32 = 16_000;
const BYTES_PER_SECOND: f64 = 32_000.0;
const ABORTS: usize = 24;

/// Bytes the server takes on connection `i` before it drops it: 0.25 to 0.75 s of audio, spread so that the
/// drops fall in tones and in gaps (each connection first gets the replay, under 0.2 s here).
fn abort_after(i: usize) -> u64 {
    8000 + ((i as u64 * 7919 * 2) % 16_000)
}

#[wasm_bindgen_test]
async fn two_dozen_drops_lose_and_double_no_digit() {
    control_post("/_control/reset", json!({})).await;
    let keys_text: String = "1234567890".repeat(8);
    let keys: Vec<Key> = keys_text.chars().filter_map(Key::from_char).collect();
    let spec = ToneSpec {
        tone_ms: 100,
        gap_ms: 100,
        amplitude: 0.5,
    };
    let mut samples = dtmf::synthesize(&keys, &spec, RATE);
    samples.extend(std::iter::repeat_n(0.0, RATE as usize / 2));
    let audio = pcm16(&samples);
    let layout = dtmf::tone_layout(&keys, &spec, RATE);
    let in_tone = |seconds: f64| {
        let at = (seconds * f64::from(RATE)) as u64;
        layout
            .iter()
            .any(|p| p.start_sample <= at && at < p.end_sample)
    };

    fault_next(
        "/v1/listen",
        json!({"kind": "abort", "after_audio_bytes": abort_after(0)}),
    )
    .await;
    let t = transcriber(
        json!({"model": "nova-3", "encoding": "linear16", "sample_rate": RATE, "endpointing": 100}),
        json!({"reconnect": {"attempts": 5, "delayMs": 50}}),
    );
    let rec = Recorder::default();
    rec.attach(&t, TRANSCRIBER_EVENTS);
    await_promise(t.start(JsValue::UNDEFINED)).await.unwrap();
    // Real-time pace, 20 ms frames; each connection that opens arms the drop of the next one.
    let mut armed = 1;
    for chunk in audio.chunks(640) {
        if armed < ABORTS && rec.count("open") >= armed {
            fault_next(
                "/v1/listen",
                json!({"kind": "abort", "after_audio_bytes": abort_after(armed)}),
            )
            .await;
            armed += 1;
        }
        send_in_frames(&t, chunk, 640);
        sleep(20).await;
    }
    let meta = await_promise(t.close_stream()).await;
    assert!(
        meta.is_ok(),
        "closeStream() resolves with the final Metadata: {:?}",
        rec.events.borrow()
    );

    // Every digit exactly once, in order.
    let expected: Vec<String> = keys.iter().map(|k| k.word().to_string()).collect();
    assert_eq!(rec.final_words(), expected, "{:?}", rec.of("reconnected"));
    let drops = rec.count("reconnecting");
    assert!(drops >= 20, "{drops} drops: {:?}", rec.events.borrow());
    assert_eq!(rec.count("reconnected"), drops);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    assert!(
        rec.of("warning")
            .iter()
            .all(|w| w["code"] != "replay_truncated"),
        "{:?}",
        rec.of("warning")
    );

    // Times continuous: each new connection starts where the last final of the dropped one ended, and every
    // digit's time (its start + the connection's timeOffset) is where it was spoken.
    let (mut offset, mut final_end) = (0.0f64, 0.0f64);
    let (mut mid_word, mut mid_gap) = (0, 0);
    let mut connection = 0;
    let mut heard = Vec::new();
    for (name, v) in rec.events.borrow().iter() {
        match name.as_str() {
            "transcript" if v["is_final"] == true => {
                final_end = offset + v["start"].as_f64().unwrap() + v["duration"].as_f64().unwrap();
                for w in v["channel"]["alternatives"][0]["words"].as_array().unwrap() {
                    heard.push(offset + w["start"].as_f64().unwrap());
                }
            }
            "reconnecting" => {
                // Where the server dropped it: its offset plus the bytes it took.
                let at = offset + abort_after(connection) as f64 / BYTES_PER_SECOND;
                if in_tone(at) {
                    mid_word += 1;
                } else {
                    mid_gap += 1;
                }
            }
            "reconnected" => {
                connection += 1;
                offset = v["timeOffset"].as_f64().unwrap();
                assert!(
                    (offset - final_end).abs() < 0.001,
                    "connection {connection} starts at {offset} s, the last final ended at {final_end} s"
                );
                assert!(v["replayedMs"].as_f64().unwrap() >= 0.0, "{v}");
            }
            _ => {}
        }
    }
    for (i, (start, placed)) in heard.iter().zip(&layout).enumerate() {
        let spoken = placed.start_sample as f64 / f64::from(RATE);
        assert!(
            (start - spoken).abs() < 0.03,
            "digit {i} at {start} s, spoken at {spoken} s"
        );
    }
    assert!(
        mid_word >= 3 && mid_gap >= 3,
        "drops mid-word {mid_word}, mid-gap {mid_gap}"
    );

    // Each byte counted sent once, the replays on top, nothing dropped.
    let stats = stats_json(t.stats());
    assert_eq!(stats["sentBytes"], Value::from(audio.len()), "{stats}");
    assert!(stats["replayedBytes"].as_u64().unwrap() > 0, "{stats}");
    assert_eq!(stats["droppedBytes"], 0, "{stats}");
    assert_eq!(stats["unreplayedBytes"], 0, "{stats}");
    web_sys::console::log_1(
        &format!(
            "two_dozen_drops: {drops} drops ({mid_word} mid-word, {mid_gap} mid-gap), {} digits, {:.2} s replayed",
            heard.len(),
            stats["replayedBytes"].as_f64().unwrap() / BYTES_PER_SECOND
        )
        .into(),
    );
}
