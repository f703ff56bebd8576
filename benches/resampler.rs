//! Resampler benchmark: quality and speed of `PolyphaseResampler` side by side with the stateful
//! linear-interpolation baseline most browser clients ship, measured by the same code in the same
//! run. Prints tables; asserts nothing (the unit tests hold the limits).
//!
//! Run: `cargo bench --bench resampler` (release, native). The wasm figure comes from timing
//! `audio::resample_workload` with `performance.now()` in the browser.

use deepgram_live_wasm::audio::{
    f32_to_pcm16_le, quality, resample_workload, LinearResampler, PolyphaseResampler, Resample,
    WORKLOAD_BLOCK_FRAMES,
};
use std::hint::black_box;
use std::time::Instant;

/// Capture pairs (device -> Deepgram) then playback pairs (Deepgram -> device).
const PAIRS: [(u32, u32); 4] = [
    (48000, 16000),
    (44100, 16000),
    (16000, 48000),
    (24000, 48000),
];
/// Rate pairs whose reduced ratio has over 1024 phases (fixed phase grid, interpolated): quality only.
const ODD_PAIRS: [(u32, u32); 2] = [(44100, 16001), (11024, 48000)];
/// Seconds of audio per timed run.
const SPEED_SECONDS: usize = 20;
/// Timed runs per measurement; the best is reported (least disturbed by the other processes).
const RUNS: usize = 7;
/// Step of the alias / image sweep, in Hz.
const SWEEP_STEP_HZ: f64 = 25.0;

fn polyphase(i: u32, o: u32) -> PolyphaseResampler {
    match PolyphaseResampler::new(i, o) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

fn linear(i: u32, o: u32) -> LinearResampler {
    match LinearResampler::new(i, o) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

/// Best-of-N nanoseconds per input sample for feeding `seconds` of a speech-band signal in
/// 128-sample blocks and converting the output to linear16, as the capture worklet does.
fn ns_per_sample<R: Resample>(mut make: impl FnMut() -> R, in_rate: u32, seconds: usize) -> f64 {
    let fin = in_rate as f32;
    let signal: Vec<f32> = (0..WORKLOAD_BLOCK_FRAMES * 64)
        .map(|n| {
            let t = n as f32 / fin;
            0.4 * (std::f32::consts::TAU * 440.0 * t).sin()
                + 0.2 * (std::f32::consts::TAU * 9700.0 * t).sin()
        })
        .collect();
    let blocks = in_rate as usize * seconds / WORKLOAD_BLOCK_FRAMES;
    let mut out = Vec::with_capacity(1024);
    let mut bytes = Vec::with_capacity(2048);
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let mut r = make();
        let start = Instant::now();
        for block in signal
            .chunks_exact(WORKLOAD_BLOCK_FRAMES)
            .cycle()
            .take(blocks)
        {
            out.clear();
            r.process(black_box(block), &mut out);
            bytes.clear();
            f32_to_pcm16_le(&out, &mut bytes);
            black_box(&bytes);
        }
        let ns = start.elapsed().as_nanos() as f64 / (blocks * WORKLOAD_BLOCK_FRAMES) as f64;
        best = best.min(ns);
    }
    best
}

fn workload_ns_per_sample(in_rate: u32, out_rate: u32, seconds: usize) -> f64 {
    let blocks = in_rate as usize * seconds / WORKLOAD_BLOCK_FRAMES;
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let start = Instant::now();
        let _ = black_box(resample_workload(black_box(in_rate), out_rate, blocks));
        best =
            best.min(start.elapsed().as_nanos() as f64 / (blocks * WORKLOAD_BLOCK_FRAMES) as f64);
    }
    best
}

fn fmt_db(db: f64) -> String {
    format!("{db:+.3}")
}

fn main() {
    // `cargo bench --bench resampler -- speed` / `-- quality` runs one half.
    let args: Vec<String> = std::env::args().collect();
    let only = |name: &str| args.iter().any(|a| a == name);
    let (quality_part, speed_part) = match (only("quality"), only("speed")) {
        (false, false) => (true, true),
        picked => picked,
    };
    if quality_part {
        print_quality();
    }
    if speed_part {
        print_speed();
    }
}

fn print_quality() {
    println!("# Resampler benchmark (native, release; tones fed in {WORKLOAD_BLOCK_FRAMES}-sample blocks)\n");
    println!("## Quality");
    println!(
        "Passband: gain in dB at each tone (last column: 0.9 x the low rate's Nyquist). Worst spur: largest alias\n\
         (decimation: any output from input tones >= 0.55 x output rate, i.e. >= 8.8 kHz for 16 kHz) or image\n\
         (interpolation: anything but the tone, for tones up to 0.9 x input Nyquist), in dB relative to the tone,\n\
         swept every {SWEEP_STEP_HZ} Hz. Delay: measured from the phase of a 100 Hz tone.\n"
    );
    println!(
        "| {:<14} | {:<9} | {:>8} | {:>8} | {:>8} | {:>8} | {:>16} | {:>6} | {:>20} | {:>8} |",
        "rates",
        "resampler",
        "1 kHz",
        "3.4 kHz",
        "6 kHz",
        "7 kHz",
        "0.9 Nyq",
        "taps",
        "worst spur (tone)",
        "delay ms"
    );
    println!(
        "|{}|",
        [
            "----------------",
            "-----------",
            "----------",
            "----------",
            "----------",
            "----------",
            "------------------",
            "--------",
            "----------------------",
            "----------"
        ]
        .join("|")
    );
    for &(i, o) in PAIRS.iter().chain(&ODD_PAIRS) {
        let odd = ODD_PAIRS.contains(&(i, o));
        let edge = 0.45 * f64::from(i.min(o));
        let tones: Vec<f64> = [1000.0, 3400.0, 6000.0, 7000.0, edge]
            .into_iter()
            .filter(|&f| f <= edge)
            .collect();
        let spurs = quality::spur_tones(i, o, SWEEP_STEP_HZ);
        let mut rows = vec![(
            if odd { "poly/grid" } else { "polyphase" },
            quality::measure(|| polyphase(i, o), i, o, &tones, &spurs, 0.25),
            polyphase(i, o).taps(),
        )];
        if !odd {
            rows.push((
                "linear",
                quality::measure(|| linear(i, o), i, o, &tones, &spurs, 0.25),
                2,
            ));
        }
        for (name, r, taps) in rows {
            let gain = |f: f64| {
                r.passband
                    .iter()
                    .find(|&&(t, _)| t == f)
                    .map_or_else(|| "-".to_string(), |&(_, db)| fmt_db(db))
            };
            println!(
                "| {:<14} | {:<9} | {:>8} | {:>8} | {:>8} | {:>8} | {:>16} | {:>6} | {:>20} | {:>8.3} |",
                format!("{}k->{}k", f64::from(i) / 1000.0, f64::from(o) / 1000.0),
                name,
                gain(1000.0),
                gain(3400.0),
                gain(6000.0),
                gain(7000.0),
                format!("{} @{:.1}k", gain(edge), edge / 1000.0),
                taps,
                format!("{:.1} dB ({:.0} Hz)", r.worst_spur_db, r.worst_spur_tone_hz),
                r.latency_ms,
            );
        }
    }
}

fn print_speed() {
    println!("\n## Speed");
    println!(
        "ns per input sample, resampling + f32 -> linear16, {SPEED_SECONDS} s of audio in {WORKLOAD_BLOCK_FRAMES}-sample blocks, best of {RUNS} runs.\n"
    );
    println!(
        "| {:<11} | {:>14} | {:>11} | {:>15} | {:>17} | {:>17} |",
        "rates",
        "polyphase ns",
        "linear ns",
        "poly / linear",
        "x real time (1 core)",
        "resample_workload ns"
    );
    println!("|-------------|----------------|-------------|-----------------|----------------------|------------------------|");
    for &(i, o) in &PAIRS {
        let poly = ns_per_sample(|| polyphase(i, o), i, SPEED_SECONDS);
        let lin = ns_per_sample(|| linear(i, o), i, SPEED_SECONDS);
        let work = workload_ns_per_sample(i, o, SPEED_SECONDS);
        let realtime = 1e9 / (poly * f64::from(i));
        println!(
            "| {:<11} | {:>14.2} | {:>11.2} | {:>15.2} | {:>20.0} | {:>22.2} |",
            format!("{}k->{}k", f64::from(i) / 1000.0, f64::from(o) / 1000.0),
            poly,
            lin,
            poly / lin,
            realtime,
            work
        );
    }
}
