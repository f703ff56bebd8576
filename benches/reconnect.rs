//! Words lost and doubled, audio replayed, over 100 dropped connections (the real stream code, a simulated
//! recognizer and network: `tests/support/drops.rs`), beside the same drops with replay turned off (only
//! audio never handed to the socket goes again, as before replay).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Native only: the simulation's random numbers come from proptest, which does not build for wasm32.
#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/support/drops.rs"]
mod drops;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::drops;

    use drops::{run, Plan, Report, RATE};

    fn row(label: &str, r: &Report) {
        println!(
            "{label:<26} {:>5} {:>5} {:>5} {:>6} {:>9.1} {:>10.2} {:>10} {:>11.2}",
            r.drops,
            r.mid_word_drops,
            r.lost,
            r.duplicated,
            r.max_time_error_ms,
            r.bytes_replayed as f64 / f64::from(RATE * 2),
            r.bytes_total - r.bytes_delivered,
            r.bytes_unreplayed as f64 / f64::from(RATE * 2),
        );
    }

    pub fn main() {
        let words = 400;
        println!("{words} words, 100 drops at random moments, 1-80 ms network latency each way, seed 20261204");
        println!(
            "{:<26} {:>5} {:>5} {:>5} {:>6} {:>9} {:>10} {:>10} {:>11}",
            "",
            "drops",
            "mid",
            "lost",
            "double",
            "max err",
            "replayed s",
            "lost bytes",
            "unreplayed s"
        );
        for (label, cap) in [
            ("replay from last final", 30_000),
            ("baseline: unsent only", 0),
        ] {
            let r = run(Plan {
                seed: 20261204,
                words,
                drops: 100,
                replay_cap_ms: cap,
            });
            row(label, &r);
        }
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}
