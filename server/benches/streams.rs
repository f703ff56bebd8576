//! Load benchmark: many concurrent `/v1/listen` streams fed 16 kHz linear16 DTMF audio in 20 ms frames at
//! real time. Prints figures only (no assertions).
//!
//! The server runs as its own process (the real binary), so its CPU use is measured apart from this
//! process, which plays 200 clients. Each stream sends frame k (audio [20k, 20k+20) ms) at
//! `start + 20(k+1)` ms, as a microphone would deliver it, with one 100 ms digit per second. Reported:
//! - CPU of the server (user+sys seconds / wall seconds, from /proc/<pid>/stat) and of the clients;
//! - final-result latency: arrival of the `is_final` Results minus the wall time of each word's end
//!   (`start + word end`), which includes the `endpointing` wait (100 ms here) and the detector's
//!   confirmation of the tone's end;
//! - the feeders' schedule slip (send time minus due time), which shows whether this machine kept up.
//!
//! Run: `cargo bench -p deepgram-live-server --bench streams` (env STREAMS, SECONDS to change the load).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const RATE: u32 = 16000;
const FRAME_MS: u64 = 20;
const ENDPOINTING_MS: u32 = 100;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// user+sys CPU seconds of a process, from /proc/<pid>/stat.
fn cpu_seconds(pid: &str, ticks: f64) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let stime: f64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    (utime + stime) / ticks
}

fn percentiles(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "no samples".into();
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.1}  p99 {:.1}  max {:.1}  (n={})",
        at(0.5),
        at(0.99),
        v[v.len() - 1],
        v.len()
    )
}

/// One stream's audio: a digit (100 ms) every second, at an offset that differs per stream.
fn stream_audio(index: usize, seconds: u64) -> (Vec<u8>, usize) {
    let mut samples = vec![0.0f32; (RATE as u64 * seconds) as usize];
    let offset_ms = 200 + (index * 37) % 600;
    let mut words = 0;
    for s in 0..seconds as usize {
        let key = dtmf::Key::ALL[(index + s) % 12];
        let mut tone = Vec::new();
        dtmf::tone(key, 100, 0.5, RATE, &mut tone);
        let at = (s * 1000 + offset_ms) * RATE as usize / 1000;
        if at + tone.len() <= samples.len() {
            samples[at..at + tone.len()].copy_from_slice(&tone);
            words += 1;
        }
    }
    let bytes = samples
        .iter()
        .flat_map(|x| ((x.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes())
        .collect();
    (bytes, words)
}

#[derive(Default)]
struct Stats {
    latencies_ms: Vec<f64>,
    slips_ms: Vec<f64>,
    words_expected: usize,
    words_final: usize,
    completed: usize,
}

async fn run_stream(addr: String, index: usize, seconds: u64, stats: Arc<Mutex<Stats>>) {
    let (audio, expected) = stream_audio(index, seconds);
    let url = format!(
        "ws://{addr}/v1/listen?model=nova-3&encoding=linear16&sample_rate={RATE}&interim_results=true&endpointing={ENDPOINTING_MS}"
    );
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("Authorization", "Token bench".parse().unwrap());
    let (ws, _) = match tokio_tungstenite::connect_async(req).await {
        Ok(ok) => ok,
        Err(e) => {
            eprintln!("stream {index}: connect failed: {e}");
            return;
        }
    };
    let (mut tx, mut rx) = ws.split();
    let start = Instant::now();
    let reader_stats = Arc::clone(&stats);
    let reader = tokio::spawn(async move {
        let mut latencies = Vec::new();
        let mut finals = 0;
        let mut done = false;
        while let Some(Ok(msg)) = rx.next().await {
            let now = Instant::now();
            match msg {
                Message::Text(t) => {
                    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                    if v["type"] == "Results" && v["is_final"] == true {
                        for w in v["channel"]["alternatives"][0]["words"].as_array().unwrap() {
                            let end = w["end"].as_f64().unwrap();
                            let due = start + Duration::from_secs_f64(end);
                            latencies
                                .push(now.saturating_duration_since(due).as_secs_f64() * 1000.0);
                            finals += 1;
                        }
                    }
                    if v["type"] == "Metadata" {
                        done = true;
                    }
                }
                Message::Close(_) => break,
                _ => {}
            }
        }
        let mut s = reader_stats.lock().unwrap();
        s.latencies_ms.extend(latencies);
        s.words_final += finals;
        if done {
            s.completed += 1;
        }
    });
    let frame_bytes = (RATE as u64 * FRAME_MS / 1000 * 2) as usize;
    let mut slips = Vec::with_capacity(audio.len() / frame_bytes);
    for (k, frame) in audio.chunks(frame_bytes).enumerate() {
        let due = start + Duration::from_millis(FRAME_MS * (k as u64 + 1));
        tokio::time::sleep_until(due).await;
        if tx
            .send(Message::Binary(frame.to_vec().into()))
            .await
            .is_err()
        {
            break;
        }
        slips.push(Instant::now().saturating_duration_since(due).as_secs_f64() * 1000.0);
    }
    let _ = tx
        .send(Message::Text(r#"{"type":"CloseStream"}"#.into()))
        .await;
    let _ = tokio::time::timeout(Duration::from_secs(10), reader).await;
    let mut s = stats.lock().unwrap();
    s.slips_ms.extend(slips);
    s.words_expected += expected;
}

fn main() {
    let streams = env_or("STREAMS", 200) as usize;
    let seconds = env_or("SECONDS", 20);
    let exe = env!("CARGO_BIN_EXE_deepgram-live-server");
    let mut server = Command::new(exe)
        .args([
            "--port",
            "0",
            "--quiet",
            "--no-control",
            "--idle-timeout-ms",
            "10000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server binary");
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("deepgram-live-server listening on http://")
        .expect("first line")
        .to_string();
    let pid = server.id().to_string();
    let ticks = clock_ticks_per_second();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stats = Arc::new(Mutex::new(Stats::default()));
    let server_cpu0 = cpu_seconds(&pid, ticks);
    let client_cpu0 = cpu_seconds("self", ticks);
    let wall0 = std::time::Instant::now();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..streams {
            tasks.push(tokio::spawn(run_stream(
                addr.clone(),
                i,
                seconds,
                Arc::clone(&stats),
            )));
            // Spread connection starts over one frame so feeders do not all wake at once.
            tokio::time::sleep(Duration::from_micros(
                FRAME_MS * 1000 / streams.max(1) as u64,
            ))
            .await;
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let wall = wall0.elapsed().as_secs_f64();
    let server_cpu = cpu_seconds(&pid, ticks) - server_cpu0;
    let client_cpu = cpu_seconds("self", ticks) - client_cpu0;
    let _ = server.kill();
    let _ = server.wait();

    let s = stats.lock().unwrap();
    println!("deepgram-live-server bench: {streams} listen streams, {seconds} s each, linear16 16 kHz, {FRAME_MS} ms frames at real time, interim_results=true, endpointing={ENDPOINTING_MS}");
    println!(
        "streams completed (Metadata received): {}/{streams}",
        s.completed
    );
    println!(
        "words: expected {}, in finals {}",
        s.words_expected, s.words_final
    );
    println!(
        "server CPU: {:.2} s user+sys / {:.2} s wall = {:.1}% of one core ({} cores here)",
        server_cpu,
        wall,
        100.0 * server_cpu / wall,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "client CPU (this process, {streams} clients): {:.2} s / {:.2} s = {:.1}% of one core",
        client_cpu,
        wall,
        100.0 * client_cpu / wall
    );
    println!(
        "final latency after word end, ms: {}",
        percentiles(s.latencies_ms.clone())
    );
    println!(
        "feeder schedule slip, ms: {}",
        percentiles(s.slips_ms.clone())
    );
}
