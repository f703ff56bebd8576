//! Upgrade: every auth variant, the 401/400 refusals, request ids, subprotocol echo and CORS.

use crate::common::*;
use deepgram_live_server::config::{AuthPolicy, Config};

const LISTEN: &str = "/v1/listen?encoding=linear16&sample_rate=16000";

fn header<'a>(
    r: &'a tokio_tungstenite::tungstenite::http::Response<Option<Vec<u8>>>,
    name: &str,
) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

fn refused(result: Connected) -> (u16, serde_json::Value, Option<String>, Option<String>) {
    match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap_or(b"null")).unwrap();
            (
                r.status().as_u16(),
                body,
                header(&r, "dg-error").map(str::to_string),
                header(&r, "dg-request-id").map(str::to_string),
            )
        }
        Err(e) => panic!("expected an HTTP refusal, got {e}"),
        Ok(_) => panic!("expected an HTTP refusal, got an upgrade"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_auth_variant_is_accepted_and_recorded() {
    let s = start_with_key(KEY).await;
    let token_sp = format!("token, {KEY}");
    let token_nospace = format!("token,{KEY}");
    let bearer_sp = format!("bearer, {KEY}");
    let with_session =
        format!("token, {KEY}, x-deepgram-session-id, 5f0c8a53-1d2e-4b7a-9f31-2a3b4c5d6e7f");
    let session_first =
        format!("x-deepgram-session-id, 5f0c8a53-1d2e-4b7a-9f31-2a3b4c5d6e7f, bearer, {KEY}");
    let header_token = format!("Token {KEY}");
    let header_lower = format!("token {KEY}");
    let header_bearer = format!("BEARER {KEY}");
    let cases: Vec<(&str, &str, &str, Option<&str>)> = vec![
        (
            "Sec-WebSocket-Protocol",
            &token_sp,
            "subprotocol-token",
            Some("token"),
        ),
        (
            "Sec-WebSocket-Protocol",
            &token_nospace,
            "subprotocol-token",
            Some("token"),
        ),
        (
            "Sec-WebSocket-Protocol",
            &bearer_sp,
            "subprotocol-bearer",
            Some("bearer"),
        ),
        (
            "Sec-WebSocket-Protocol",
            &with_session,
            "subprotocol-token",
            Some("token"),
        ),
        (
            "Sec-WebSocket-Protocol",
            &session_first,
            "subprotocol-bearer",
            Some("bearer"),
        ),
        ("Authorization", &header_token, "header-token", None),
        ("Authorization", &header_lower, "header-token", None),
        ("Authorization", &header_bearer, "header-bearer", None),
    ];
    for (name, value, auth, proto) in cases {
        let (mut ws, resp) = s
            .connect_with(
                LISTEN,
                &[(name, value), ("Origin", "http://localhost:5173")],
            )
            .await
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(resp.status().as_u16(), 101);
        let rid = header(&resp, "dg-request-id").unwrap().to_string();
        let u = uuid::Uuid::parse_str(&rid).unwrap();
        assert_eq!(u.get_version_num(), 4);
        assert_eq!(header(&resp, "sec-websocket-protocol"), proto, "{value}");
        assert!(
            !resp
                .headers()
                .iter()
                .any(|(_, v)| v.to_str().unwrap_or("").contains(KEY)),
            "secret echoed"
        );
        assert_eq!(
            header(&resp, "access-control-allow-origin"),
            Some("http://localhost:5173")
        );
        assert_eq!(
            header(&resp, "access-control-allow-credentials"),
            Some("true")
        );
        assert!(header(&resp, "access-control-expose-headers")
            .unwrap()
            .contains("dg-request-id"));
        let id = s.last_id().await;
        let c = s.connection(id).await;
        assert_eq!(c["auth"], auth, "{value}");
        assert_eq!(
            c["subprotocol"],
            proto.map_or(serde_json::Value::Null, |p| p.into())
        );
        assert_eq!(c["request_id"], rid.as_str());
        assert_eq!(c["path"], "/v1/listen");
        assert_eq!(c["query"], "encoding=linear16&sample_rate=16000");
        ws.close(None).await.unwrap();
        let c = s.wait_closed(id).await;
        assert_eq!(c["close"]["by"], "client");
        assert_eq!(c["close"]["code"], 1005);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_credentials_are_401_before_upgrade() {
    let s = start_with_key(KEY).await;
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("Sec-WebSocket-Protocol", "token, wrong-key")],
        vec![("Sec-WebSocket-Protocol", "token")],
        vec![("Authorization", "Token wrong")],
        vec![("Authorization", KEY)], // no scheme
        vec![("Sec-WebSocket-Protocol", "x-deepgram-session-id, abc")],
    ];
    for headers in cases {
        let (status, body, dg_error, rid) = refused(s.connect_with(LISTEN, &headers).await);
        assert_eq!(status, 401, "{headers:?}");
        assert_eq!(body["err_code"], "INVALID_AUTH");
        assert_eq!(body["err_msg"], "Invalid credentials.");
        assert_eq!(body["request_id"].as_str(), rid.as_deref());
        assert_eq!(dg_error.as_deref(), Some("Invalid credentials."));
        assert!(!body.to_string().contains("wrong"), "no secret in the body");
    }
    let v = s.control_json("GET", "/_control/connections", None).await;
    assert_eq!(v["connections"].as_array().unwrap().len(), 0);
    assert_eq!(v["refused"].as_array().unwrap().len(), 6);
    assert_eq!(v["refused"][0]["status"], 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_policy_accepts_any_key_and_open_needs_none() {
    let s = start().await;
    assert!(s
        .connect_with(LISTEN, &[("Authorization", "Token anything")])
        .await
        .is_ok());
    let (status, ..) = refused(s.connect_with(LISTEN, &[]).await);
    assert_eq!(status, 401);
    let open = start_with(Config {
        auth: AuthPolicy::Open,
        ..test_config()
    })
    .await;
    let (_, resp) = open.connect_with(LISTEN, &[]).await.unwrap();
    assert_eq!(header(&resp, "sec-websocket-protocol"), None);
    assert!(open
        .connect_with(LISTEN, &[("Sec-WebSocket-Protocol", "token, x")])
        .await
        .is_ok());
    let id = open.last_id().await;
    assert_eq!(open.connection(id).await["auth"], "subprotocol-token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_queries_are_400_naming_the_parameter() {
    let s = start().await;
    let auth = [("Authorization", "Token k")];
    let cases = [
        ("/v1/listen?encoding=mp3&sample_rate=16000", "encoding"),
        ("/v1/listen?encoding=linear16", "sample_rate"),
        (
            "/v1/listen?encoding=linear16&sample_rate=abc",
            "sample_rate",
        ),
        ("/v1/listen?interim_results=False", "interim_results"),
        ("/v1/listen?smart_format=TRUE", "smart_format"),
        ("/v1/listen?utterance_end_ms=1000", "utterance_end_ms"),
        (
            "/v1/listen?utterance_end_ms=1000&interim_results=false",
            "utterance_end_ms",
        ),
        ("/v1/listen?endpointing=soon", "endpointing"),
        (
            "/v1/listen?encoding=linear16&sample_rate=16000&channels=x",
            "channels",
        ),
        ("/v1/listen?model=nova-3&keywords=a:1", "keywords"),
        ("/v1/listen?model=%ZZ", "model"),
        ("/v1/speak?encoding=mulaw&sample_rate=24000", "sample_rate"),
        (
            "/v1/speak?encoding=linear16&sample_rate=44100",
            "sample_rate",
        ),
        ("/v1/speak?encoding=opus", "encoding"),
        ("/v1/speak?mip_opt_out=False", "mip_opt_out"),
    ];
    for (url, param) in cases {
        let (status, body, dg_error, rid) = refused(s.connect_with(url, &auth).await);
        assert_eq!(status, 400, "{url}");
        assert_eq!(body["err_code"], "Bad Request");
        let msg = body["err_msg"].as_str().unwrap();
        assert!(msg.contains(&format!("`{param}`")), "{url}: {msg}");
        assert_eq!(dg_error.as_deref(), Some(msg));
        assert!(rid.is_some());
    }
    // Unknown parameters are ignored.
    let ok = s
        .connect_with(
            "/v1/listen?speech_final=true&is_final=true&alternatives=1&whatever=1",
            &auth,
        )
        .await;
    assert!(ok.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_is_checked_before_the_query() {
    let s = start().await;
    let (status, ..) = refused(s.connect_with("/v1/listen?encoding=mp3", &[]).await);
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_get_on_a_stream_path_is_refused_deepgram_style() {
    let s = start().await;
    let r = s
        .http_with("GET", "/v1/listen", None, &[("Authorization", "Token k")])
        .await;
    assert_eq!(r.status, 426);
    assert!(r.header("dg-request-id").is_some());
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert!(body["err_msg"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granted_bearer_tokens_work_with_a_fixed_key() {
    let s = start_with_key(KEY).await;
    let r = s
        .http_with(
            "POST",
            "/v1/auth/grant",
            Some(r#"{"ttl_seconds":60}"#),
            &[("Authorization", &format!("Token {KEY}"))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["expires_in"], 60);
    let token = v["access_token"].as_str().unwrap().to_string();
    let (_, resp) = s
        .connect_with(
            LISTEN,
            &[("Sec-WebSocket-Protocol", &format!("bearer, {token}"))],
        )
        .await
        .unwrap();
    assert_eq!(header(&resp, "sec-websocket-protocol"), Some("bearer"));
    // A bearer token cannot mint more; a wrong key cannot either; a token is not an API key.
    let r = s
        .http_with(
            "POST",
            "/v1/auth/grant",
            None,
            &[("Authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(r.status, 401);
    let r = s
        .http_with(
            "POST",
            "/v1/auth/grant",
            None,
            &[("Authorization", "Token nope")],
        )
        .await;
    assert_eq!(r.status, 401);
    let (status, ..) = refused(
        s.connect_with(
            LISTEN,
            &[("Sec-WebSocket-Protocol", &format!("token, {token}"))],
        )
        .await,
    );
    assert_eq!(status, 401);
}
