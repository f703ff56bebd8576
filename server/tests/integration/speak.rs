//! `/v1/speak` over a real socket: Metadata, Speak/Flush/Flushed, pacing, Clear/Cleared, Close, the flush
//! rate limit, the character limit, the closes for frames that are not commands, no idle close but a
//! time limit, the `close` fault, every encoding and rate, and a speak → listen round trip.

use std::time::{Duration, Instant};

use deepgram_live_server::codec::Encoding;
use deepgram_live_server::config::Config;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

async fn expect_metadata(ws: &mut Ws) -> serde_json::Value {
    match next_event(ws, Duration::from_secs(2)).await {
        Some(Event::Json(v)) if v["type"] == "Metadata" => v,
        other => panic!("expected Metadata, got {other:?}"),
    }
}

/// Reads until the first `Flushed`; returns the audio bytes, frame sizes and frame arrival times.
async fn read_flush(ws: &mut Ws) -> (Vec<u8>, Vec<usize>, Vec<Instant>, serde_json::Value) {
    let mut audio = Vec::new();
    let mut sizes = Vec::new();
    let mut times = Vec::new();
    loop {
        match next_event(ws, Duration::from_secs(5)).await {
            Some(Event::Binary(b)) => {
                sizes.push(b.len());
                times.push(Instant::now());
                audio.extend(b);
            }
            Some(Event::Json(v)) if v["type"] == "Flushed" => return (audio, sizes, times, v),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_on_open_has_the_real_shape() {
    let s = start().await;
    let (mut ws, resp) = s
        .connect_with(
            "/v1/speak?model=aura-2-thalia-en",
            &[("Sec-WebSocket-Protocol", "token, k")],
        )
        .await
        .unwrap();
    let m = expect_metadata(&mut ws).await;
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/speak-metadata_gosdk_unittest_live_aura_asteria.json"
    ))
    .unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&m), keys(&fixture));
    assert_eq!(m["model_name"], "aura-2-thalia-en");
    assert_eq!(
        m["request_id"],
        resp.headers()["dg-request-id"].to_str().unwrap()
    );
    assert_eq!(m["additional_model_uuids"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_encoding_and_rate_speaks_the_digits() {
    let s = start_with(Config {
        tts_speed: 50.0,
        ..test_config()
    })
    .await;
    let cases = [
        (
            Encoding::Linear16,
            vec![8000u32, 16000, 24000, 32000, 48000],
        ),
        (Encoding::Mulaw, vec![8000, 16000]),
        (Encoding::Alaw, vec![8000, 16000]),
    ];
    for (enc, rates) in cases {
        for rate in rates {
            let mut ws = s
                .connect(&format!(
                    "/v1/speak?encoding={}&sample_rate={rate}",
                    enc.name()
                ))
                .await;
            expect_metadata(&mut ws).await;
            send_text(&mut ws, r#"{"type":"Speak","text":"Dial 4, then seven "}"#).await;
            send_text(&mut ws, r#"{"type":"Speak","text":"and 2#."}"#).await;
            send_text(&mut ws, r#"{"type":"Flush"}"#).await;
            let (audio, sizes, _, flushed) = read_flush(&mut ws).await;
            assert_eq!(flushed["sequence_id"], 0);
            let frame = (rate / 50) as usize * enc.bytes_per_sample();
            assert!(
                sizes[..sizes.len() - 1].iter().all(|n| *n == frame),
                "{sizes:?}"
            );
            let samples = decode(&audio, enc);
            let got: Vec<_> = dtmf::detect_all(&samples, rate)
                .into_iter()
                .map(|d| d.key.word())
                .collect();
            assert_eq!(
                got,
                ["four", "seven", "two", "pound"],
                "{} {rate}",
                enc.name()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_is_paced_at_the_configured_speed() {
    let s = start_with(Config {
        tts_speed: 4.0,
        tts_frame_ms: 20,
        ..test_config()
    })
    .await;
    let mut ws = s
        .connect("/v1/speak?encoding=linear16&sample_rate=8000")
        .await;
    expect_metadata(&mut ws).await;
    // 10 digits: 1.6 s of audio, so 400 ms at 4x.
    send_text(&mut ws, r#"{"type":"Speak","text":"0123456789"}"#).await;
    let t0 = Instant::now();
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let (audio, sizes, times, _) = read_flush(&mut ws).await;
    let elapsed = t0.elapsed();
    assert_eq!(audio.len(), 25_600);
    assert_eq!(sizes.len(), 80);
    assert!(
        elapsed >= Duration::from_millis(350) && elapsed < Duration::from_millis(1200),
        "{elapsed:?}"
    );
    let span = *times.last().unwrap() - times[0];
    assert!(span >= Duration::from_millis(330), "{span:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_stops_within_a_frame_and_ids_are_shared() {
    let s = start_with(Config {
        tts_speed: 1.0,
        ..test_config()
    })
    .await;
    let mut ws = s
        .connect("/v1/speak?encoding=linear16&sample_rate=16000")
        .await;
    expect_metadata(&mut ws).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await; // nothing buffered: acknowledged at once
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    assert_eq!(v, serde_json::json!({"type": "Flushed", "sequence_id": 0}));
    send_text(&mut ws, r#"{"type":"Speak","text":"1234567890"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    // Let a few frames play (real time), then barge in.
    for _ in 0..5 {
        assert!(matches!(
            next_event(&mut ws, Duration::from_secs(2)).await,
            Some(Event::Binary(_))
        ));
    }
    send_text(&mut ws, r#"{"type":"Speak","text":"999"}"#).await;
    send_text(&mut ws, r#"{"type":"Clear"}"#).await;
    let mut frames_after = 0;
    let cleared = loop {
        match next_event(&mut ws, Duration::from_secs(2)).await {
            Some(Event::Binary(_)) => frames_after += 1,
            Some(Event::Json(v)) => break v,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        cleared,
        serde_json::json!({"type": "Cleared", "sequence_id": 1})
    );
    assert!(frames_after <= 1, "{frames_after} frames after Clear");
    assert!(
        next_event(&mut ws, Duration::from_millis(150))
            .await
            .is_none(),
        "no audio after Cleared"
    );
    // The text before Clear is gone: the next flush speaks only what follows.
    send_text(&mut ws, r#"{"type":"Speak","text":"5"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let (audio, _, _, flushed) = read_flush(&mut ws).await;
    assert_eq!(flushed["sequence_id"], 2);
    let got: Vec<_> = dtmf::detect_all(&decode(&audio, Encoding::Linear16), 16000)
        .into_iter()
        .map(|d| d.key.word())
        .collect();
    assert_eq!(got, ["five"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excessive_flushes_warn_and_are_ignored() {
    let s = start_with(Config {
        tts_speed: 1000.0,
        ..test_config()
    })
    .await;
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    for _ in 0..20 {
        send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    }
    send_text(&mut ws, r#"{"type":"Speak","text":"3"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let mut flushed = Vec::new();
    let warning = loop {
        match next_event(&mut ws, Duration::from_secs(2)).await {
            Some(Event::Json(v)) if v["type"] == "Flushed" => {
                flushed.push(v["sequence_id"].as_u64().unwrap())
            }
            Some(Event::Json(v)) if v["type"] == "Warning" => break v,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(flushed, (0..20).collect::<Vec<_>>());
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/speak-warning_excessive_flush_pysdk_issue617.json"
    ))
    .unwrap();
    assert_eq!(warning, fixture);
    // A Clear still gets the next id (the ignored Flush took none), and the text was kept until then.
    send_text(&mut ws, r#"{"type":"Clear"}"#).await;
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    assert_eq!(v, serde_json::json!({"type": "Cleared", "sequence_id": 20}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_message_closes_1000_promptly() {
    let s = start_with(Config {
        tts_speed: 1.0,
        ..test_config()
    })
    .await;
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    send_text(&mut ws, r#"{"type":"Speak","text":"123456789"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let t0 = Instant::now();
    send_text(&mut ws, r#"{"type":"Close"}"#).await;
    let events = collect_until_close(&mut ws, Duration::from_secs(2)).await;
    assert!(t0.elapsed() < Duration::from_millis(300));
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
    let c = s.wait_closed(s.last_id().await).await;
    assert_eq!(c["close"]["by"], "server");
    assert_eq!(c["text_frames"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_frame_closes_1003_message_0000() {
    let s = start().await;
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    let events = collect_until_close(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(
        events,
        vec![Event::Close(1003, "MESSAGE-0000".into())],
        "no Warning first"
    );
    let c = s.wait_closed(s.last_id().await).await;
    assert_eq!(c["close"]["code"], 1003);
    assert_eq!(c["close"]["by"], "server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_that_is_not_a_command_closes_1008_data_0000() {
    let s = start().await;
    for bad in ["not json", r#"{"type":"Sing"}"#, r#"{"type":"Speak"}"#] {
        let mut ws = s.connect("/v1/speak").await;
        expect_metadata(&mut ws).await;
        send_text(&mut ws, bad).await;
        let events = collect_until_close(&mut ws, Duration::from_secs(2)).await;
        assert_eq!(
            events,
            vec![Event::Close(1008, "DATA-0000".into())],
            "{bad}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_2400_characters_a_minute_closes_1008_data_0001() {
    let s = start().await;
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    let chunk = serde_json::json!({"type": "Speak", "text": "a".repeat(1200)}).to_string();
    send_text(&mut ws, &chunk).await;
    send_text(&mut ws, &chunk).await; // 2400: still fine
    send_text(&mut ws, r#"{"type":"Clear"}"#).await;
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    assert_eq!(v["type"], "Cleared");
    send_text(&mut ws, r#"{"type":"Speak","text":"1"}"#).await;
    let events = collect_until_close(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(events, vec![Event::Close(1008, "DATA-0001".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speak_has_no_idle_close_but_a_time_limit_closes_1011_net_0003() {
    let s = start_with(Config {
        speak_max_duration: Duration::from_millis(1500),
        ..test_config()
    })
    .await; // listen idle timeout 500 ms
    let t0 = Instant::now();
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    // Three idle timeouts' worth of silence from the client: still open.
    assert!(next_event(&mut ws, Duration::from_millis(1200))
        .await
        .is_none());
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(1)).await else {
        panic!()
    };
    assert_eq!(v["type"], "Flushed");
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(events, vec![Event::Close(1011, "NET-0003".into())]);
    let lived = t0.elapsed();
    assert!(
        lived >= Duration::from_millis(1400) && lived < Duration::from_millis(2500),
        "{lived:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_fault_still_closes_a_speak_connection() {
    let s = start().await;
    let mut ws = s.connect("/v1/speak").await;
    let id = s.last_id().await;
    expect_metadata(&mut ws).await;
    s.fault(&format!(
        r#"{{"connection":{id},"fault":{{"kind":"close","code":1011,"reason":"NET-0001","after_ms":100}}}}"#
    ))
    .await;
    let events = collect_until_close(&mut ws, Duration::from_secs(2)).await;
    assert_eq!(events, vec![Event::Close(1011, "NET-0001".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_only_parameters_are_refused_with_400() {
    let s = start().await;
    for (q, param) in [
        ("/v1/speak?bit_rate=32000", "bit_rate"),
        ("/v1/speak?encoding=linear16&container=wav", "container"),
    ] {
        match s.connect_with(q, &[("Authorization", "Token k")]).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert_eq!(r.status().as_u16(), 400);
                let dg_error = r.headers()["dg-error"].to_str().unwrap();
                assert!(dg_error.contains(&format!("`{param}`")), "{dg_error}");
                assert!(dg_error.contains("REST"), "{dg_error}");
            }
            other => panic!("{q}: expected a 400, got {:?}", other.map(|_| ())),
        }
    }
    // `container=none` is what the WebSocket sends anyway (docs/tts-container).
    assert!(s
        .connect_with("/v1/speak?container=none", &[("Authorization", "Token k")])
        .await
        .is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speak_audio_fed_to_listen_transcribes_back() {
    let s = start_with(Config {
        tts_speed: 100.0,
        ..test_config()
    })
    .await;
    let mut speak = s
        .connect("/v1/speak?encoding=linear16&sample_rate=16000")
        .await;
    expect_metadata(&mut speak).await;
    send_text(
        &mut speak,
        r#"{"type":"Speak","text":"Your code is 8 6 one star."}"#,
    )
    .await;
    send_text(&mut speak, r#"{"type":"Flush"}"#).await;
    let (audio, _, _, _) = read_flush(&mut speak).await;
    let mut listen = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000&endpointing=300")
        .await;
    send_audio(&mut listen, &audio, 32, 20).await;
    let events = close_stream_and_collect(&mut listen).await;
    let f = finals(&events);
    assert_eq!(
        f[0]["channel"]["alternatives"][0]["transcript"],
        "eight six one star"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_at_the_default_speed_stops_promptly() {
    let s = start().await; // 4x, 20 ms frames: one frame every 5 ms
    let mut ws = s
        .connect("/v1/speak?encoding=linear16&sample_rate=48000")
        .await;
    expect_metadata(&mut ws).await;
    send_text(&mut ws, r#"{"type":"Speak","text":"12345678901234567890"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    for _ in 0..10 {
        assert!(matches!(
            next_event(&mut ws, Duration::from_secs(2)).await,
            Some(Event::Binary(_))
        ));
    }
    send_text(&mut ws, r#"{"type":"Clear"}"#).await;
    let mut frames_after = 0;
    loop {
        match next_event(&mut ws, Duration::from_secs(2)).await {
            Some(Event::Binary(_)) => frames_after += 1,
            Some(Event::Json(v)) => {
                assert_eq!(v, serde_json::json!({"type": "Cleared", "sequence_id": 0}));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    // 160 frames were queued; only those already on their way may arrive.
    assert!(frames_after <= 3, "{frames_after} frames after Clear");
    let c = s.connection(s.last_id().await).await;
    assert!(
        c["sent_binary_frames"].as_u64().unwrap() < 20,
        "{}",
        c["sent_binary_frames"]
    );
}
