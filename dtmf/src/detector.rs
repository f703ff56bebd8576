//! Streaming DTMF detection: windows of whole hops from the Goertzel bank are classified (both a row
//! and a column tone dominant, twist limits, tone-to-total energy), runs of classified windows are
//! debounced into key-down / key-up events, and each edge is refined from how much of the tone the
//! windows around it saw. It owns the decision "which key sounds when"; it must not allocate per
//! sample, read clocks or touch files (it runs in the browser and in the server's hot path).
//!
//! Parameters (see README.md for the reasoning and measured figures):
//! - hop 5 ms, window 5 hops = 25 ms, rectangular: separates the closest pair (697/770 Hz, 73 Hz
//!   apart = 1.8 bins) by about 20 dB, while the window stays well under the shortest valid tone.
//! - a window is a key when the strongest row and column are each 8 dB above the rest of their
//!   group, the column is at most 8 dB above the row (forward twist) and the row at most 4 dB above
//!   the column (reverse twist), both tones carry at least 70% of the window's energy, and each is
//!   above -57 dBFS.
//! - a key is confirmed after 6 consecutive key windows (tones from 39 ms count) and ends after 7
//!   windows without it (gaps from 22 ms split); a different key confirmed meanwhile ends it at once.

use std::collections::VecDeque;

use crate::goertzel::{HopAnalyzer, HopSpectrum, BANDS};
use crate::key::Key;

/// Hop length: the time resolution of the decisions.
const HOP_MS: f64 = 5.0;
/// Window length in hops (25 ms with 5 ms hops).
const WINDOW_HOPS: usize = 5;
/// Consecutive key windows needed to confirm a key.
const ON_WINDOWS: u32 = 6;
/// Consecutive windows without the key needed to end it.
const OFF_WINDOWS: u32 = 7;
/// Strongest tone of a group over any other tone of that group (8 dB, as a power ratio).
const GROUP_DOMINANCE: f32 = 6.31;
/// Column power over row power, at most (forward twist, 8 dB).
const FORWARD_TWIST: f32 = 6.31;
/// Row power over column power, at most (reverse twist, 4 dB).
const REVERSE_TWIST: f32 = 2.51;
/// Share of the window's energy that the two tones must carry. A fully covered clean tone scores
/// about 1.0; a window that sees a fraction `c` of a tone in silence scores about `c`, so this is
/// also the coverage at which a window starts counting.
const TONE_TO_TOTAL: f32 = 0.7;
/// Minimum power of each tone (a sine of amplitude 0.002, -57 dBFS), so dither and codec idle noise
/// never count.
const MIN_TONE_POWER: f32 = 2.0e-6;
/// Lowest rate that carries 1633 Hz with margin; below it the detector reports nothing.
const MIN_SAMPLE_RATE: u32 = 4000;
/// Windows kept for edge refinement; must cover a confirmation run plus the windows around it.
const HISTORY_WINDOWS: usize = 32;
/// Coverage range in which a window's tone power gives a usable edge position: below it noise
/// dominates, above it the window is essentially full.
const EDGE_COVERAGE: (f32, f32) = (0.15, 0.85);
/// Coverage at which a window counts as fully inside the tone.
const FULL_COVERAGE: f32 = 0.9;

/// One detected key press: which key, and where it sounded, in samples of the detector's input
/// (the first sample fed is 0; `end_sample` is one past the last sample of the tone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Detection {
    /// The key.
    pub key: Key,
    /// First sample of the tone.
    pub start_sample: u64,
    /// One past the last sample of the tone.
    pub end_sample: u64,
}

/// What [`Detector::poll`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetectorEvent {
    /// A tone has been confirmed (about 45 ms after it started); it may still be sounding.
    KeyDown {
        /// The key.
        key: Key,
        /// First sample of the tone, as later reported in the matching [`DetectorEvent::KeyUp`].
        start_sample: u64,
    },
    /// A confirmed tone has ended (about 40 ms after its end, or at [`Detector::finish`]).
    KeyUp(Detection),
}

/// One analysed window.
#[derive(Debug, Clone, Copy)]
struct WindowStat {
    /// Index of the window's last hop within the current segment.
    index: u64,
    /// First sample of the window on the detector's timeline; negative while the window still
    /// reaches before the segment's start (that part is silence).
    start: i64,
    power: [f32; BANDS],
}

impl WindowStat {
    /// Power at `key`'s two frequencies.
    fn key_power(&self, key: Key) -> f32 {
        let (row, column) = key.position();
        self.power.get(row).copied().unwrap_or(0.0)
            + self.power.get(4 + column).copied().unwrap_or(0.0)
    }
}

/// Consecutive windows classified as the same key, not yet confirmed.
#[derive(Debug, Clone, Copy)]
struct Run {
    key: Key,
    first: u64,
    count: u32,
}

/// The confirmed key currently sounding.
#[derive(Debug, Clone, Copy)]
struct Sounding {
    key: Key,
    start: u64,
    last_hit: u64,
    misses: u32,
}

/// Streaming DTMF detector for one audio stream (mono `f32` samples, nominally in `-1.0..=1.0`).
///
/// Feed any block sizes; the detections do not depend on how the input is split. Drain events with
/// [`Detector::poll`] after each [`Detector::feed`].
#[derive(Debug, Clone)]
pub struct Detector {
    sample_rate: u32,
    hop_len: usize,
    analyzer: HopAnalyzer,
    /// The last `WINDOW_HOPS` hops, as a ring; zero hops stand for silence before the segment.
    hops: [HopSpectrum; WINDOW_HOPS],
    hop_cursor: usize,
    /// Hops completed in the current segment.
    hop_count: u64,
    /// Timeline position of the current segment's first sample (a segment ends at `finish`).
    segment_base: u64,
    samples_fed: u64,
    history: VecDeque<WindowStat>,
    run: Option<Run>,
    sounding: Option<Sounding>,
    events: VecDeque<DetectorEvent>,
}

impl Detector {
    /// A detector for audio at `sample_rate` Hz. Designed and tested for 8000 to 96000; rates below
    /// 4000 cannot carry DTMF and yield a detector that never reports a key.
    pub fn new(sample_rate: u32) -> Detector {
        let hop_len = ((f64::from(sample_rate) * HOP_MS / 1000.0).round() as usize).max(1);
        Detector {
            sample_rate,
            hop_len,
            analyzer: HopAnalyzer::new(sample_rate, hop_len),
            hops: [HopSpectrum::default(); WINDOW_HOPS],
            hop_cursor: 0,
            hop_count: 0,
            segment_base: 0,
            samples_fed: 0,
            history: VecDeque::with_capacity(HISTORY_WINDOWS),
            run: None,
            sounding: None,
            events: VecDeque::new(),
        }
    }

    /// The sample rate given to [`Detector::new`].
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Analyses the next samples of the stream. Non-finite samples count as silence.
    pub fn feed(&mut self, samples: &[f32]) {
        self.samples_fed = self
            .samples_fed
            .saturating_add(u64::try_from(samples.len()).unwrap_or(u64::MAX));
        self.analyse(samples);
    }

    /// The next event, oldest first; `None` when there is nothing new.
    pub fn poll(&mut self) -> Option<DetectorEvent> {
        self.events.pop_front()
    }

    /// The confirmed key sounding now and its start sample.
    pub fn current(&self) -> Option<(Key, u64)> {
        self.sounding.map(|s| (s.key, s.start))
    }

    /// Ends the input: analyses it as if followed by silence, so a tone still sounding gets its
    /// [`DetectorEvent::KeyUp`] (ending at most at [`Detector::samples_fed`]). Samples fed
    /// afterwards start a fresh analysis whose positions continue the same timeline.
    pub fn finish(&mut self) {
        const ZEROS: [f32; 256] = [0.0; 256];
        let mut pad = self.analyzer.remaining_in_hop()
            + (WINDOW_HOPS + OFF_WINDOWS as usize + 1) * self.hop_len;
        while pad > 0 {
            let n = pad.min(ZEROS.len());
            self.analyse(ZEROS.get(..n).unwrap_or(&[]));
            pad -= n;
        }
        if self.sounding.is_some() {
            self.close_sounding();
        }
        self.analyzer = HopAnalyzer::new(self.sample_rate, self.hop_len);
        self.hops = [HopSpectrum::default(); WINDOW_HOPS];
        self.hop_cursor = 0;
        self.hop_count = 0;
        self.segment_base = self.samples_fed;
        self.history.clear();
        self.run = None;
    }

    /// Number of samples given to [`Detector::feed`] so far.
    pub fn samples_fed(&self) -> u64 {
        self.samples_fed
    }

    /// Window length in samples: the span of signal each decision looks at.
    fn window_len(&self) -> usize {
        self.hop_len * WINDOW_HOPS
    }

    fn analyse(&mut self, samples: &[f32]) {
        let mut rest = samples;
        while !rest.is_empty() {
            let (used, hop) = self.analyzer.push(rest);
            rest = rest.split_at_checked(used).map_or(&[][..], |(_, r)| r);
            if let Some(hop) = hop {
                self.on_hop(hop);
            }
            if used == 0 {
                break;
            }
        }
    }

    fn on_hop(&mut self, hop: HopSpectrum) {
        if let Some(slot) = self.hops.get_mut(self.hop_cursor) {
            *slot = hop;
        }
        self.hop_cursor = (self.hop_cursor + 1) % WINDOW_HOPS;
        let index = self.hop_count;
        self.hop_count += 1;

        let mut re = [0.0f32; BANDS];
        let mut im = [0.0f32; BANDS];
        let mut energy = 0.0f32;
        for h in &self.hops {
            for ((r, i), (hr, hi)) in re.iter_mut().zip(im.iter_mut()).zip(h.re.iter().zip(&h.im)) {
                *r += hr;
                *i += hi;
            }
            energy += h.energy;
        }
        let n = self.window_len() as f32;
        // 2|X|^2/N^2 is the power of a sine of amplitude A (A^2/2); energy/N is the mean power.
        let scale = 2.0 / (n * n);
        let mut power = [0.0f32; BANDS];
        for (p, (r, i)) in power.iter_mut().zip(re.iter().zip(&im)) {
            *p = (r * r + i * i) * scale;
        }
        let mean_power = energy / n;
        let key = if self.sample_rate < MIN_SAMPLE_RATE {
            None
        } else {
            classify(&power, mean_power)
        };
        let end = self
            .segment_base
            .saturating_add((index + 1).saturating_mul(self.hop_len as u64));
        let start = i64::try_from(end).unwrap_or(i64::MAX) - self.window_len() as i64;
        if self.history.len() == HISTORY_WINDOWS {
            self.history.pop_front();
        }
        self.history.push_back(WindowStat {
            index,
            start,
            power,
        });
        self.on_window(index, key);
    }

    fn on_window(&mut self, index: u64, key: Option<Key>) {
        if let Some(mut s) = self.sounding {
            if key == Some(s.key) {
                s.last_hit = index;
                s.misses = 0;
                self.sounding = Some(s);
                self.run = None;
                return;
            }
            s.misses += 1;
            self.sounding = Some(s);
            self.extend_run(index, key);
            let other_confirmed = self.run.is_some_and(|r| r.count >= ON_WINDOWS);
            if other_confirmed || s.misses >= OFF_WINDOWS {
                self.close_sounding();
            }
            if other_confirmed {
                self.open_run();
            }
        } else {
            self.extend_run(index, key);
            if self.run.is_some_and(|r| r.count >= ON_WINDOWS) {
                self.open_run();
            }
        }
    }

    fn extend_run(&mut self, index: u64, key: Option<Key>) {
        self.run = match (self.run, key) {
            (_, None) => None,
            (Some(r), Some(k)) if r.key == k => Some(Run {
                count: r.count + 1,
                ..r
            }),
            (_, Some(k)) => Some(Run {
                key: k,
                first: index,
                count: 1,
            }),
        };
    }

    /// Confirms the current run as the sounding key.
    fn open_run(&mut self) {
        let Some(run) = self.run.take() else {
            return;
        };
        let start = self.refine_start(run.key, run.first);
        self.sounding = Some(Sounding {
            key: run.key,
            start,
            last_hit: run.first + u64::from(run.count) - 1,
            misses: 0,
        });
        self.events.push_back(DetectorEvent::KeyDown {
            key: run.key,
            start_sample: start,
        });
    }

    fn close_sounding(&mut self) {
        let Some(s) = self.sounding.take() else {
            return;
        };
        let end = self
            .refine_end(s.key, s.last_hit)
            .min(self.samples_fed)
            .max(s.start);
        self.events.push_back(DetectorEvent::KeyUp(Detection {
            key: s.key,
            start_sample: s.start,
            end_sample: end,
        }));
    }

    /// Windows of the history whose index lies in `from..=to`.
    fn windows(&self, from: u64, to: u64) -> impl Iterator<Item = &WindowStat> + '_ {
        self.history
            .iter()
            .filter(move |w| w.index >= from && w.index <= to)
    }

    /// Start of the tone whose first key window is `first`. A window that sees the tone's first
    /// `c * N` samples has `c^2` of the steady tone power (the DFT of a partial sine grows linearly
    /// with its length), so each partly covered window places the edge at `start + N (1 - c)`;
    /// the estimate is the mean over those windows, which makes it finer than the hop.
    fn refine_start(&self, key: Key, first: u64) -> u64 {
        let k = WINDOW_HOPS as u64;
        let n = self.window_len() as f32;
        let steady = self
            .windows(first, first + k + 1)
            .map(|w| w.key_power(key))
            .fold(0.0f32, f32::max);
        let fallback = self.window_start(first) + f64::from(n * (1.0 - TONE_TO_TOTAL));
        if steady <= 0.0 {
            return self.clamp_position(fallback);
        }
        let coverage = |w: &WindowStat| (w.key_power(key) / steady).sqrt();
        let first_full = self
            .windows(first.saturating_sub(k), first + k)
            .find(|w| coverage(w) >= FULL_COVERAGE)
            .map_or(first + k, |w| w.index);
        let (sum, count) = self
            .windows(first.saturating_sub(k), first_full)
            .filter(|w| w.index < first_full)
            .map(|w| (w, coverage(w)))
            .filter(|(_, c)| (EDGE_COVERAGE.0..=EDGE_COVERAGE.1).contains(c))
            .fold((0.0f64, 0u32), |(s, c), (w, cov)| {
                (s + w.start as f64 + f64::from(n * (1.0 - cov)), c + 1)
            });
        if count == 0 {
            self.clamp_position(fallback)
        } else {
            self.clamp_position(sum / f64::from(count))
        }
    }

    /// End of the tone whose last key window is `last_hit`; the mirror of [`Self::refine_start`]:
    /// a window that sees the tone's last `c * N` samples places the edge at `start + N c`.
    fn refine_end(&self, key: Key, last_hit: u64) -> u64 {
        let k = WINDOW_HOPS as u64;
        let n = self.window_len() as f32;
        let steady = self
            .windows(last_hit.saturating_sub(k + 1), last_hit)
            .map(|w| w.key_power(key))
            .fold(0.0f32, f32::max);
        let fallback = self.window_start(last_hit) + f64::from(n * TONE_TO_TOTAL);
        if steady <= 0.0 {
            return self.clamp_position(fallback);
        }
        let coverage = |w: &WindowStat| (w.key_power(key) / steady).sqrt();
        let last_full = self
            .windows(last_hit.saturating_sub(k + 1), last_hit + k)
            .filter(|w| coverage(w) >= FULL_COVERAGE)
            .map(|w| w.index)
            .max()
            .unwrap_or(last_hit.saturating_sub(k));
        let (sum, count) = self
            .windows(last_full + 1, last_hit + k)
            .map(|w| (w, coverage(w)))
            .filter(|(_, c)| (EDGE_COVERAGE.0..=EDGE_COVERAGE.1).contains(c))
            .fold((0.0f64, 0u32), |(s, c), (w, cov)| {
                (s + w.start as f64 + f64::from(n * cov), c + 1)
            });
        if count == 0 {
            self.clamp_position(fallback)
        } else {
            self.clamp_position(sum / f64::from(count))
        }
    }

    /// Timeline position of window `index`'s first sample (may be before the segment's start).
    fn window_start(&self, index: u64) -> f64 {
        self.segment_base as f64 + ((index + 1) as f64) * self.hop_len as f64
            - self.window_len() as f64
    }

    /// Rounds a position and keeps it inside the current segment's fed samples.
    fn clamp_position(&self, position: f64) -> u64 {
        let rounded = position.round().max(self.segment_base as f64);
        (rounded as u64).min(self.samples_fed.max(self.segment_base))
    }
}

/// Classifies one window from its band powers and mean power.
fn classify(power: &[f32; BANDS], mean_power: f32) -> Option<Key> {
    let (rows, columns) = power.split_at(4);
    let (row, row_power) = strongest(rows)?;
    let (column, column_power) = strongest(columns)?;
    if row_power < MIN_TONE_POWER || column_power < MIN_TONE_POWER {
        return None;
    }
    if column_power > row_power * FORWARD_TWIST || row_power > column_power * REVERSE_TWIST {
        return None;
    }
    let dominant = |group: &[f32], best: usize, best_power: f32| {
        group
            .iter()
            .enumerate()
            .all(|(i, &p)| i == best || p * GROUP_DOMINANCE <= best_power)
    };
    if !dominant(rows, row, row_power) || !dominant(columns, column, column_power) {
        return None;
    }
    if row_power + column_power < TONE_TO_TOTAL * mean_power {
        return None;
    }
    Key::from_position(row, column)
}

/// Index and value of the largest element.
fn strongest(group: &[f32]) -> Option<(usize, f32)> {
    group
        .iter()
        .copied()
        .enumerate()
        .fold(None, |best, (i, p)| match best {
            Some((_, bp)) if bp >= p => best,
            _ => Some((i, p)),
        })
}

/// Every key in `samples` (one complete recording at `sample_rate` Hz), in order.
pub fn detect_all(samples: &[f32], sample_rate: u32) -> Vec<Detection> {
    let mut detector = Detector::new(sample_rate);
    detector.feed(samples);
    detector.finish();
    let mut out = Vec::new();
    while let Some(event) = detector.poll() {
        if let DetectorEvent::KeyUp(d) = event {
            out.push(d);
        }
    }
    out
}
