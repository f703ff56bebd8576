//! `/v1/speak` with the espeak-ng voice (`--tts espeak`) over a real socket: real speech at every kind of
//! output (linear16 16 kHz and 48 kHz, mu-law 8 kHz), checked for length, loudness, spectrum and whole
//! samples; and the binary refusing to start without the program. Needs `espeak-ng` installed
//! (`scripts/setup.sh --espeak`; `make test` does it): these tests do not skip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[allow(dead_code)]
#[path = "integration/common.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use deepgram_live_server::codec::Encoding;
use deepgram_live_server::config::{Config, TtsEngine};

use common::*;

const SENTENCE: &str = "Hello world, this is a test.";

fn mean_square(x: &[f32]) -> f64 {
    x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len().max(1) as f64
}

/// `x` through a linear-phase low-pass at `cutoff` Hz (Blackman-windowed sinc, 801 taps: a transition
/// band of about 330 Hz at 48 kHz and stopband below -70 dB), written here so the check does not rest
/// on the resampler under test.
fn low_pass(x: &[f32], rate: u32, cutoff: f64) -> Vec<f32> {
    let taps = 801usize;
    let mid = (taps / 2) as f64;
    let fc = cutoff / f64::from(rate);
    let h: Vec<f64> = (0..taps)
        .map(|i| {
            let t = i as f64 - mid;
            let sinc = if t == 0.0 {
                2.0 * fc
            } else {
                (std::f64::consts::TAU * fc * t).sin() / (std::f64::consts::PI * t)
            };
            let w = std::f64::consts::TAU * i as f64 / (taps - 1) as f64;
            sinc * (0.42 - 0.5 * w.cos() + 0.08 * (2.0 * w).cos())
        })
        .collect();
    (0..x.len())
        .map(|n| {
            let mut acc = 0.0;
            for (k, hk) in h.iter().enumerate() {
                let j = n as isize + mid as isize - k as isize;
                if j >= 0 && (j as usize) < x.len() {
                    acc += hk * f64::from(x[j as usize]);
                }
            }
            acc as f32
        })
        .collect()
}

/// Share of the signal's energy below `cutoff` Hz.
fn energy_below(x: &[f32], rate: u32, cutoff: f64) -> f64 {
    mean_square(&low_pass(x, rate, cutoff)) / mean_square(x)
}

async fn espeak_server() -> TestServer {
    start_with(Config {
        tts_engine: TtsEngine::Espeak,
        tts_speed: 20.0,
        ..test_config()
    })
    .await
}

struct Spoken {
    bytes: Vec<u8>,
    samples: Vec<f32>,
    flushed: serde_json::Value,
    /// From sending Flush to the first audio frame: synthesis time (plus one frame).
    first_audio: Duration,
}

async fn speak(s: &TestServer, query: &str, enc: Encoding, text: &str) -> Spoken {
    let mut ws = s.connect(&format!("/v1/speak?{query}")).await;
    // Speak and Flush leave at once (no Nagle wait for the Speak's ACK), so the time to the first
    // audio frame is the server's.
    if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = ws.get_ref() {
        tcp.set_nodelay(true).unwrap();
    }
    match next_event(&mut ws, Duration::from_secs(2)).await {
        Some(Event::Json(v)) if v["type"] == "Metadata" => {}
        other => panic!("expected Metadata, got {other:?}"),
    }
    send_text(
        &mut ws,
        &serde_json::json!({"type": "Speak", "text": text}).to_string(),
    )
    .await;
    let sent = Instant::now();
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let mut bytes = Vec::new();
    let mut first_audio = None;
    let flushed = loop {
        match next_event(&mut ws, Duration::from_secs(10)).await {
            Some(Event::Binary(b)) => {
                first_audio.get_or_insert_with(|| sent.elapsed());
                // Every frame holds whole samples.
                assert_eq!(b.len() % enc.bytes_per_sample(), 0, "{query}");
                bytes.extend(b);
            }
            Some(Event::Json(v)) if v["type"] == "Flushed" => break v,
            other => panic!("{query}: unexpected {other:?}"),
        }
    };
    send_text(&mut ws, r#"{"type":"Close"}"#).await;
    let end = collect_until_close(&mut ws, Duration::from_secs(3)).await;
    assert_eq!(
        end.last(),
        Some(&Event::Close(1000, String::new())),
        "{query}"
    );
    Spoken {
        samples: decode(&bytes, enc),
        bytes,
        flushed,
        first_audio: first_audio.expect("no audio before Flushed"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espeak_speaks_a_sentence_at_every_output_format() {
    let s = espeak_server().await;
    for (query, enc, rate) in [
        (
            "model=aura-2-thalia-en&encoding=linear16&sample_rate=16000",
            Encoding::Linear16,
            16000u32,
        ),
        (
            "model=aura-2-zeus-en&encoding=linear16&sample_rate=48000",
            Encoding::Linear16,
            48000,
        ),
        (
            "model=aura-2-thalia-en&encoding=mulaw&sample_rate=8000",
            Encoding::Mulaw,
            8000,
        ),
    ] {
        let sp = speak(&s, query, enc, SENTENCE).await;
        assert_eq!(sp.flushed["sequence_id"], 0, "{query}");
        assert_eq!(sp.bytes.len() % enc.bytes_per_sample(), 0, "{query}");
        let secs = sp.samples.len() as f64 / f64::from(rate);
        let rms = mean_square(&sp.samples).sqrt();
        let peak = sp.samples.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!((0.8..6.0).contains(&secs), "{query}: {secs} s");
        assert!(rms > 0.03, "{query}: rms {rms}");
        // Speech, not noise or a tone stuck at full scale.
        assert!(
            peak < 1.0 && f64::from(peak) > 3.0 * rms,
            "{query}: peak {peak}, rms {rms}"
        );
        let mut figures = format!(
            "{query}: {} bytes, {secs:.3} s, rms {rms:.4}, peak {peak:.3}, first audio {:.1} ms after Flush",
            sp.bytes.len(),
            sp.first_audio.as_secs_f64() * 1000.0
        );
        if rate > 8000 {
            let below_4k = energy_below(&sp.samples, rate, 4000.0);
            assert!(
                below_4k > 0.7,
                "{query}: {below_4k} of the energy below 4 kHz"
            );
            figures.push_str(&format!(
                ", {:.1} % of energy below 4 kHz",
                below_4k * 100.0
            ));
        }
        if rate == 48000 {
            // espeak-ng's 22050 Hz has nothing above 11 kHz: the resampler must not image into it.
            let below_11k = energy_below(&sp.samples, rate, 11_000.0);
            assert!(below_11k > 0.999, "{query}: {below_11k} below 11 kHz");
            figures.push_str(&format!(", {:.3} % below 11 kHz", below_11k * 100.0));
        }
        eprintln!("{figures}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espeak_keeps_protocol_order_and_other_connections_alive() {
    let s = espeak_server().await;
    // Two connections at once: both get their speech and their own Flushed.
    let (a, b) = tokio::join!(
        speak(
            &s,
            "model=aura-asteria-en&encoding=linear16&sample_rate=24000",
            Encoding::Linear16,
            "The quick brown fox jumps over the lazy dog.",
        ),
        speak(
            &s,
            "model=aura-2-apollo-en&encoding=linear16&sample_rate=24000",
            Encoding::Linear16,
            "-v xx --stdout: options-looking text is spoken.",
        ),
    );
    for sp in [&a, &b] {
        let secs = sp.samples.len() as f64 / 24000.0;
        assert!((1.0..8.0).contains(&secs), "{secs}");
        assert!(mean_square(&sp.samples).sqrt() > 0.03);
    }
    // An empty Flush is still acknowledged at once, without audio.
    let mut ws = s.connect("/v1/speak").await;
    let _metadata = next_event(&mut ws, Duration::from_secs(2)).await;
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    match next_event(&mut ws, Duration::from_secs(2)).await {
        Some(Event::Json(v)) => assert_eq!(v["type"], "Flushed", "{v}"),
        other => panic!("{other:?}"),
    }
}

/// With ONE runtime worker, a synthesis that blocked the worker would stall every other task (the
/// probe below included) for its whole duration; `block_in_place` hands the worker's tasks to another
/// thread instead, so the control API keeps answering while espeak-ng runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn synthesis_does_not_stall_other_connections() {
    let s = std::sync::Arc::new(
        start_with(Config {
            tts_engine: TtsEngine::Espeak,
            tts_speed: 50.0,
            idle_timeout: Duration::from_secs(5),
            ..test_config()
        })
        .await,
    );
    let mut ws = s
        .connect("/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=8000")
        .await;
    if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = ws.get_ref() {
        tcp.set_nodelay(true).unwrap();
    }
    let _metadata = next_event(&mut ws, Duration::from_secs(2)).await;
    let text = "This sentence keeps the synthesizer busy for a little while. ".repeat(12);
    send_text(
        &mut ws,
        &serde_json::json!({"type": "Speak", "text": text}).to_string(),
    )
    .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let probe = {
        let (s, stop) = (std::sync::Arc::clone(&s), std::sync::Arc::clone(&stop));
        tokio::spawn(async move {
            let mut worst = Duration::ZERO;
            let mut probes = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                assert_eq!(s.http("GET", "/_control/health", None).await.status, 200);
                worst = worst.max(t.elapsed());
                probes += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            (worst, probes)
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let flushed_at = Instant::now();
    send_text(&mut ws, r#"{"type":"Flush"}"#).await;
    let synthesis = match next_event(&mut ws, Duration::from_secs(20)).await {
        Some(Event::Binary(_)) => flushed_at.elapsed(),
        other => panic!("unexpected {other:?}"),
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (worst, probes) = probe.await.unwrap();
    eprintln!(
        "{} characters synthesized in {:.1} ms; control API probes meanwhile: {probes}, slowest {:.1} ms",
        text.len(),
        synthesis.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
    assert!(
        synthesis > Duration::from_millis(40),
        "{synthesis:?}: too short to tell"
    );
    assert!(
        worst < synthesis / 2,
        "a health probe waited {worst:?} during a {synthesis:?} synthesis"
    );
    assert!(probes >= 3, "{probes} probes");
}

#[test]
fn binary_refuses_to_start_without_espeak_ng() {
    let exe = env!("CARGO_BIN_EXE_deepgram-live-server");
    let empty = std::env::temp_dir().join(format!("dls-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(exe)
        .args(["--port", "0", "--tts", "espeak"])
        .env("PATH", &empty)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "it must not print the listening line"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(
        err.contains("--tts espeak needs the espeak-ng program: run make demo (installs it) or apt-get install espeak-ng"),
        "{err:?}"
    );
}

#[test]
fn binary_with_espeak_starts_and_lists_it_in_help() {
    let exe = env!("CARGO_BIN_EXE_deepgram-live-server");
    let help = Command::new(exe).arg("--help").output().unwrap();
    assert!(String::from_utf8(help.stdout).unwrap().contains("espeak"));
    let mut child = Command::new(exe)
        .args(["--port", "0", "--tts", "espeak", "--quiet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("deepgram-live-server listening on http://127.0.0.1:"),
        "{line:?}"
    );
}
