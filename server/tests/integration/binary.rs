//! The real binary: first stdout line, flags, and static files with their MIME types.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use deepgram_live_server::config::Config;

use crate::common::*;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_prints_its_address_first_and_serves() {
    let exe = env!("CARGO_BIN_EXE_deepgram-live-server");
    let mut child = Child(
        Command::new(exe)
            .args(["--port", "0", "--idle-timeout-ms", "500", "--quiet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let prefix = "deepgram-live-server listening on http://127.0.0.1:";
    assert!(line.starts_with(prefix) && line.ends_with('\n'), "{line:?}");
    let port: u16 = line.trim_end()[prefix.len()..].parse().unwrap();
    assert_ne!(port, 0);
    let (mut ws, _) = tokio_tungstenite::connect_async(
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://127.0.0.1:{port}/v1/listen?encoding=linear16&sample_rate=8000"
        ))
        .map(|mut r| {
            r.headers_mut()
                .insert("Authorization", "Token k".parse().unwrap());
            r
        })
        .unwrap(),
    )
    .await
    .unwrap();
    let events = close_stream_and_collect(&mut ws).await;
    assert_eq!(events.last(), Some(&Event::Close(1000, String::new())));
}

#[test]
fn help_and_unknown_flags() {
    let exe = env!("CARGO_BIN_EXE_deepgram-live-server");
    let out = Command::new(exe).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--host",
        "--port",
        "--api-key",
        "--open",
        "--idle-timeout-ms",
        "--www",
        "--pkg",
        "--no-control",
        "--tts-speed",
        "--tts-frame-ms",
        "--tts",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
    let out = Command::new(exe).arg("--colour").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("--colour"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn www_and_pkg_are_served_with_mime_types() {
    let base = std::env::temp_dir().join(format!("dls-static-{}", std::process::id()));
    let www = base.join("www");
    let pkg = base.join("pkg");
    std::fs::create_dir_all(www.join("sub")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(www.join("sub/index.html"), "sub").unwrap();
    std::fs::write(www.join("app.js"), "export {}").unwrap();
    std::fs::write(pkg.join("lib_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("lib.js"), "export default 1").unwrap();
    let s = start_with(Config {
        www: Some(www.clone()),
        pkg: Some(pkg.clone()),
        ..test_config()
    })
    .await;
    let r = s.http("GET", "/", None).await;
    assert_eq!((r.status, r.text().as_str()), (200, "<h1>demo</h1>"));
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(s.http("GET", "/sub/", None).await.text(), "sub");
    let r = s.http("GET", "/app.js", None).await;
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    let r = s.http("GET", "/pkg/lib_bg.wasm", None).await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert_eq!(r.body, b"\0asm\x01\0\0\0");
    let r = s.http("GET", "/pkg/lib.js", None).await;
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(s.http("GET", "/missing.js", None).await.status, 404);
    assert_eq!(s.http("GET", "/../Cargo.toml", None).await.status, 404);
    assert_eq!(
        s.http("GET", "/pkg/%2e%2e/www/index.html", None)
            .await
            .status,
        404
    );
    let _ = std::fs::remove_dir_all(&base);
    let err = deepgram_live_server::Server::bind(Config {
        www: Some(base.join("nope")),
        ..test_config()
    })
    .await;
    assert!(err.is_err());
    tokio::time::sleep(Duration::from_millis(1)).await;
}
