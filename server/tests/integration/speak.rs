//! `/v1/speak` over a real socket: Metadata, Speak/Flush/Flushed, pacing, Clear/Cleared, Close, the flush
//! rate limit, every encoding and rate, and a speak → listen round trip.

use std::time::{Duration, Instant};

use deepgram_live_server::codec::Encoding;
use deepgram_live_server::config::Config;

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
async fn invalid_messages_get_a_warning() {
    let s = start().await;
    let mut ws = s.connect("/v1/speak").await;
    expect_metadata(&mut ws).await;
    send_text(&mut ws, r#"{"type":"Sing"}"#).await;
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    assert_eq!(v["type"], "Warning");
    assert!(v["warn_msg"].as_str().unwrap().contains("Sing"));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speak_idle_timeout_waits_for_queued_audio() {
    let s = start_with(Config {
        tts_speed: 1.0,
        ..test_config()
    })
    .await; // idle timeout 500 ms
    let mut ws = s.connect("/v1/speak?encoding=mulaw").await;
    expect_metadata(&mut ws).await;
    send_text(&mut ws, r#"{"type":"Speak","text":"12345"}"#).await; // 800 ms of audio
    let t0 = Instant::now();
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let (audio, _, _, _) = read_flush(&mut ws).await;
    assert_eq!(audio.len(), 6400);
    assert!(
        t0.elapsed() >= Duration::from_millis(700),
        "paced at real time"
    );
    let t1 = Instant::now();
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    let idle = t1.elapsed();
    assert!(
        idle >= Duration::from_millis(400) && idle < Duration::from_millis(1500),
        "{idle:?}"
    );
    let Some(Event::Close(1011, reason)) = events.last() else {
        panic!("{events:?}")
    };
    assert!(reason.contains("net0001"));
}
