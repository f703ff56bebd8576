//! Scheduling text-to-speech audio into the playback worklet, as a sans-IO state machine.
//!
//! The worklet (`js/playback-processor.js`) owns a bounded ring at the audio context's rate. This side keeps the
//! rest: the encoded backlog (bytes as the server sent them, decoded only when the ring has room, so a long answer
//! costs its encoded size, not 4 bytes per sample at 48 kHz), the decoder and resampler, segment numbering (one
//! segment per Flush), the mapping from segments to Flush sequence ids, and the clear generation. It never reads
//! a clock (times are passed in) and never touches the browser: `web/playback.rs` posts its
//! [`PlayoutCommand`]s to the worklet and feeds the worklet's reports back as [`WorkletReport`]s.
//!
//! Flow control: the worklet reports, every ~20 ms while active, how many samples it has received and holds; this
//! side posts a block only while `posted - received + buffered + block ≤ ahead_samples`, so the ring never
//! overflows and a busy main thread has up to `ahead_samples` of audio in hand before it can cause an underrun.

use std::collections::VecDeque;

use super::error::AudioError;
use super::playback::PlaybackDecoder;
use super::sample_format::SampleFormat;

/// Sizes of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayoutConfig {
    /// Samples per block posted to the worklet (20 ms at the context rate is the default).
    pub block_samples: usize,
    /// Most samples held by the worklet at once (at most its ring capacity).
    pub ahead_samples: usize,
}

/// Something to post to the worklet, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayoutCommand {
    /// Audio at the context rate.
    Block {
        /// Mono samples.
        samples: Vec<f32>,
        /// The clear generation they belong to (the worklet drops older ones).
        generation: u32,
        /// The segment (Flush) they belong to.
        segment: u32,
    },
    /// The segment's last block has been posted.
    End {
        /// The clear generation.
        generation: u32,
        /// The segment that ends.
        segment: u32,
    },
    /// Drop everything queued, with a short fade; blocks of older generations are stale from now on.
    Clear {
        /// The new generation.
        generation: u32,
    },
}

/// What the worklet reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WorkletReport {
    /// Periodic state, for flow control.
    Progress {
        /// Samples in the ring now.
        buffered: u64,
        /// Samples received ever (stale ones included).
        received: u64,
        /// Samples rendered ever.
        played: u64,
        /// Samples that did not fit in the ring ever (0 unless flow control failed).
        dropped: u64,
    },
    /// A segment's first sample was rendered at context frame `frame`.
    Started {
        /// The segment.
        segment: u32,
        /// Context frame.
        frame: f64,
    },
    /// A segment's last sample was rendered.
    Ended {
        /// The segment.
        segment: u32,
        /// Samples of it rendered.
        played: u64,
        /// Context frame just after its last sample.
        frame: f64,
    },
    /// A clear took effect: the output is silent from `frame`.
    Cleared {
        /// The generation that started.
        generation: u32,
        /// The segment that was interrupted, if one was playing.
        segment: Option<u32>,
        /// Samples of the interrupted segment rendered (its fade included).
        played: u64,
        /// Context frame where the fade ended.
        frame: f64,
        /// Samples dropped from the ring.
        discarded: u64,
    },
    /// The ring ran dry inside a segment.
    Underrun {
        /// The segment.
        segment: u32,
        /// Context frame.
        frame: f64,
    },
}

/// Something the app should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayoutEvent {
    /// A segment started playing.
    Started {
        /// The segment.
        segment: u32,
        /// The Flush it belongs to: the id `flush()` returned, when the Flush was already sent.
        sequence_id: Option<u32>,
        /// From the segment's first audio bytes received to its first sample rendered, ms.
        latency_ms: Option<f64>,
        /// Context frame of its first sample.
        frame: f64,
    },
    /// A segment's last sample was rendered.
    Ended {
        /// The segment.
        segment: u32,
        /// The `sequence_id` of its `Flushed`.
        sequence_id: Option<u32>,
        /// Samples rendered, at the context rate.
        played_samples: u64,
        /// Context frame just after its last sample.
        frame: f64,
    },
    /// A clear took effect in the worklet.
    Cleared {
        /// The generation that started.
        generation: u32,
        /// The Flush of the interrupted segment, if one was playing and its Flush was sent.
        sequence_id: Option<u32>,
        /// Samples of the interrupted segment rendered (0 when nothing was playing).
        played_samples: u64,
        /// Samples dropped: in the ring, plus decoded and encoded backlog on this side.
        discarded_samples: u64,
        /// Context frame from which the output is silent (the end of the fade).
        frame: f64,
    },
    /// The ring ran dry inside a segment (the audio arrived slower than real time).
    Underrun {
        /// The segment.
        segment: u32,
        /// Its Flush, when known.
        sequence_id: Option<u32>,
    },
    /// The worklet dropped audio that did not fit (flow control failed; should never happen).
    Overflow {
        /// Samples dropped since the last report.
        dropped_samples: u64,
    },
}

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlayoutStats {
    /// Blocks posted to the worklet.
    pub blocks_posted: u64,
    /// Samples posted to the worklet.
    pub samples_posted: u64,
    /// Samples the worklet rendered (last report).
    pub samples_played: u64,
    /// Samples in the worklet's ring (last report).
    pub samples_buffered: u64,
    /// Encoded bytes waiting on this side.
    pub backlog_bytes: u64,
    /// Segments that ended (played to their last sample).
    pub segments_ended: u64,
    /// Underruns.
    pub underruns: u64,
    /// Clears.
    pub clears: u64,
    /// Samples the worklet could not take (should stay 0).
    pub overflow_samples: u64,
}

#[derive(Debug)]
enum Item {
    Audio(Vec<u8>),
    End(u32),
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    index: u32,
    generation: u32,
    /// What `flush()` returned for the Flush this segment belongs to.
    predicted: Option<u32>,
    /// The server's `sequence_id`, once `Flushed` arrived.
    sequence_id: Option<u32>,
    first_audio_ms: Option<f64>,
}

impl Segment {
    /// What `flush()` returned (the app's handle on it), else the server's id.
    fn id(&self) -> Option<u32> {
        self.predicted.or(self.sequence_id)
    }
}

/// The scheduler between the speak session's audio and the playback worklet.
#[derive(Debug)]
pub struct Playout {
    config: PlayoutConfig,
    decoder: PlaybackDecoder,
    backlog: VecDeque<Item>,
    backlog_bytes: u64,
    pending: Vec<f32>,
    /// The segment the first sample of `pending` (and the next backlog audio) belongs to.
    pending_segment: u32,
    generation: u32,
    /// The segment being written (receiving audio).
    writing: u32,
    writing_open: bool,
    /// Segments queued or playing. This and the two other short queues below (a few entries: one per Flush in
    /// flight or clear unconfirmed) are `Vec`s, not `VecDeque`s: every `VecDeque` element type costs its own
    /// grow and wrap-around code in the wasm module, and taking the front of a handful of entries is cheap.
    segments: Vec<Segment>,
    /// (id `flush()` returned, its unique ticket) for the Flushes of this generation whose `Flushed` has not come.
    flushes: Vec<(u32, u64)>,
    posted: u64,
    reported_received: u64,
    reported_buffered: u64,
    reported_dropped: u64,
    /// Samples discarded on this side by the clears the worklet has not confirmed yet, by generation.
    local_discards: Vec<(u32, u64)>,
    /// A `VecDeque`: one `fill` can queue `ahead_samples / block_samples` blocks, polled from the front.
    commands: VecDeque<PlayoutCommand>,
    /// A `Vec` like `segments`: at most one event per worklet report, and the web layer polls them all after each.
    events: Vec<PlayoutEvent>,
    stats: PlayoutStats,
}

impl Playout {
    /// A schedule for audio in `format` at `input_rate` played by a worklet at `output_rate`.
    ///
    /// # Errors
    /// [`AudioError`] naming a rate outside 8-192 kHz.
    pub fn new(
        format: SampleFormat,
        input_rate: u32,
        output_rate: u32,
        config: PlayoutConfig,
    ) -> Result<Self, AudioError> {
        let config = PlayoutConfig {
            block_samples: config.block_samples.max(1),
            ahead_samples: config.ahead_samples.max(config.block_samples.max(1)),
        };
        Ok(Self {
            config,
            decoder: PlaybackDecoder::new(format, input_rate, output_rate)?,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
            pending: Vec::new(),
            pending_segment: 0,
            generation: 0,
            writing: 0,
            writing_open: false,
            segments: Vec::new(),
            flushes: Vec::new(),
            posted: 0,
            reported_received: 0,
            reported_buffered: 0,
            reported_dropped: 0,
            local_discards: Vec::new(),
            commands: VecDeque::new(),
            events: Vec::new(),
            stats: PlayoutStats::default(),
        })
    }

    /// The current clear generation.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Counters.
    pub fn stats(&self) -> PlayoutStats {
        PlayoutStats {
            backlog_bytes: self.backlog_bytes,
            ..self.stats
        }
    }

    /// Whether anything of the current generation is queued or playing (for barge-in).
    pub fn is_active(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.generation == self.generation)
    }

    /// Samples the worklet holds, by this side's estimate (reports lag a little; the estimate errs high).
    pub fn in_worklet(&self) -> u64 {
        self.posted
            .saturating_sub(self.reported_received)
            .saturating_add(self.reported_buffered)
    }

    /// The app sent a Flush; `flush()` returned `predicted`, and `ticket` identifies it (the speak session's
    /// `last_ticket()`). The audio up to its `Flushed` is one segment.
    pub fn expect_flush(&mut self, predicted: u32, ticket: u64) {
        self.flushes.push((predicted, ticket));
        if self.writing_open {
            if let Some(seg) = self.segments.last_mut() {
                if seg.index == self.writing && seg.predicted.is_none() {
                    seg.predicted = Some(predicted);
                }
            }
        }
    }

    fn open_segment(&mut self, now_ms: Option<f64>) {
        if self.writing_open {
            return;
        }
        self.writing_open = true;
        self.segments.push(Segment {
            index: self.writing,
            generation: self.generation,
            predicted: self.flushes.first().map(|f| f.0),
            sequence_id: None,
            first_audio_ms: now_ms,
        });
    }

    /// Audio bytes of the current generation (the speak session already dropped stale ones).
    pub fn push_audio(&mut self, bytes: Vec<u8>, now_ms: f64) {
        if bytes.is_empty() {
            return;
        }
        self.open_segment(Some(now_ms));
        self.backlog_bytes += bytes.len() as u64;
        self.backlog.push_back(Item::Audio(bytes));
        self.fill();
    }

    /// A `Flushed` arrived with `sequence_id` for the Flush with `ticket`. Ends the segment being written when
    /// that Flush belongs to this generation; returns whether it did (a Flush sent before a `clear()` has no
    /// segment left).
    pub fn end_segment(&mut self, ticket: Option<u64>, sequence_id: u32) -> bool {
        let Some(t) = ticket else {
            return false;
        };
        let Some(&(p, front)) = self.flushes.first() else {
            return false;
        };
        if front != t {
            return false;
        }
        self.flushes.drain(..1);
        self.open_segment(None);
        let index = self.writing;
        if let Some(seg) = self.segments.iter_mut().rev().find(|s| s.index == index) {
            seg.sequence_id = Some(sequence_id);
            if seg.predicted.is_none() {
                seg.predicted = Some(p);
            }
        }
        self.backlog.push_back(Item::End(index));
        self.writing = self.writing.wrapping_add(1);
        self.writing_open = false;
        self.fill();
        true
    }

    /// The connection ended: no `Flushed` will come for the Flushes still expected. The segment being written
    /// ends after the audio already received (it plays out and reports its end); the next connection's Flushes
    /// start fresh.
    pub fn connection_lost(&mut self) {
        self.flushes.clear();
        if self.writing_open {
            let index = self.writing;
            self.backlog.push_back(Item::End(index));
            self.writing = self.writing.wrapping_add(1);
            self.writing_open = false;
            self.fill();
        }
    }

    /// Barge-in: drops the backlog, tells the worklet to fade out and drop its ring, and starts a new generation.
    /// Returns the new generation.
    pub fn clear(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        let decoded = self.pending.len() as u64;
        let rate_ratio =
            f64::from(self.decoder.output_rate()) / f64::from(self.decoder.input_rate().max(1));
        let per_sample = self.decoder.format().bytes_per_sample().max(1) as f64;
        let encoded = (self.backlog_bytes as f64 / per_sample * rate_ratio).round() as u64;
        self.local_discards
            .push((self.generation, decoded.saturating_add(encoded)));
        self.backlog.clear();
        self.backlog_bytes = 0;
        self.pending.clear();
        self.decoder.reset();
        self.flushes.clear();
        if self.writing_open {
            self.writing = self.writing.wrapping_add(1);
            self.writing_open = false;
        }
        self.pending_segment = self.writing;
        // Whatever the worklet holds is dropped by the clear: nothing of it counts against the room any more.
        self.reported_received = self.posted;
        self.reported_buffered = 0;
        self.stats.clears += 1;
        self.commands.push_back(PlayoutCommand::Clear {
            generation: self.generation,
        });
        self.generation
    }

    /// A report from the worklet, received at `now_ms`.
    pub fn on_report(&mut self, report: WorkletReport, now_ms: f64) {
        match report {
            WorkletReport::Progress {
                buffered,
                received,
                played,
                dropped,
            } => {
                self.reported_buffered = buffered;
                self.reported_received = received;
                self.stats.samples_played = played;
                self.stats.samples_buffered = buffered;
                if dropped > self.reported_dropped {
                    let d = dropped - self.reported_dropped;
                    self.reported_dropped = dropped;
                    self.stats.overflow_samples = dropped;
                    self.events
                        .push(PlayoutEvent::Overflow { dropped_samples: d });
                }
                self.fill();
            }
            WorkletReport::Started { segment, frame } => {
                let seg = self.segments.iter().find(|s| s.index == segment).copied();
                self.events.push(PlayoutEvent::Started {
                    segment,
                    sequence_id: seg.and_then(|s| s.id()),
                    latency_ms: seg
                        .and_then(|s| s.first_audio_ms)
                        .map(|t| (now_ms - t).max(0.0)),
                    frame,
                });
            }
            WorkletReport::Ended {
                segment,
                played,
                frame,
            } => {
                let seg = self.take_segment(segment);
                self.stats.segments_ended += 1;
                self.events.push(PlayoutEvent::Ended {
                    segment,
                    sequence_id: seg.and_then(|s| s.id()),
                    played_samples: played,
                    frame,
                });
            }
            WorkletReport::Cleared {
                generation,
                segment,
                played,
                discarded,
                frame,
            } => {
                let interrupted = segment.and_then(|k| {
                    self.segments
                        .iter()
                        .find(|s| s.index == k)
                        .and_then(|s| s.id())
                });
                // Everything of the generations before this one is gone.
                self.segments
                    .retain(|s| s.generation.wrapping_sub(generation) as i32 >= 0);
                let confirmed = self
                    .local_discards
                    .iter()
                    .take_while(|&&(g, _)| g.wrapping_sub(generation) as i32 <= 0)
                    .count();
                let local: u64 = self.local_discards.drain(..confirmed).map(|(_, n)| n).sum();
                self.events.push(PlayoutEvent::Cleared {
                    generation,
                    sequence_id: if segment.is_some() { interrupted } else { None },
                    played_samples: if segment.is_some() { played } else { 0 },
                    discarded_samples: discarded.saturating_add(local),
                    frame,
                });
                self.fill();
            }
            WorkletReport::Underrun { segment, .. } => {
                self.stats.underruns += 1;
                let sequence_id = self
                    .segments
                    .iter()
                    .find(|s| s.index == segment)
                    .and_then(|s| s.id());
                self.events.push(PlayoutEvent::Underrun {
                    segment,
                    sequence_id,
                });
            }
        }
    }

    fn take_segment(&mut self, index: u32) -> Option<Segment> {
        let at = self.segments.iter().position(|s| s.index == index)?;
        self.segments.drain(at..=at).next()
    }

    fn room(&self) -> bool {
        self.in_worklet() + self.config.block_samples as u64 <= self.config.ahead_samples as u64
    }

    /// Not inlined: `fill` calls it from two loops.
    #[inline(never)]
    fn post_block(&mut self, len: usize) {
        let len = len.min(self.pending.len());
        if len == 0 {
            return;
        }
        // A copy and a drain rather than `drain(..len).collect()`: the copy is a memcpy, and the collect was its
        // own instantiation.
        let samples = self
            .pending
            .get(..len)
            .map_or_else(Vec::new, <[f32]>::to_vec);
        self.pending.drain(..len);
        self.posted += samples.len() as u64;
        self.stats.blocks_posted += 1;
        self.stats.samples_posted += samples.len() as u64;
        self.commands.push_back(PlayoutCommand::Block {
            samples,
            generation: self.generation,
            segment: self.pending_segment,
        });
    }

    /// Decodes backlog into blocks while the worklet has room.
    fn fill(&mut self) {
        let block = self.config.block_samples;
        loop {
            while self.pending.len() >= block && self.room() {
                self.post_block(block);
            }
            if self.pending.len() >= block || !self.room() {
                return;
            }
            let Some(item) = self.backlog.pop_front() else {
                return;
            };
            match item {
                Item::Audio(bytes) => {
                    self.backlog_bytes = self.backlog_bytes.saturating_sub(bytes.len() as u64);
                    self.decoder.push_bytes(&bytes, &mut self.pending);
                }
                Item::End(index) => {
                    self.decoder.drain(&mut self.pending);
                    // The segment's tail goes out whole (at most one block plus the resampler's delay).
                    while !self.pending.is_empty() {
                        self.post_block(block);
                    }
                    self.commands.push_back(PlayoutCommand::End {
                        generation: self.generation,
                        segment: index,
                    });
                    self.pending_segment = index.wrapping_add(1);
                }
            }
        }
    }

    /// The next command for the worklet.
    pub fn poll_command(&mut self) -> Option<PlayoutCommand> {
        self.commands.pop_front()
    }

    /// The next event for the app.
    pub fn poll_event(&mut self) -> Option<PlayoutEvent> {
        // The front of a short `Vec` (see `events`); an empty range when there is none.
        self.events.drain(..1.min(self.events.len())).next()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    const BLOCK: usize = 960;

    fn playout(in_rate: u32, out_rate: u32) -> Playout {
        Playout::new(
            SampleFormat::Linear16,
            in_rate,
            out_rate,
            PlayoutConfig {
                block_samples: BLOCK,
                ahead_samples: 10 * BLOCK,
            },
        )
        .unwrap()
    }

    fn pcm(samples: usize) -> Vec<u8> {
        (0..samples)
            .flat_map(|i| (((i % 100) as i16) * 100).to_le_bytes())
            .collect()
    }

    /// A worklet that takes every block and plays `play` samples per step.
    #[derive(Default)]
    struct FakeWorklet {
        received: u64,
        buffered: u64,
        played: u64,
        generation: u32,
        blocks: Vec<(u32, u32, usize)>,
        ends: Vec<u32>,
    }

    impl FakeWorklet {
        fn take(&mut self, p: &mut Playout) {
            while let Some(c) = p.poll_command() {
                match c {
                    PlayoutCommand::Block {
                        samples,
                        generation,
                        segment,
                    } => {
                        self.received += samples.len() as u64;
                        if generation == self.generation {
                            self.buffered += samples.len() as u64;
                            self.blocks.push((generation, segment, samples.len()));
                        }
                    }
                    PlayoutCommand::End { segment, .. } => self.ends.push(segment),
                    PlayoutCommand::Clear { generation } => {
                        self.generation = generation;
                        self.buffered = 0;
                    }
                }
            }
        }

        fn play(&mut self, p: &mut Playout, n: u64) {
            let n = n.min(self.buffered);
            self.buffered -= n;
            self.played += n;
            p.on_report(
                WorkletReport::Progress {
                    buffered: self.buffered,
                    received: self.received,
                    played: self.played,
                    dropped: 0,
                },
                0.0,
            );
        }
    }

    #[test]
    fn never_posts_more_than_ahead_and_loses_nothing() {
        let mut p = playout(24_000, 48_000);
        let mut w = FakeWorklet::default();
        // 2 s of 24 kHz audio in 20 ms frames, arriving at once (the server sends faster than real time).
        for _ in 0..100 {
            p.push_audio(pcm(480), 1.0);
            w.take(&mut p);
            assert!(w.buffered <= 10 * BLOCK as u64);
        }
        assert!(p.expect_flush_and_end(0));
        let mut guard = 0;
        while w.ends.is_empty() {
            w.take(&mut p);
            assert!(w.buffered <= 11 * BLOCK as u64, "{}", w.buffered);
            w.play(&mut p, BLOCK as u64);
            guard += 1;
            assert!(guard < 1000);
        }
        let total: usize = w.blocks.iter().map(|b| b.2).sum();
        // Every input sample doubled, plus the resampler's drained delay line.
        assert!((96_000..96_200).contains(&total), "{total}");
        assert!(w.blocks.iter().all(|b| b.0 == 0 && b.1 == 0));
        assert_eq!(w.ends, vec![0]);
    }

    impl Playout {
        fn expect_flush_and_end(&mut self, id: u32) -> bool {
            self.expect_flush(id, u64::from(id) + 100);
            self.end_segment(Some(u64::from(id) + 100), id)
        }
    }

    #[test]
    fn segments_map_to_flush_ids_and_report_latency() {
        let mut p = playout(48_000, 48_000);
        p.expect_flush(0, 1);
        p.expect_flush(1, 2);
        p.push_audio(pcm(960), 100.0);
        assert!(p.end_segment(Some(1), 0));
        p.push_audio(pcm(960), 150.0);
        assert!(p.end_segment(Some(2), 1));
        let mut w = FakeWorklet::default();
        w.take(&mut p);
        assert_eq!(w.blocks, vec![(0, 0, 960), (0, 1, 960)]);
        assert_eq!(w.ends, vec![0, 1]);
        p.on_report(
            WorkletReport::Started {
                segment: 0,
                frame: 0.0,
            },
            160.0,
        );
        p.on_report(
            WorkletReport::Ended {
                segment: 0,
                played: 960,
                frame: 960.0,
            },
            180.0,
        );
        p.on_report(
            WorkletReport::Started {
                segment: 1,
                frame: 960.0,
            },
            181.0,
        );
        assert_eq!(
            p.poll_event(),
            Some(PlayoutEvent::Started {
                segment: 0,
                sequence_id: Some(0),
                latency_ms: Some(60.0),
                frame: 0.0
            })
        );
        assert_eq!(
            p.poll_event(),
            Some(PlayoutEvent::Ended {
                segment: 0,
                sequence_id: Some(0),
                played_samples: 960,
                frame: 960.0
            })
        );
        assert!(matches!(
            p.poll_event(),
            Some(PlayoutEvent::Started {
                segment: 1,
                sequence_id: Some(1),
                ..
            })
        ));
        assert!(p.is_active());
    }

    #[test]
    fn clear_drops_backlog_and_starts_a_new_generation_and_segment() {
        let mut p = playout(24_000, 48_000);
        p.expect_flush(0, 1);
        for _ in 0..200 {
            p.push_audio(pcm(480), 0.0);
        }
        let mut w = FakeWorklet::default();
        w.take(&mut p);
        assert!(p.stats().backlog_bytes > 0);
        let g = p.clear();
        assert_eq!(g, 1);
        assert_eq!(p.stats().backlog_bytes, 0);
        // The Flush sent before the clear has no segment any more.
        assert!(!p.end_segment(Some(1), 0));
        w.take(&mut p);
        assert_eq!(w.generation, 1);
        p.on_report(
            WorkletReport::Cleared {
                generation: 1,
                segment: Some(0),
                played: 480,
                frame: 0.0,
                discarded: 100,
            },
            0.0,
        );
        match p.poll_event() {
            Some(PlayoutEvent::Cleared {
                generation: 1,
                sequence_id: Some(0),
                played_samples: 480,
                discarded_samples,
                ..
            }) => assert!(discarded_samples > 100, "{discarded_samples}"),
            other => panic!("{other:?}"),
        }
        assert!(!p.is_active());
        // Ids can repeat after the server re-counts (this Flush is also id 0): tickets cannot.
        p.expect_flush(0, 3);
        p.push_audio(pcm(480), 0.0);
        assert!(p.end_segment(Some(3), 0));
        w.blocks.clear();
        w.take(&mut p);
        assert!(
            w.blocks.iter().all(|b| b.0 == 1 && b.1 == 1),
            "{:?}",
            w.blocks
        );
        assert_eq!(w.ends, vec![1]);
    }

    #[test]
    fn a_lost_connection_ends_the_open_segment_and_forgets_its_flushes() {
        let mut p = playout(48_000, 48_000);
        p.expect_flush(0, 1);
        p.push_audio(pcm(960), 0.0);
        p.connection_lost();
        let mut w = FakeWorklet::default();
        w.take(&mut p);
        assert_eq!(w.ends, vec![0]);
        // A new connection's tickets and ids do not meet the old ones.
        assert!(!p.end_segment(Some(1), 0));
        p.expect_flush(0, 2);
        p.push_audio(pcm(960), 0.0);
        assert!(p.end_segment(Some(2), 0));
        w.take(&mut p);
        assert_eq!(w.ends, vec![0, 1]);
    }

    #[test]
    fn an_empty_flush_still_makes_a_segment() {
        let mut p = playout(16_000, 48_000);
        p.expect_flush(0, 1);
        assert!(p.end_segment(Some(1), 0));
        let mut w = FakeWorklet::default();
        w.take(&mut p);
        assert_eq!(w.ends, vec![0]);
        assert!(p.is_active());
    }
}
