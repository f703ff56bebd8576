//! `deepgram-live-server`: parses flags, binds, prints the bound address as the first stdout line, and
//! serves until Ctrl-C. Everything else is in the library.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::ExitCode;

use deepgram_live_server::config::{parse_args, Command, TtsEngine, USAGE};
use deepgram_live_server::espeak;
use deepgram_live_server::Server;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("deepgram-live-server: {e}");
            return ExitCode::from(2);
        }
    };
    // Refuse at once rather than answer every Flush with silence.
    if config.tts_engine == TtsEngine::Espeak && espeak::find_program().is_none() {
        eprintln!("deepgram-live-server: {}", espeak::MISSING_PROGRAM);
        return ExitCode::from(1);
    }
    let (addr, handle) = match Server::bind(config).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!("deepgram-live-server: {e}");
            return ExitCode::from(1);
        }
    };
    // Scripts parse this exact line; flush so they see it at once even when stdout is a pipe.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "deepgram-live-server listening on http://{addr}");
    let _ = out.flush();
    drop(out);
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = wait_for_sigterm() => {}
    }
    handle.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(unix)]
async fn wait_for_sigterm() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn wait_for_sigterm() {
    std::future::pending::<()>().await
}
