//! The detection-quality requirements, one test each: edge accuracy across rates and timings,
//! robustness (level, noise, G.711, resampling, DC, block sizes) and no false keys. These are tests
//! only; they must not contain timing assertions (the speed figure is a test behind the `surveys` feature that prints).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use crate::test_signals::*;
use crate::{
    detect_all, ms_to_samples, synthesize, tone_layout, Detection, Detector, DetectorEvent, Key,
    ToneSpec,
};

const RATES: [u32; 6] = [8000, 16000, 22050, 24000, 44100, 48000];

fn keys(s: &str) -> Vec<Key> {
    s.chars().map(|c| Key::from_char(c).unwrap()).collect()
}

/// `lead_ms` of silence, the keys laid out by `spec`, then `tail_ms` of silence; with the truth.
fn signal(
    keys: &[Key],
    spec: &ToneSpec,
    rate: u32,
    lead_ms: u64,
    tail_ms: u64,
) -> (Vec<f32>, Vec<Detection>) {
    let lead = ms_to_samples(lead_ms, rate);
    let mut x = vec![0.0f32; lead as usize];
    x.extend(synthesize(keys, spec, rate));
    x.extend(std::iter::repeat_n(
        0.0,
        ms_to_samples(tail_ms, rate) as usize,
    ));
    let truth = tone_layout(keys, spec, rate)
        .into_iter()
        .map(|d| Detection {
            start_sample: d.start_sample + lead,
            end_sample: d.end_sample + lead,
            ..d
        })
        .collect();
    (x, truth)
}

/// Asserts that `found` matches `truth` key for key with both edges within `tol_ms`; returns the
/// largest edge error in ms.
fn assert_matches(
    found: &[Detection],
    truth: &[Detection],
    rate: u32,
    tol_ms: f64,
    what: &str,
) -> f64 {
    let found_keys: String = found.iter().map(|d| d.key.to_char()).collect();
    let truth_keys: String = truth.iter().map(|d| d.key.to_char()).collect();
    assert_eq!(
        found_keys, truth_keys,
        "{what}: keys differ; found {found:?}"
    );
    let ms = |a: u64, b: u64| (a as f64 - b as f64).abs() * 1000.0 / f64::from(rate);
    let mut worst = 0.0f64;
    for (f, t) in found.iter().zip(truth) {
        let (es, ee) = (
            ms(f.start_sample, t.start_sample),
            ms(f.end_sample, t.end_sample),
        );
        assert!(
            es <= tol_ms && ee <= tol_ms,
            "{what}: key {} start error {es:.2} ms, end error {ee:.2} ms (found {f:?}, truth {t:?})",
            t.key
        );
        worst = worst.max(es).max(ee);
    }
    worst
}

#[test]
fn edges_within_10_ms_at_every_rate_tone_and_gap_length() {
    let timings = [
        (60, 50),
        (60, 300),
        (300, 50),
        (100, 100),
        (150, 75),
        (80, 200),
        (300, 300),
    ];
    let sequences = ["1A5#", "0D*9", "2B6C", "3478", "1188", "DD00", "##**"];
    let mut worst = 0.0f64;
    for rate in RATES {
        for (i, &(tone_ms, gap_ms)) in timings.iter().enumerate() {
            let spec = ToneSpec {
                tone_ms,
                gap_ms,
                amplitude: 0.5,
            };
            let (x, truth) = signal(&keys(sequences[i]), &spec, rate, 37, 50);
            let what = format!("{rate} Hz, {tone_ms} ms tones, {gap_ms} ms gaps");
            worst = worst.max(assert_matches(
                &detect_all(&x, rate),
                &truth,
                rate,
                10.0,
                &what,
            ));
        }
    }
    println!("worst edge error {worst:.2} ms");
}

#[test]
fn rates_beyond_the_common_ones_work_too() {
    let spec = ToneSpec {
        tone_ms: 70,
        gap_ms: 60,
        amplitude: 0.5,
    };
    for rate in [11025u32, 32000, 88200, 96000] {
        let (x, truth) = signal(&keys("159D"), &spec, rate, 10, 10);
        assert_matches(
            &detect_all(&x, rate),
            &truth,
            rate,
            10.0,
            &format!("{rate} Hz"),
        );
    }
}

#[test]
fn every_key_is_detected_at_low_and_high_levels() {
    for amplitude in [0.02f32, 0.05, 0.3, 1.0] {
        for rate in [8000u32, 48000] {
            let spec = ToneSpec {
                tone_ms: 80,
                gap_ms: 60,
                amplitude,
            };
            let (x, truth) = signal(&Key::ALL, &spec, rate, 0, 0);
            let what = format!("amplitude {amplitude} at {rate} Hz");
            assert_matches(&detect_all(&x, rate), &truth, rate, 10.0, &what);
        }
    }
}

#[test]
fn white_noise_at_20_db_snr() {
    for (seed, rate) in RATES.iter().enumerate() {
        for amplitude in [0.05f32, 0.5] {
            let spec = ToneSpec {
                tone_ms: 70,
                gap_ms: 60,
                amplitude,
            };
            let (mut x, truth) = signal(&keys("147*2580369#ABCD"), &spec, *rate, 100, 100);
            // Tone power: two sines of amplitude a/2, each a^2/8.
            let tone_power = f64::from(amplitude).powi(2) / 4.0;
            add_noise(&mut x, tone_power, 20.0, seed as u64 + 1);
            let what = format!("20 dB SNR, amplitude {amplitude}, {rate} Hz");
            assert_matches(&detect_all(&x, *rate), &truth, *rate, 10.0, &what);
        }
    }
}

#[test]
fn g711_mu_law_and_a_law_round_trips() {
    for amplitude in [0.03f32, 0.5, 1.0] {
        let spec = ToneSpec {
            tone_ms: 60,
            gap_ms: 50,
            amplitude,
        };
        let (x, truth) = signal(&Key::ALL, &spec, 8000, 20, 20);
        let what = format!("mu-law, amplitude {amplitude}");
        assert_matches(
            &detect_all(&mulaw_round_trip(&x), 8000),
            &truth,
            8000,
            10.0,
            &what,
        );
        let what = format!("A-law, amplitude {amplitude}");
        assert_matches(
            &detect_all(&alaw_round_trip(&x), 8000),
            &truth,
            8000,
            10.0,
            &what,
        );
    }
}

#[test]
fn linear_resampling_in_the_path() {
    let spec = ToneSpec {
        tone_ms: 60,
        gap_ms: 50,
        amplitude: 0.5,
    };
    let (x48, truth48) = signal(&keys("0123456789*#ABCD"), &spec, 48000, 30, 30);
    let scale = |truth: &[Detection], from: u32, to: u32| -> Vec<Detection> {
        truth
            .iter()
            .map(|d| Detection {
                start_sample: d.start_sample * u64::from(to) / u64::from(from),
                end_sample: d.end_sample * u64::from(to) / u64::from(from),
                ..*d
            })
            .collect()
    };
    let x44 = resample_linear(&x48, 48000, 44100);
    let truth44 = scale(&truth48, 48000, 44100);
    assert_matches(
        &detect_all(&x44, 44100),
        &truth44,
        44100,
        10.0,
        "48k -> 44.1k",
    );
    let x16 = resample_linear(&x44, 44100, 16000);
    let truth16 = scale(&truth48, 48000, 16000);
    assert_matches(
        &detect_all(&x16, 16000),
        &truth16,
        16000,
        10.0,
        "48k -> 44.1k -> 16k",
    );
}

#[test]
fn dc_offset_does_not_matter() {
    for (offset, amplitude) in [(0.3f32, 0.5f32), (-0.5, 0.05), (0.9, 0.02)] {
        for rate in [8000u32, 44100] {
            let spec = ToneSpec {
                tone_ms: 60,
                gap_ms: 50,
                amplitude,
            };
            let (mut x, truth) = signal(&keys("19AD*#"), &spec, rate, 0, 40);
            x.iter_mut().for_each(|v| *v += offset);
            let what = format!("DC {offset}, amplitude {amplitude}, {rate} Hz");
            assert_matches(&detect_all(&x, rate), &truth, rate, 10.0, &what);
        }
    }
    // An offset switched on mid-stream (a step) is not a key either.
    let mut x = vec![0.0f32; 4000];
    x.extend(vec![0.5f32; 4000]);
    assert_eq!(detect_all(&x, 8000), vec![]);
}

/// Feeds `x` in blocks of random length, returning every event and checking the streaming
/// invariants on the way.
fn stream(x: &[f32], rate: u32, seed: u64, max_block: usize) -> Vec<DetectorEvent> {
    let mut rng = Rng::new(seed);
    let mut d = Detector::new(rate);
    let mut events = Vec::new();
    let mut rest = x;
    while !rest.is_empty() {
        let n = rng.range(1, max_block).min(rest.len());
        let (block, r) = rest.split_at(n);
        rest = r;
        d.feed(block);
        while let Some(e) = d.poll() {
            events.push(e);
        }
        // `current` mirrors the last event.
        match events.last() {
            Some(DetectorEvent::KeyDown { key, start_sample }) => {
                assert_eq!(d.current(), Some((*key, *start_sample)));
            }
            _ => assert_eq!(d.current(), None),
        }
    }
    assert_eq!(d.samples_fed(), x.len() as u64);
    d.finish();
    assert_eq!(d.current(), None);
    while let Some(e) = d.poll() {
        events.push(e);
    }
    events
}

#[test]
fn random_block_sizes_give_identical_detections() {
    for (seed, rate) in [(1u64, 8000u32), (2, 22050), (3, 48000)] {
        let spec = ToneSpec {
            tone_ms: 70,
            gap_ms: 55,
            amplitude: 0.4,
        };
        let (mut x, truth) = signal(&keys("5D#0A*19"), &spec, rate, 13, 0);
        add_noise(&mut x, 0.04, 25.0, seed);
        let whole = detect_all(&x, rate);
        assert_matches(&whole, &truth, rate, 10.0, "one block");
        for max_block in [1usize, 7, 2000] {
            let events = stream(&x, rate, seed * 31 + max_block as u64, max_block);
            // KeyDown then KeyUp for each key, with the same start.
            let mut ups = Vec::new();
            for pair in events.chunks(2) {
                match pair {
                    [DetectorEvent::KeyDown { key, start_sample }, DetectorEvent::KeyUp(d)] => {
                        assert_eq!((*key, *start_sample), (d.key, d.start_sample));
                        ups.push(*d);
                    }
                    other => panic!("unexpected event order {other:?}"),
                }
            }
            assert_eq!(ups, whole, "blocks of 1..={max_block} at {rate} Hz");
        }
    }
}

#[test]
fn a_tone_cut_by_the_end_of_input_ends_there() {
    let rate = 16000;
    let mut x = vec![0.0f32; 800];
    crate::tone(Key::D7, 120, 0.5, rate, &mut x);
    x.truncate(800 + 1600); // 100 ms of the 120 ms tone
    let found = detect_all(&x, rate);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, Key::D7);
    assert!((found[0].start_sample as i64 - 800).abs() <= 160);
    assert!(found[0].end_sample <= x.len() as u64 && found[0].end_sample + 160 >= x.len() as u64);
}

#[test]
fn finish_then_more_input_continues_the_timeline() {
    let rate = 8000;
    let spec = ToneSpec {
        tone_ms: 80,
        gap_ms: 80,
        amplitude: 0.5,
    };
    let (x, truth) = signal(&keys("36"), &spec, rate, 40, 0);
    let mut d = Detector::new(rate);
    let mut found = Vec::new();
    for _ in 0..2 {
        d.feed(&x);
        d.finish();
        while let Some(e) = d.poll() {
            if let DetectorEvent::KeyUp(det) = e {
                found.push(det);
            }
        }
    }
    let offset = x.len() as u64;
    let mut both = truth.clone();
    both.extend(truth.iter().map(|t| Detection {
        start_sample: t.start_sample + offset,
        end_sample: t.end_sample + offset,
        ..*t
    }));
    assert_matches(&found, &both, rate, 10.0, "two segments");
}

#[test]
fn debounce_rejects_short_bursts_and_bridges_short_dropouts() {
    let rate = 8000;
    for (ms, expected) in [(15u32, 0usize), (25, 0), (45, 1), (60, 1)] {
        let mut x = vec![0.0f32; 400];
        crate::tone(Key::D4, ms, 0.5, rate, &mut x);
        x.extend(vec![0.0f32; 400]);
        assert_eq!(detect_all(&x, rate).len(), expected, "{ms} ms tone");
    }
    // A 10 ms dropout inside a tone is one key; a 40 ms gap is two.
    for (gap, expected) in [(10usize, 1usize), (40, 2)] {
        let mut x = vec![0.0f32; 400];
        crate::tone(Key::B, 80, 0.5, rate, &mut x);
        x.extend(vec![0.0f32; gap * 8]);
        crate::tone(Key::B, 80, 0.5, rate, &mut x);
        x.extend(vec![0.0f32; 400]);
        assert_eq!(detect_all(&x, rate).len(), expected, "{gap} ms gap");
    }
}

#[test]
fn a_key_change_without_gap_splits_the_tones() {
    let rate = 16000;
    let mut x = vec![0.0f32; 1600];
    crate::tone(Key::D1, 100, 0.5, rate, &mut x);
    crate::tone(Key::D9, 100, 0.5, rate, &mut x);
    x.extend(vec![0.0f32; 1600]);
    let found = detect_all(&x, rate);
    let truth = [
        Detection {
            key: Key::D1,
            start_sample: 1600,
            end_sample: 3200,
        },
        Detection {
            key: Key::D9,
            start_sample: 3200,
            end_sample: 4800,
        },
    ];
    assert_matches(&found, &truth, rate, 10.0, "back-to-back keys");
}

#[test]
fn no_false_keys() {
    for rate in [8000u32, 16000, 44100, 48000] {
        let len = rate as usize * 2;
        let mut cases: Vec<(String, Vec<f32>)> = vec![
            ("silence".into(), vec![0.0; len]),
            ("white noise 0.1".into(), noise(len, 0.1, 7)),
            ("white noise 0.5".into(), noise(len, 0.5, 8)),
            ("tiny noise".into(), noise(len, 0.0005, 9)),
            ("440 Hz".into(), sine(440.0, 0.8, len, rate)),
            (
                "sweep 100-3900 Hz".into(),
                sweep(100.0, 3900.0, 0.7, len, rate),
            ),
            (
                "fast sweep 3900-100 Hz".into(),
                sweep(3900.0, 100.0, 0.7, len / 4, rate),
            ),
        ];
        for f in crate::ROW_FREQUENCIES
            .iter()
            .chain(&crate::COLUMN_FREQUENCIES)
        {
            cases.push((format!("{f} Hz"), sine(f64::from(*f), 0.5, len / 2, rate)));
        }
        // A tone pair with the second tone far too weak (12 dB of twist) is not a key either.
        let mut twisted = sine(697.0, 0.5, len / 2, rate);
        for (v, w) in twisted.iter_mut().zip(sine(1209.0, 0.125, len / 2, rate)) {
            *v += w;
        }
        cases.push(("12 dB reverse twist".into(), twisted));
        // Clicks every 50 ms.
        let clicks: Vec<f32> = (0..len)
            .map(|n| {
                if n % (rate as usize / 20) == 0 {
                    0.9
                } else {
                    0.0
                }
            })
            .collect();
        cases.push(("clicks".into(), clicks));
        // Voiced-speech-like buzz: a sawtooth whose pitch glides 90-220 Hz has harmonics passing
        // through every DTMF frequency pair at once.
        let mut phase = 0.0f64;
        let buzz: Vec<f32> = (0..len)
            .map(|n| {
                let t = n as f64 / f64::from(rate);
                let f0 = 155.0 + 65.0 * (std::f64::consts::TAU * 1.5 * t).sin();
                phase = (phase + f0 / f64::from(rate)).fract();
                (0.5 * (2.0 * phase - 1.0)) as f32
            })
            .collect();
        cases.push(("gliding buzz".into(), buzz));
        for (name, x) in cases {
            assert_eq!(detect_all(&x, rate), vec![], "{name} at {rate} Hz");
        }
    }
}

#[test]
fn rates_too_low_for_dtmf_report_nothing() {
    let spec = ToneSpec::default();
    let x = synthesize(&keys("123"), &spec, 3000);
    assert_eq!(detect_all(&x, 3000), vec![]);
    assert_eq!(detect_all(&x, 0), vec![]);
}

/// Speed figure for the report: `cargo test -p dtmf --release --features surveys -- --nocapture speed`.
#[cfg(feature = "surveys")]
#[test]
fn speed_ns_per_sample() {
    let rate = 48000;
    let spec = ToneSpec {
        tone_ms: 100,
        gap_ms: 100,
        amplitude: 0.5,
    };
    let mut x = Vec::new();
    while x.len() < rate as usize * 60 {
        x.extend(synthesize(&keys("0123456789"), &spec, rate));
    }
    add_noise(&mut x, 0.0625, 30.0, 5);
    let mut d = Detector::new(rate);
    let t = std::time::Instant::now();
    for block in x.chunks(128) {
        d.feed(block);
        while d.poll().is_some() {}
    }
    let elapsed = t.elapsed();
    let ns = elapsed.as_nanos() as f64 / x.len() as f64;
    println!(
        "{ns:.2} ns/sample; a 48 kHz stream uses {:.3}% of a core",
        ns * 48000.0 / 1e9 * 100.0
    );
}

/// One random scenario inside the required envelope: rate, tone 60-300 ms, gap 50-300 ms,
/// amplitude 0.02-1.0, a random lead, and one degradation (none, 20 dB noise, G.711, DC, resampling).
/// Returns the largest edge error in ms.
fn random_scenario(seed: u64) -> f64 {
    let mut rng = Rng::new(seed);
    let rate = RATES[rng.range(0, RATES.len() - 1)];
    let tone_ms = rng.range(60, 300) as u32;
    let gap_ms = rng.range(50, 300) as u32;
    let amplitude = (0.02f64 * 50f64.powf(rng.uniform())) as f32;
    let n_keys = rng.range(2, 6);
    let keys: Vec<Key> = (0..n_keys).map(|_| Key::ALL[rng.range(0, 15)]).collect();
    let lead_ms = rng.range(0, 97) as u64;
    let spec = ToneSpec {
        tone_ms,
        gap_ms,
        amplitude,
    };
    let (mut x, mut truth) = signal(&keys, &spec, rate, lead_ms, 30);
    let mut detect_rate = rate;
    let degradation = rng.range(0, 4);
    match degradation {
        1 => add_noise(&mut x, f64::from(amplitude).powi(2) / 4.0, 20.0, seed),
        2 => {
            x = if seed.is_multiple_of(2) {
                mulaw_round_trip(&x)
            } else {
                alaw_round_trip(&x)
            };
        }
        3 => {
            let dc = (rng.uniform() - 0.5) as f32;
            x.iter_mut().for_each(|v| *v += dc);
        }
        4 => {
            let to = [16000u32, 44100, 48000, 8000][rng.range(0, 3)];
            x = resample_linear(&x, rate, to);
            for d in &mut truth {
                d.start_sample = d.start_sample * u64::from(to) / u64::from(rate);
                d.end_sample = d.end_sample * u64::from(to) / u64::from(rate);
            }
            detect_rate = to;
        }
        _ => {}
    }
    let what = format!(
        "seed {seed}: {rate} Hz, {tone_ms}/{gap_ms} ms, amplitude {amplitude:.3}, lead {lead_ms} ms, degradation {degradation}"
    );
    assert_matches(
        &detect_all(&x, detect_rate),
        &truth,
        detect_rate,
        10.0,
        &what,
    )
}

#[test]
fn random_scenarios_within_the_envelope() {
    let worst = (1..=25u64).map(random_scenario).fold(0.0, f64::max);
    println!("worst edge error {worst:.2} ms");
}

/// The same, many more: `cargo test -p dtmf --release --features surveys -- --nocapture many_random`.
#[cfg(feature = "surveys")]
#[test]
fn many_random_scenarios() {
    let worst = (1000..6000u64).map(random_scenario).fold(0.0, f64::max);
    println!("worst edge error over 5000 scenarios {worst:.2} ms");
}

/// Talk-off: sustained vowels at steady pitches whose harmonics land near DTMF pairs. Returns the
/// detections found (none expected) and the number of vowels tried.
fn vowel_talk_off(
    pitches: impl Iterator<Item = f64>,
    rate: u32,
) -> (Vec<(String, Detection)>, usize) {
    // (F1, F2) pairs of English vowels plus pairs placed right on DTMF rows/columns.
    let vowels: [(&str, f64, f64); 8] = [
        ("a", 730.0, 1090.0),
        ("ae", 660.0, 1720.0),
        ("o", 570.0, 840.0),
        ("u", 300.0, 870.0),
        ("er", 490.0, 1350.0),
        ("uh", 640.0, 1190.0),
        ("on 1", 697.0, 1209.0),
        ("on 9", 852.0, 1477.0),
    ];
    let mut found = Vec::new();
    let mut tried = 0;
    for f0 in pitches {
        for (name, f1, f2) in vowels {
            let x = vowel(
                f0,
                &[(f1, 60.0), (f2, 80.0), (2500.0, 120.0)],
                0.5,
                rate as usize / 2,
                rate,
            );
            tried += 1;
            for d in detect_all(&x, rate) {
                found.push((format!("{name} at {f0} Hz"), d));
            }
        }
    }
    (found, tried)
}

#[test]
fn sustained_vowels_are_not_keys() {
    let (found, _) = vowel_talk_off((0..12).map(|i| 85.0 + 15.0 * f64::from(i)), 16000);
    assert!(found.is_empty(), "{found:?}");
}

/// Talk-off survey over a fine pitch grid: `cargo test -p dtmf --release --features surveys -- --nocapture talk_off`.
#[cfg(feature = "surveys")]
#[test]
fn talk_off_survey() {
    let (found, tried) = vowel_talk_off((0..400).map(|i| 80.0 + 0.5 * f64::from(i)), 8000);
    println!(
        "{} detections in {tried} half-second vowels: {found:?}",
        found.len()
    );
}

/// Debounce figures for the README: the shortest tone confirmed and the shortest gap that splits
/// two tones, per rate. `cargo test -p dtmf --release --features surveys -- --nocapture debounce_survey`.
#[cfg(feature = "surveys")]
#[test]
fn debounce_survey() {
    for rate in RATES {
        let count = |tone_ms: u32, gap_ms: usize| {
            let mut x = vec![0.0f32; rate as usize / 10];
            crate::tone(Key::D5, tone_ms, 0.5, rate, &mut x);
            if gap_ms > 0 {
                x.extend(vec![0.0f32; gap_ms * rate as usize / 1000]);
                crate::tone(Key::D5, tone_ms, 0.5, rate, &mut x);
            }
            x.extend(vec![0.0f32; rate as usize / 10]);
            detect_all(&x, rate).len()
        };
        let shortest_tone = (1..100).find(|&ms| count(ms, 0) == 1).unwrap();
        let shortest_gap = (1..100).find(|&ms| count(100, ms) == 2).unwrap();
        // Latency: how long after the true edge each event comes out, feeding 1 ms blocks.
        let (x, truth) = signal(&keys("7"), &ToneSpec::default(), rate, 100, 100);
        let mut d = Detector::new(rate);
        let (mut down, mut up) = (0u64, 0u64);
        for block in x.chunks(rate as usize / 1000) {
            d.feed(block);
            while let Some(e) = d.poll() {
                match e {
                    DetectorEvent::KeyDown { .. } => down = d.samples_fed() - truth[0].start_sample,
                    DetectorEvent::KeyUp(_) => up = d.samples_fed() - truth[0].end_sample,
                }
            }
        }
        let ms = |s: u64| s * 1000 / u64::from(rate);
        println!(
            "{rate} Hz: shortest tone {shortest_tone} ms, shortest splitting gap {shortest_gap} ms, key-down {} ms and key-up {} ms after the edge",
            ms(down),
            ms(up)
        );
    }
}

#[test]
fn twist_limits_are_8_db_forward_and_4_db_reverse() {
    let rate = 8000;
    let len = rate as usize / 5;
    // (row amplitude, column amplitude, detected?)
    let db = |d: f64| 0.25 * 10f64.powf(d / 20.0);
    let cases = [
        (0.25, db(6.0), true),   // column 6 dB up: normal (forward) twist
        (0.25, db(10.0), false), // column 10 dB up
        (db(3.0), 0.25, true),   // row 3 dB up: reverse twist
        (db(6.0), 0.25, false),  // row 6 dB up
    ];
    for (row, column, expected) in cases {
        let mut x = vec![0.0f32; 400];
        let tone: Vec<f32> = sine(852.0, row, len, rate)
            .iter()
            .zip(sine(1336.0, column, len, rate))
            .map(|(a, b)| a + b)
            .collect();
        x.extend(tone);
        x.extend(vec![0.0f32; 400]);
        let found = detect_all(&x, rate);
        assert_eq!(
            found.len(),
            usize::from(expected),
            "row {row:.3}, column {column:.3}: {found:?}"
        );
        if expected {
            assert_eq!(found[0].key, Key::D8);
        }
    }
}

/// Long-run false-key survey on noise: `cargo test -p dtmf --release --features surveys -- --nocapture noise_survey`.
#[cfg(feature = "surveys")]
#[test]
fn noise_survey() {
    let rate = 8000;
    let mut total = 0;
    for (i, rms) in [0.001, 0.01, 0.1, 0.3, 0.7].iter().enumerate() {
        // Ten minutes per level, fed in blocks as a server would.
        let mut d = Detector::new(rate);
        for chunk in 0..600u64 {
            d.feed(&noise(rate as usize, *rms, 1000 * i as u64 + chunk + 1));
        }
        d.finish();
        let mut n = 0;
        while let Some(e) = d.poll() {
            if matches!(e, DetectorEvent::KeyUp(_)) {
                n += 1;
            }
        }
        println!("white noise rms {rms}: {n} keys in 10 minutes");
        total += n;
    }
    assert_eq!(total, 0);
}
