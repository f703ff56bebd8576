//! `/v1/listen` over a real socket: transcripts of generated DTMF in every encoding at 8/16/48 kHz, every
//! message type and close code.

use std::time::{Duration, Instant};

use deepgram_live_server::codec::Encoding;
use deepgram_live_server::container::{wav_header, WavFormat};
use sha2::{Digest, Sha256};

use crate::common::*;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcripts_match_generated_dtmf_in_every_encoding_and_rate() {
    let s = start().await;
    for rate in [8000u32, 16000, 48000] {
        for enc in [
            Encoding::Linear16,
            Encoding::Linear32,
            Encoding::Mulaw,
            Encoding::Alaw,
        ] {
            let url = format!(
                "/v1/listen?model=nova-3&encoding={}&sample_rate={rate}&endpointing=300",
                enc.name()
            );
            let mut ws = s.connect(&url).await;
            let (audio, layout) = dtmf_audio("0123456789*#", rate, 500);
            let bytes = encoded(&audio, enc);
            let bytes_per_ms = rate as usize / 1000 * enc.bytes_per_sample();
            send_audio(&mut ws, &bytes, bytes_per_ms, 20).await;
            let events = close_stream_and_collect(&mut ws).await;
            let ctx = format!("{} @ {rate}", enc.name());
            let f = finals(&events);
            let all: Vec<_> = f.iter().flat_map(|r| words(r)).collect();
            assert_words_match(&all, &layout, &ctx);
            let transcript = f[0]["channel"]["alternatives"][0]["transcript"]
                .as_str()
                .unwrap();
            assert!(
                transcript.starts_with("zero one two"),
                "{ctx}: {transcript}"
            );
            assert_eq!(f[0]["metadata"]["model_info"]["name"], "general-nova-3");
            let meta = of_type(&events, "Metadata");
            assert_eq!(meta.len(), 1, "{ctx}");
            assert_eq!(meta[0]["sha256"], hex(&Sha256::digest(&bytes)), "{ctx}");
            let expected_secs = audio.len() as f64 / f64::from(rate);
            assert!(
                (meta[0]["duration"].as_f64().unwrap() - expected_secs).abs() < 1e-3,
                "{ctx}"
            );
            assert_eq!(
                events.last(),
                Some(&Event::Close(1000, String::new())),
                "{ctx}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_carry_every_field_in_wire_order() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000&interim_results=true")
        .await;
    let (audio, _) = dtmf_audio("5", 16000, 300);
    send_audio(&mut ws, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    let results = of_type(&events, "Results");
    assert!(results.iter().any(|r| r["is_final"] == false));
    let id = s.last_id().await;
    let sent = s.connection(id).await["sent_text"].clone();
    let first_final = sent
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .find(|t| t.contains("\"is_final\":true"))
        .unwrap()
        .to_string();
    let order = [
        "\"type\"",
        "\"channel_index\"",
        "\"duration\"",
        "\"start\"",
        "\"is_final\"",
        "\"speech_final\"",
        "\"channel\"",
        "\"metadata\"",
        "\"from_finalize\"",
    ];
    let positions: Vec<_> = order.iter().map(|k| first_final.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first_final}");
    for key in [
        "\"request_id\"",
        "\"model_info\"",
        "\"model_uuid\"",
        "\"transcript\"",
        "\"confidence\"",
        "\"punctuated_word\"",
    ] {
        assert!(first_final.contains(key), "{key} in {first_final}");
    }
    let r = finals(&events)[0];
    assert_eq!(
        r["metadata"]["request_id"],
        s.connection(id).await["request_id"]
    );
    assert_eq!(r["channel_index"], serde_json::json!([0, 1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interim_results_speech_started_and_utterance_end() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000&interim_results=true&vad_events=true&utterance_end_ms=1000&endpointing=200")
        .await;
    let (mut audio, _) = dtmf_audio("12", 16000, 1500);
    let (second, _) = dtmf_audio("3", 16000, 1500);
    audio.extend(second);
    send_audio(&mut ws, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    let started = of_type(&events, "SpeechStarted");
    assert_eq!(started.len(), 2, "{events:?}");
    assert!((started[0]["timestamp"].as_f64().unwrap()).abs() < 0.03);
    assert!((started[1]["timestamp"].as_f64().unwrap() - 1.9).abs() < 0.03);
    let ends = of_type(&events, "UtteranceEnd");
    assert_eq!(ends.len(), 2, "{events:?}");
    assert_eq!(ends[0]["channel"], serde_json::json!([0, 1]));
    assert!((ends[0]["last_word_end"].as_f64().unwrap() - 0.3).abs() < 0.03);
    let interims: Vec<_> = of_type(&events, "Results")
        .into_iter()
        .filter(|r| r["is_final"] == false)
        .collect();
    assert!(
        interims.iter().any(|r| words(r).is_empty()),
        "empty interims during silence"
    );
    assert!(
        interims.iter().any(|r| words(r).len() == 2),
        "interim restating both words"
    );
    let f = finals(&events);
    assert_eq!(f.len(), 2);
    assert!(f
        .iter()
        .all(|r| r["speech_final"] == true && r["from_finalize"] == false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finalize_gives_from_finalize_and_the_stream_stays_open() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=mulaw&sample_rate=8000&endpointing=false")
        .await;
    let (audio, layout) = dtmf_audio("47", 8000, 100);
    send_audio(&mut ws, &encoded(&audio, Encoding::Mulaw), 8, 20).await;
    send_text(&mut ws, r#"{"type":"Finalize"}"#).await;
    let e = next_event(&mut ws, Duration::from_secs(2)).await.unwrap();
    let Event::Json(r) = e else { panic!("{e:?}") };
    assert_eq!(r["from_finalize"], true);
    assert_eq!(r["is_final"], true);
    assert_words_match(&words(&r), &layout, "finalize");
    // Nothing buffered: no answer, and the stream is still usable.
    send_text(&mut ws, r#"{"type":"Finalize"}"#).await;
    assert!(next_event(&mut ws, Duration::from_millis(200))
        .await
        .is_none());
    let (audio, _) = dtmf_audio("9", 8000, 100);
    send_audio(&mut ws, &encoded(&audio, Encoding::Mulaw), 8, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(words(finals(&events)[0])[0].0, "nine");
    assert!(
        (words(finals(&events)[0])[0].1 - 0.5).abs() < 0.03,
        "times continue across Finalize"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_sends_incomplete_metadata_then_1011_net0001() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000")
        .await;
    send_audio(&mut ws, &[0u8; 3200], 32, 20).await;
    let t0 = Instant::now();
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_millis(1500),
        "{waited:?}"
    );
    let meta = of_type(&events, "Metadata");
    assert_eq!(meta[0]["sha256"], "incomplete");
    assert_eq!(meta[0]["channels"], 1);
    assert_eq!(meta[0]["models"].as_array().unwrap().len(), 1);
    let Some(Event::Close(code, reason)) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(*code, 1011);
    assert_eq!(
        reason,
        "Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001"
    );
    let id = s.last_id().await;
    let c = s.wait_closed(id).await;
    assert_eq!(c["close"]["code"], 1011);
    assert_eq!(c["close"]["by"], "server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keepalive_text_keeps_the_stream_open_and_binary_keepalive_is_audio() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000")
        .await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        send_text(&mut ws, r#"{"type":"KeepAlive"}"#).await;
    }
    // 1 s passed with a 500 ms idle timeout: still open, no reply to KeepAlive.
    assert!(next_event(&mut ws, Duration::from_millis(100))
        .await
        .is_none());
    let ka = br#"{"type":"KeepAlive"}"#;
    ws_send_binary(&mut ws, ka).await;
    let events = close_stream_and_collect(&mut ws).await;
    let meta = of_type(&events, "Metadata");
    assert_eq!(meta[0]["sha256"], hex(&Sha256::digest(ka)));
    assert_eq!(meta[0]["channels"], 1);
    let c = s.connection(s.last_id().await).await;
    assert_eq!(c["binary_bytes"], ka.len());
    assert_eq!(c["text_frames"].as_array().unwrap().len(), 5);
}

async fn ws_send_binary(ws: &mut Ws, b: &[u8]) {
    use futures_util::SinkExt;
    ws.send(tokio_tungstenite::tungstenite::Message::Binary(
        b.to_vec().into(),
    ))
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_stream_without_audio_gives_the_empty_hash() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000")
        .await;
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let meta = of_type(&events, "Metadata");
    assert_eq!(
        meta[0]["sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(meta[0]["channels"], 0);
    assert_eq!(meta[0]["transaction_key"], "deprecated");
    let created = meta[0]["created"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    assert_eq!(events[1], Event::Close(1000, String::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_text_messages_get_a_schema_error_and_the_stream_continues() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000")
        .await;
    for bad in ["hello", r#"{"type":"Shout"}"#, r#"[1,2]"#] {
        send_text(&mut ws, bad).await;
        let Some(Event::Json(e)) = next_event(&mut ws, Duration::from_secs(2)).await else {
            panic!()
        };
        assert_eq!(e["type"], "Error");
        assert_eq!(e["variant"], "SchemaError");
        assert_eq!(e["message"], bad);
        assert!(e["description"].as_str().unwrap().len() > 10);
    }
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multichannel_and_mixdown() {
    let s = start().await;
    let rate = 16000;
    let (left, l_layout) = dtmf_audio("12", rate, 800);
    let (right_tail, _) = dtmf_audio("3", rate, 300);
    let mut right = vec![0.0; left.len() - right_tail.len()];
    right.extend(right_tail);
    let mut inter = Vec::new();
    for (l, r) in left.iter().zip(&right) {
        inter.push(*l);
        inter.push(*r);
    }
    let bytes = encoded(&inter, Encoding::Linear16);
    let mut ws = s.connect("/v1/listen?encoding=linear16&sample_rate=16000&channels=2&multichannel=true&endpointing=150").await;
    send_audio(&mut ws, &bytes, 64, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    let f = finals(&events);
    let ch0: Vec<_> = f
        .iter()
        .filter(|r| r["channel_index"] == serde_json::json!([0, 2]))
        .flat_map(|r| words(r))
        .collect();
    let ch1: Vec<_> = f
        .iter()
        .filter(|r| r["channel_index"] == serde_json::json!([1, 2]))
        .flat_map(|r| words(r))
        .collect();
    assert_words_match(&ch0, &l_layout, "left");
    assert_eq!(
        ch1.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ["three"]
    );
    assert_eq!(of_type(&events, "Metadata")[0]["channels"], 2);

    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000&channels=2&endpointing=150")
        .await;
    send_audio(&mut ws, &bytes, 64, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    let f = finals(&events);
    assert!(f
        .iter()
        .all(|r| r["channel_index"] == serde_json::json!([0, 1])));
    let names: Vec<_> = f.iter().flat_map(|r| words(r)).map(|w| w.0).collect();
    assert_eq!(names, ["one", "two", "three"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_wav_decoded_webm_counted_garbage_data_0000() {
    let s = start().await;
    let rate = 16000;
    let (audio, layout) = dtmf_audio("58", rate, 300);
    let pcm = encoded(&audio, Encoding::Linear16);
    let mut wav = wav_header(
        WavFormat {
            encoding: Encoding::Linear16,
            sample_rate: rate,
            channels: 1,
        },
        pcm.len() as u32,
    );
    wav.extend_from_slice(&pcm);
    let mut ws = s.connect("/v1/listen?endpointing=100").await;
    send_audio(&mut ws, &wav, 32, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    let all: Vec<_> = finals(&events).iter().flat_map(|r| words(r)).collect();
    assert_words_match(&all, &layout, "wav");

    let mut ws = s.connect("/v1/listen").await;
    let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3];
    webm.extend(std::iter::repeat_n(7u8, 5000));
    send_audio(&mut ws, &webm, 100, 10).await;
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(finals(&events).len(), 0);
    let meta = of_type(&events, "Metadata");
    assert_eq!(meta[0]["sha256"], hex(&Sha256::digest(&webm)));
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));

    let mut ws = s.connect("/v1/listen").await;
    send_audio(&mut ws, b"definitely not audio", 100, 10).await;
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(of_type(&events, "Metadata").len(), 1);
    assert_eq!(events.last(), Some(&Event::Close(1008, "DATA-0000".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_close_is_recorded_and_audio_counted() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?encoding=linear16&sample_rate=16000")
        .await;
    send_audio(&mut ws, &[1u8; 6400], 32, 20).await;
    ws.close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
        code: normal_close(),
        reason: "bye".into(),
    }))
    .await
    .unwrap();
    let id = s.last_id().await;
    let c = s.wait_closed(id).await;
    assert_eq!(c["binary_frames"], 10);
    assert_eq!(c["binary_bytes"], 6400);
    assert_eq!(c["sha256"], hex(&Sha256::digest([1u8; 6400])));
    assert_eq!(
        c["close"],
        serde_json::json!({"code": 1000, "reason": "bye", "by": "client"})
    );
}

async fn next_json(ws: &mut Ws) -> serde_json::Value {
    match next_event(ws, Duration::from_secs(2)).await {
        Some(Event::Json(v)) => v,
        other => panic!("expected JSON, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_gets_one_reply_and_numerals_change_the_transcript() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?model=nova-3&encoding=linear16&sample_rate=16000&endpointing=300&keyterm=Aura")
        .await;
    let rid = s.connection(s.last_id().await).await["request_id"].clone();
    send_text(
        &mut ws,
        r#"{"type":"Configure","keyterms":["Deepgram"],"features":{"numerals":true}}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        serde_json::json!({"type":"ConfigureSuccess","request_id":rid,"keyterms":["Deepgram"]})
    );
    send_text(
        &mut ws,
        r#"{"type":"Configure","features":{"numerals":"on"}}"#,
    )
    .await;
    let failure = next_json(&mut ws).await;
    assert_eq!(failure["type"], "ConfigureFailure");
    assert_eq!(failure["request_id"], rid);
    let (audio, _) = dtmf_audio("42", 16000, 500);
    send_audio(&mut ws, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(
        finals(&events)[0]["channel"]["alternatives"][0]["transcript"],
        "4 2"
    );
    assert!(
        of_type(&events, "ConfigureSuccess").is_empty(),
        "one reply each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyterms_on_nova2_are_a_configure_failure_and_the_stream_goes_on() {
    let s = start().await;
    let mut ws = s
        .connect("/v1/listen?model=nova-2&encoding=linear16&sample_rate=16000")
        .await;
    send_text(&mut ws, r#"{"type":"Configure","keyterms":["Deepgram"]}"#).await;
    let failure = next_json(&mut ws).await;
    assert_eq!(failure["type"], "ConfigureFailure");
    assert_eq!(failure["code"], "KeytermsNotSupported");
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_limit_keyterms_get_no_reply_then_1011_net0000_after_the_configure_timeout() {
    let s = start_with(deepgram_live_server::Config {
        configure_timeout: Duration::from_millis(800),
        ..test_config()
    })
    .await;
    let mut ws = s
        .connect("/v1/listen?model=nova-3&encoding=linear16&sample_rate=16000&endpointing=100")
        .await;
    let terms: Vec<String> = (0..501).map(|i| format!("t{i}")).collect();
    let t0 = Instant::now();
    send_text(
        &mut ws,
        &serde_json::json!({"type":"Configure","keyterms":terms}).to_string(),
    )
    .await;
    // Audio keeps flowing (and the idle timer would have fired at 500 ms), but nothing comes back.
    let (audio, _) = dtmf_audio("1", 16000, 300);
    send_audio(&mut ws, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    let waited = t0.elapsed();
    let Some(Event::Close(1011, reason)) = events.last() else {
        panic!("{events:?}")
    };
    assert!(reason.contains("net0000"), "{reason}");
    assert_eq!(
        events.len(),
        1,
        "no Error, no Results, no Metadata: {events:?}"
    );
    assert!(
        waited >= Duration::from_millis(750) && waited < Duration::from_millis(2000),
        "{waited:?}"
    );
}
