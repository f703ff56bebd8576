//! Upgrade: every auth variant, the 401/400 refusals, request ids, subprotocol echo and CORS, and the
//! JWTs of `/v1/auth/grant` (no CORS there).

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
        // Without the space browsers send: refused, as by the real service (deepgram-js-sdk#321).
        vec![("Sec-WebSocket-Protocol", "token,test-key-123")],
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
    assert_eq!(v["refused"].as_array().unwrap().len(), 7);
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
        ("/v1/listen?redact=cardinal", "redact"),
        ("/v1/listen?redact=ordinal", "redact"),
        ("/v1/listen?redact=percent", "redact"),
        ("/v1/listen?redact=pci&redact=everything", "redact"),
        ("/v1/listen?measurements=yes", "measurements"),
        ("/v1/listen?filler_words=True", "filler_words"),
        ("/v1/listen?language_hint=", "language_hint"),
        (
            "/v1/listen?utterance_end_ms=0&interim_results=true",
            "utterance_end_ms",
        ),
        ("/v1/speak?bit_rate=48000", "bit_rate"),
        ("/v1/speak?container=wav", "container"),
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
async fn todays_listen_options_are_accepted() {
    let s = start().await;
    let auth = [("Authorization", "Token k")];
    let long_but_fine = format!("extra=k:{}", "v".repeat(2046));
    let five_hundred_tokens: String = (0..5)
        .map(|_| format!("&keyterm={}", vec!["w"; 100].join("%20")))
        .collect();
    let cases = [
        "/v1/listen?redact=true&redact=pii&redact=phi&redact=pci&redact=ssn".to_string(),
        "/v1/listen?redact=numbers&redact=aggressive_numbers&redact=name&redact=location_city"
            .to_string(),
        "/v1/listen?measurements=true&filler_words=true".to_string(),
        "/v1/listen?model=nova-3&language=multi&language_hint=en&language_hint=es&keyterm=Deepgram"
            .to_string(),
        // Dictation is documented to need punctuate to work, not refused without it.
        "/v1/listen?dictation=true".to_string(),
        // Only read with `encoding`.
        "/v1/listen?sample_rate=16000&channels=2".to_string(),
        "/v1/listen?utterance_end_ms=120000&interim_results=true".to_string(),
        format!("/v1/listen?{long_but_fine}"),
        format!("/v1/listen?model=nova-3{five_hundred_tokens}"),
    ];
    for url in cases {
        let r = s.connect_with(&url, &auth).await;
        assert!(r.is_ok(), "{url}: {:?}", r.err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_limits_are_400_with_the_reason() {
    let s = start().await;
    let auth = [("Authorization", "Token k")];
    let long_extra = format!("/v1/listen?extra=k:{}", "v".repeat(2047));
    let (status, body, dg_error, _) = refused(s.connect_with(&long_extra, &auth).await);
    assert_eq!(status, 400);
    let msg = body["err_msg"].as_str().unwrap();
    assert!(msg.contains("`extra`") && msg.contains("2048"), "{msg}");
    assert_eq!(dg_error.as_deref(), Some(msg));
    let too_many: String = (0..501).map(|i| format!("&keyterm=t{i}")).collect();
    let (status, body, ..) = refused(
        s.connect_with(&format!("/v1/listen?model=nova-3{too_many}"), &auth)
            .await,
    );
    assert_eq!(status, 400);
    let msg = body["err_msg"].as_str().unwrap();
    assert!(
        msg.contains(
            "Keyterm limit exceeded. The maximum number of tokens across all keyterms is 500."
        ),
        "{msg}"
    );
    let (status, body, ..) = refused(s.connect_with("/v1/listen?redact=cardinal", &auth).await);
    assert_eq!(status, 400);
    assert!(body["err_msg"]
        .as_str()
        .unwrap()
        .contains("cannot be redacted"));
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

async fn grant(s: &TestServer, body: Option<&str>) -> (String, serde_json::Value) {
    let r = s
        .http_with(
            "POST",
            "/v1/auth/grant",
            body,
            &[
                ("Authorization", &format!("Token {KEY}")),
                ("Origin", "http://localhost:5173"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    (v["access_token"].as_str().unwrap().to_string(), v)
}

fn b64url(part: &str) -> Vec<u8> {
    deepgram_live_server::access_token::base64url_decode(part).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granted_bearer_tokens_work_with_a_fixed_key() {
    let s = start_with_key(KEY).await;
    let (token, v) = grant(&s, Some(r#"{"ttl_seconds":60}"#)).await;
    assert_eq!(v["expires_in"], 60);
    let (_, resp) = s
        .connect_with(
            LISTEN,
            &[("Sec-WebSocket-Protocol", &format!("bearer, {token}"))],
        )
        .await
        .unwrap();
    assert_eq!(header(&resp, "sec-websocket-protocol"), Some("bearer"));
    assert!(s
        .connect_with(
            "/v1/speak",
            &[("Authorization", &format!("Bearer {token}"))]
        )
        .await
        .is_ok());
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_returns_a_jwt_without_cors() {
    let s = start_with_key(KEY).await;
    let r = s
        .http_with(
            "POST",
            "/v1/auth/grant",
            None,
            &[
                ("Authorization", &format!("Token {KEY}")),
                ("Origin", "http://localhost:5173"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        !r.headers
            .iter()
            .any(|(k, _)| k.starts_with("access-control-")),
        "{:?}",
        r.headers
    );
    assert!(r.header("dg-request-id").is_some());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["expires_in"], 30, "default ttl");
    let token = v["access_token"].as_str().unwrap();
    let parts: Vec<_> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let header_json: serde_json::Value = serde_json::from_slice(&b64url(parts[0])).unwrap();
    assert_eq!(header_json["typ"], "JWT");
    assert_eq!(header_json["alg"], "HS256");
    let claims: serde_json::Value = serde_json::from_slice(&b64url(parts[1])).unwrap();
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat.abs_diff(now) <= 2, "{iat} vs {now}");
    assert!((30..=31).contains(&(exp - iat)), "{iat} {exp}");
    assert_eq!(b64url(parts[2]).len(), 32);
    // A fractional ttl is a number too, echoed as sent; out-of-range ones are a 400 without CORS.
    let (_, v) = grant(&s, Some(r#"{"ttl_seconds":2.5}"#)).await;
    assert_eq!(v["expires_in"], 2.5);
    for body in [
        r#"{"ttl_seconds":0}"#,
        r#"{"ttl_seconds":3601}"#,
        r#"{"ttl_seconds":"30"}"#,
    ] {
        let r = s
            .http_with(
                "POST",
                "/v1/auth/grant",
                Some(body),
                &[("Authorization", &format!("Token {KEY}"))],
            )
            .await;
        assert_eq!(r.status, 400, "{body}");
        let e: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(e["err_code"], "Bad Request");
        assert!(!r
            .headers
            .iter()
            .any(|(k, _)| k.starts_with("access-control-")));
    }
    // No preflight: Deepgram's REST API answers none, so browsers cannot call it.
    let r = s
        .http_with(
            "OPTIONS",
            "/v1/auth/grant",
            None,
            &[
                ("Origin", "http://localhost:5173"),
                ("Access-Control-Request-Method", "POST"),
            ],
        )
        .await;
    assert!(!(200..300).contains(&r.status), "{}", r.status);
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_401_but_a_stream_it_opened_stays_open() {
    for key_policy in [true, false] {
        let s = if key_policy {
            start_with_key(KEY).await
        } else {
            start().await // any non-empty key: an expired token minted here is still refused
        };
        let (token, _) = grant(&s, Some(r#"{"ttl_seconds":0.2}"#)).await;
        let bearer = format!("bearer, {token}");
        let (mut ws, _) = s
            .connect_with(LISTEN, &[("Sec-WebSocket-Protocol", &bearer)])
            .await
            .unwrap();
        // exp is whole seconds, rounded up: at most 1.2 s here. Keep the stream busy past it.
        for _ in 0..8 {
            send_text(&mut ws, r#"{"type":"KeepAlive"}"#).await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let (status, body, ..) = refused(
            s.connect_with(LISTEN, &[("Sec-WebSocket-Protocol", &bearer)])
                .await,
        );
        assert_eq!(status, 401);
        assert_eq!(body["err_code"], "INVALID_AUTH");
        let (status, ..) = refused(
            s.connect_with(
                "/v1/speak",
                &[("Authorization", &format!("Bearer {token}"))],
            )
            .await,
        );
        assert_eq!(status, 401);
        // The stream the token opened was not cut.
        let events = close_stream_and_collect(&mut ws).await;
        assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
    }
}
