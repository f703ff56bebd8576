//! The control API: health, reset, records, CORS, and every fault kind (with the proof that a fault on
//! one connection leaves another working).

use std::time::{Duration, Instant};

use deepgram_live_server::codec::Encoding;
use deepgram_live_server::config::Config;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::common::*;

const LISTEN: &str = "/v1/listen?encoding=linear16&sample_rate=16000&endpointing=100";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reset_records_and_cors() {
    let s = start().await;
    assert_eq!(
        s.control_json("GET", "/_control/health", None).await,
        serde_json::json!({"ok": true})
    );
    let r = s
        .http_with(
            "OPTIONS",
            "/_control/faults",
            None,
            &[
                ("Origin", "http://localhost:9999"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
        )
        .await;
    assert!(r.status == 204 || r.status == 200, "{}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let r = s.http("GET", "/_control/connections", None).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("content-type"), Some("application/json"));

    let mut a = s.connect(LISTEN).await;
    let mut b = s.connect("/v1/speak?encoding=mulaw").await;
    send_text(&mut a, r#"{"type":"KeepAlive"}"#).await;
    send_audio(&mut a, &[0u8; 640], 32, 20).await;
    let _ = next_event(&mut b, Duration::from_secs(1)).await; // speak Metadata
    let v = s.control_json("GET", "/_control/connections", None).await;
    let list = v["connections"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["path"], "/v1/listen");
    assert_eq!(list[1]["path"], "/v1/speak");
    assert!(list[0]["id"].as_u64().unwrap() < list[1]["id"].as_u64().unwrap());
    let id_a = list[0]["id"].as_u64().unwrap();
    let id_b = list[1]["id"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let ca = s.connection(id_a).await;
    assert_eq!(
        ca["text_frames"],
        serde_json::json!([r#"{"type":"KeepAlive"}"#])
    );
    assert_eq!(ca["binary_frames"], 1);
    assert_eq!(ca["open"], true);
    assert_eq!(ca["close"], serde_json::Value::Null);
    let cb = s.connection(id_b).await;
    assert_eq!(cb["sent_text"].as_array().unwrap().len(), 1);
    assert!(cb["sent_text"][0]
        .as_str()
        .unwrap()
        .contains("\"Metadata\""));
    assert_eq!(cb["sent_binary_frames"], 0);

    let r = s.http("GET", "/_control/connections/9999", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["ok"],
        false
    );

    // Reset forgets finished connections only.
    let events = close_stream_and_collect(&mut a).await;
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
    s.wait_closed(id_a).await;
    assert_eq!(
        s.control_json("POST", "/_control/reset", None).await,
        serde_json::json!({"ok": true})
    );
    let v = s.control_json("GET", "/_control/connections", None).await;
    let ids: Vec<_> = v["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![id_b]);
    assert_eq!(
        s.http("GET", &format!("/_control/connections/{id_a}"), None)
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_fault_requests_are_explained() {
    let s = start().await;
    for (body, status) in [
        ("{", 400),
        (r#"{"connection":"next","fault":{"kind":"explode"}}"#, 400),
        (
            r#"{"connection":"next","fault":{"kind":"close","code":1006}}"#,
            400,
        ),
        (
            r#"{"connection":"next","path":"/v2/listen","fault":{"kind":"stop_reading"}}"#,
            400,
        ),
        (
            r#"{"connection":"later","fault":{"kind":"stop_reading"}}"#,
            400,
        ),
        (r#"{"connection":42,"fault":{"kind":"stop_reading"}}"#, 404),
    ] {
        let r = s.http("POST", "/_control/faults", Some(body)).await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["ok"], false);
        assert!(v["error"].as_str().unwrap().len() > 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuse_handshake_applies_to_the_next_matching_path_once() {
    let s = start().await;
    s.fault(r#"{"connection":"next","path":"/v1/speak","fault":{"kind":"refuse_handshake","status":429}}"#).await;
    assert!(
        s.connect_with(LISTEN, &[("Authorization", "Token k")])
            .await
            .is_ok(),
        "other path unaffected"
    );
    match s
        .connect_with("/v1/speak", &[("Authorization", "Token k")])
        .await
    {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status().as_u16(), 429);
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap()).unwrap();
            assert_eq!(body["err_code"], "TOO_MANY_REQUESTS");
            assert!(r.headers().get("dg-error").is_some());
            assert_eq!(
                body["request_id"],
                r.headers()["dg-request-id"].to_str().unwrap()
            );
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert!(
        s.connect_with("/v1/speak", &[("Authorization", "Token k")])
            .await
            .is_ok(),
        "only once"
    );
    for status in [401, 402, 403, 503] {
        s.fault(&format!(r#"{{"connection":"next","path":null,"fault":{{"kind":"refuse_handshake","status":{status}}}}}"#)).await;
        match s
            .connect_with(LISTEN, &[("Authorization", "Token k")])
            .await
        {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                assert_eq!(r.status().as_u16(), status)
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_after_ms_drops_the_tcp_connection_and_others_keep_working() {
    let s = start().await;
    let mut other = s.connect(LISTEN).await;
    s.fault(r#"{"connection":"next","path":"/v1/listen","fault":{"kind":"abort","after_ms":100}}"#)
        .await;
    let mut victim = s.connect(LISTEN).await;
    let id = s.last_id().await;
    let t0 = Instant::now();
    let events = collect_until_close(&mut victim, Duration::from_secs(3)).await;
    assert_eq!(events.last(), Some(&Event::Dropped), "{events:?}");
    assert!(t0.elapsed() < Duration::from_millis(1000));
    let c = s.wait_closed(id).await;
    assert_eq!(c["close"]["by"], "abort");
    assert_eq!(c["close"]["code"], 1006);
    // The other connection is unaffected.
    let (audio, layout) = dtmf_audio("73", 16000, 300);
    send_audio(&mut other, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = close_stream_and_collect(&mut other).await;
    let all: Vec<_> = finals(&events).iter().flat_map(|r| words(r)).collect();
    assert_words_match(&all, &layout, "other connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_after_audio_bytes() {
    let s = start().await;
    s.fault(
        r#"{"connection":"next","path":null,"fault":{"kind":"abort","after_audio_bytes":3000}}"#,
    )
    .await;
    let mut ws = s.connect(LISTEN).await;
    let id = s.last_id().await;
    for _ in 0..20 {
        if ws
            .send(Message::Binary(vec![0u8; 640].into()))
            .await
            .is_err()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(events.last(), Some(&Event::Dropped), "{events:?}");
    let c = s.wait_closed(id).await;
    assert_eq!(
        c["binary_bytes"], 3200,
        "aborted on the frame that reached 3000 bytes"
    );
    assert_eq!(c["close"]["by"], "abort");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_fault_sends_that_code_and_reason() {
    let s = start().await;
    let mut ws = s.connect(LISTEN).await;
    let id = s.last_id().await;
    s.fault(&format!(r#"{{"connection":{id},"fault":{{"kind":"close","code":4008,"reason":"test close","after_ms":50}}}}"#)).await;
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(
        events.last(),
        Some(&Event::Close(4008, "test close".into()))
    );
    let c = s.wait_closed(id).await;
    assert_eq!(
        c["close"],
        serde_json::json!({"code": 4008, "reason": "test close", "by": "server"})
    );
    let r = s
        .http(
            "POST",
            "/_control/faults",
            Some(&format!(
                r#"{{"connection":{id},"fault":{{"kind":"stop_reading"}}}}"#
            )),
        )
        .await;
    assert_eq!(r.status, 409, "faults on ended connections are refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frame_then_the_stream_goes_on() {
    let s = start().await;
    s.fault(
        r#"{"connection":"next","path":"/v1/listen","fault":{"kind":"malformed","after_ms":0}}"#,
    )
    .await;
    let mut ws = s.connect(LISTEN).await;
    let Some(Event::Json(v)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    let text = v.as_str().expect("not valid JSON, so kept as a string");
    assert!(text.starts_with("{\"type\":\"Results\""));
    assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
    let id = s.last_id().await;
    s.fault(&format!(
        r#"{{"connection":{id},"fault":{{"kind":"malformed","text":"<<<"}}}}"#
    ))
    .await;
    assert_eq!(
        next_event(&mut ws, Duration::from_secs(2)).await,
        Some(Event::Json(serde_json::Value::String("<<<".into())))
    );
    let (audio, _) = dtmf_audio("2", 16000, 300);
    send_audio(&mut ws, &encoded(&audio, Encoding::Linear16), 32, 20).await;
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(words(finals(&events)[0])[0].0, "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_replies_delays_every_message_in_order() {
    let s = start().await;
    s.fault(
        r#"{"connection":"next","path":"/v1/listen","fault":{"kind":"delay_replies","ms":400}}"#,
    )
    .await;
    let mut ws = s.connect(LISTEN).await;
    send_text(&mut ws, "bad 1").await;
    send_text(&mut ws, "bad 2").await;
    let t0 = Instant::now();
    let Some(Event::Json(first)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    let waited = t0.elapsed();
    assert!(waited >= Duration::from_millis(350), "{waited:?}");
    assert_eq!(first["message"], "bad 1");
    let Some(Event::Json(second)) = next_event(&mut ws, Duration::from_secs(2)).await else {
        panic!()
    };
    assert_eq!(second["message"], "bad 2");
    let t1 = Instant::now();
    let events = close_stream_and_collect(&mut ws).await;
    assert!(t1.elapsed() >= Duration::from_millis(350));
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_reading_makes_a_slow_reader() {
    let s = start_with(Config {
        idle_timeout: Duration::from_secs(30),
        ..test_config()
    })
    .await;
    s.fault(r#"{"connection":"next","path":"/v1/listen","fault":{"kind":"stop_reading"}}"#)
        .await;
    let mut ws = s.connect(LISTEN).await;
    let id = s.last_id().await;
    // Push far more than socket buffers hold: the sends must eventually stall.
    let chunk = vec![0u8; 64 * 1024];
    let mut sent = 0usize;
    let stalled = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            ws.send(Message::Binary(chunk.clone().into()))
                .await
                .unwrap();
            sent += chunk.len();
        }
    })
    .await
    .is_err();
    assert!(stalled, "sends never stalled after {sent} bytes");
    let c = s.connection(id).await;
    assert_eq!(c["binary_bytes"], 0, "the server read nothing");
    assert_eq!(c["open"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_by_id_on_speak_and_no_control_flag() {
    let s = start_with(Config {
        tts_speed: 1.0,
        ..test_config()
    })
    .await;
    let mut ws = s.connect("/v1/speak").await;
    let id = s.last_id().await;
    let _ = next_event(&mut ws, Duration::from_secs(1)).await;
    send_text(&mut ws, r#"{"type":"Speak","text":"12345"}"#).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    s.fault(&format!(
        r#"{{"connection":{id},"fault":{{"kind":"abort","after_ms":60}}}}"#
    ))
    .await;
    let events = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(events.last(), Some(&Event::Dropped));
    assert!(events.iter().any(|e| matches!(e, Event::Binary(_))));
    let c = s.wait_closed(id).await;
    assert!(c["sent_binary_frames"].as_u64().unwrap() >= 1);
    assert!(c["sent_binary_bytes"].as_u64().unwrap() >= 960);

    let off = start_with(Config {
        control: false,
        ..test_config()
    })
    .await;
    assert_eq!(off.http("GET", "/_control/health", None).await.status, 404);
    assert_eq!(
        off.http("POST", "/_control/faults", Some("{}"))
            .await
            .status,
        405
    );
}
