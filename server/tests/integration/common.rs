//! Shared helpers of the integration tests: an in-process server on port 0, a WebSocket client with
//! chosen headers and subprotocols, a tiny HTTP client for the control API, and DTMF audio.

use std::net::SocketAddr;
use std::time::Duration;

use deepgram_live_server::codec::{alaw_to_i16, encode, mulaw_to_i16, Encoding};
use deepgram_live_server::config::{AuthPolicy, Config};
use deepgram_live_server::{Server, ServerHandle};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a connection attempt gives: the socket and the 101, or the refusal (with its HTTP response).
pub type Connected = Result<(Ws, Response<Option<Vec<u8>>>), tokio_tungstenite::tungstenite::Error>;

/// The test key (the server accepts any non-empty key by default).
pub const KEY: &str = "test-key-123";

pub struct TestServer {
    pub addr: SocketAddr,
    pub _handle: ServerHandle,
}

pub fn test_config() -> Config {
    Config {
        port: 0,
        idle_timeout: Duration::from_millis(500),
        log: false,
        ..Config::default()
    }
}

pub async fn start() -> TestServer {
    start_with(test_config()).await
}

pub async fn start_with(config: Config) -> TestServer {
    let (addr, handle) = Server::bind(config).await.expect("bind");
    TestServer {
        addr,
        _handle: handle,
    }
}

pub async fn start_with_key(key: &str) -> TestServer {
    start_with(Config {
        auth: AuthPolicy::Key(key.into()),
        ..test_config()
    })
    .await
}

impl TestServer {
    pub fn ws_url(&self, path_and_query: &str) -> String {
        format!("ws://{}{}", self.addr, path_and_query)
    }

    /// Connects with `Sec-WebSocket-Protocol: token, KEY`.
    pub async fn connect(&self, path_and_query: &str) -> Ws {
        self.connect_with(
            path_and_query,
            &[("Sec-WebSocket-Protocol", &format!("token, {KEY}"))],
        )
        .await
        .expect("connect")
        .0
    }

    /// Connects with extra request headers; the error carries the HTTP response of a refused upgrade.
    pub async fn connect_with(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Connected {
        let mut req = self.ws_url(path_and_query).into_client_request()?;
        for (k, v) in headers {
            let name: tokio_tungstenite::tungstenite::http::HeaderName = k.parse().unwrap();
            req.headers_mut()
                .insert(name, HeaderValue::from_str(v).unwrap());
        }
        tokio_tungstenite::connect_async(req).await
    }

    /// A plain HTTP request; returns status, headers (lowercase names) and body.
    pub async fn http(&self, method: &str, path: &str, body: Option<&str>) -> HttpResponse {
        self.http_with(method, path, body, &[]).await
    }

    pub async fn http_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> HttpResponse {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let body = body.unwrap_or("");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            req.push_str("Content-Type: application/json\r\n");
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut raw))
            .await
            .expect("http timeout")
            .unwrap();
        HttpResponse::parse(&raw)
    }

    pub async fn control_json(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let r = self.http(method, path, body).await;
        assert!(r.status < 500, "{} {}", r.status, r.text());
        serde_json::from_str(&r.text()).unwrap()
    }

    pub async fn fault(&self, body: &str) {
        let r = self.http("POST", "/_control/faults", Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }

    pub async fn connection(&self, id: u64) -> Value {
        self.control_json("GET", &format!("/_control/connections/{id}"), None)
            .await
    }

    /// The id of the newest connection.
    pub async fn last_id(&self) -> u64 {
        let v = self
            .control_json("GET", "/_control/connections", None)
            .await;
        v["connections"].as_array().unwrap().last().unwrap()["id"]
            .as_u64()
            .unwrap()
    }

    /// Waits until the connection's record is closed.
    pub async fn wait_closed(&self, id: u64) -> Value {
        for _ in 0..200 {
            let c = self.connection(id).await;
            if c["open"] == false {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("connection {id} never closed");
    }
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    fn parse(raw: &[u8]) -> HttpResponse {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        HttpResponse {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 2 + size + 2..];
    }
}

/// What a client receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Json(Value),
    Binary(Vec<u8>),
    Close(u16, String),
    /// The stream ended without a close frame.
    Dropped,
}

/// The next text/binary/close event (pings skipped), within `within`.
pub async fn next_event(ws: &mut Ws, within: Duration) -> Option<Event> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()?;
        return Some(match msg {
            Some(Ok(Message::Text(t))) => Event::Json(
                serde_json::from_str(t.as_str()).unwrap_or(Value::String(t.as_str().to_string())),
            ),
            Some(Ok(Message::Binary(b))) => Event::Binary(b.to_vec()),
            Some(Ok(Message::Close(f))) => match f {
                Some(f) => Event::Close(u16::from(f.code), f.reason.as_str().to_string()),
                None => Event::Close(1005, String::new()),
            },
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => Event::Dropped,
        });
    }
}

/// Every event until the connection closes (or `within` passes).
pub async fn collect_until_close(ws: &mut Ws, within: Duration) -> Vec<Event> {
    let deadline = tokio::time::Instant::now() + within;
    let mut events = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match next_event(ws, left).await {
            None => return events,
            Some(e @ (Event::Close(..) | Event::Dropped)) => {
                events.push(e);
                return events;
            }
            Some(e) => events.push(e),
        }
    }
}

pub fn jsons(events: &[Event]) -> Vec<&Value> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Json(v) => Some(v),
            _ => None,
        })
        .collect()
}

pub fn of_type<'a>(events: &'a [Event], t: &str) -> Vec<&'a Value> {
    jsons(events)
        .into_iter()
        .filter(|v| v["type"] == t)
        .collect()
}

pub fn finals(events: &[Event]) -> Vec<&Value> {
    of_type(events, "Results")
        .into_iter()
        .filter(|v| v["is_final"] == true)
        .collect()
}

pub fn words(result: &Value) -> Vec<(String, f64, f64)> {
    result["channel"]["alternatives"][0]["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["word"].as_str().unwrap().to_string(),
                w["start"].as_f64().unwrap(),
                w["end"].as_f64().unwrap(),
            )
        })
        .collect()
}

pub fn keys(s: &str) -> Vec<dtmf::Key> {
    s.chars()
        .map(|c| dtmf::Key::from_char(c).unwrap())
        .collect()
}

/// DTMF for `digits` (100 ms tones, 100 ms gaps) followed by `tail_ms` of silence, and where each tone lies
/// in seconds.
pub fn dtmf_audio(digits: &str, rate: u32, tail_ms: u32) -> (Vec<f32>, Vec<(String, f64, f64)>) {
    let spec = dtmf::ToneSpec::default();
    let k = keys(digits);
    let mut audio = dtmf::synthesize(&k, &spec, rate);
    audio.extend(std::iter::repeat_n(0.0, (rate * tail_ms / 1000) as usize));
    let layout = dtmf::tone_layout(&k, &spec, rate)
        .into_iter()
        .map(|d| {
            (
                d.key.word().to_string(),
                d.start_sample as f64 / f64::from(rate),
                d.end_sample as f64 / f64::from(rate),
            )
        })
        .collect();
    (audio, layout)
}

pub fn encoded(samples: &[f32], enc: Encoding) -> Vec<u8> {
    let mut b = Vec::new();
    encode(enc, samples, &mut b);
    b
}

/// Sends `bytes` as binary frames of `frame_ms` of audio, as fast as possible.
pub async fn send_audio(ws: &mut Ws, bytes: &[u8], bytes_per_ms: usize, frame_ms: usize) {
    for chunk in bytes.chunks((bytes_per_ms * frame_ms).max(1)) {
        ws.send(Message::Binary(chunk.to_vec().into()))
            .await
            .unwrap();
    }
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.unwrap();
}

pub async fn close_stream_and_collect(ws: &mut Ws) -> Vec<Event> {
    send_text(ws, r#"{"type":"CloseStream"}"#).await;
    collect_until_close(ws, Duration::from_secs(5)).await
}

pub fn assert_words_match(got: &[(String, f64, f64)], want: &[(String, f64, f64)], ctx: &str) {
    let names: Vec<_> = got.iter().map(|w| w.0.as_str()).collect();
    let wanted: Vec<_> = want.iter().map(|w| w.0.as_str()).collect();
    assert_eq!(names, wanted, "{ctx}");
    for (g, w) in got.iter().zip(want) {
        assert!((g.1 - w.1).abs() <= 0.03, "{ctx}: start {g:?} vs {w:?}");
        assert!((g.2 - w.2).abs() <= 0.03, "{ctx}: end {g:?} vs {w:?}");
    }
}

pub fn normal_close() -> CloseCode {
    CloseCode::Normal
}

/// Speak audio bytes in `enc` as f32 samples.
pub fn decode(bytes: &[u8], enc: Encoding) -> Vec<f32> {
    match enc {
        Encoding::Linear16 => bytes
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect(),
        Encoding::Mulaw => bytes
            .iter()
            .map(|b| f32::from(mulaw_to_i16(*b)) / 32768.0)
            .collect(),
        Encoding::Alaw => bytes
            .iter()
            .map(|b| f32::from(alaw_to_i16(*b)) / 32768.0)
            .collect(),
        other => panic!("not a speak encoding: {other:?}"),
    }
}
