//! What a dropped `/v1/listen` connection must hand to the next one: the audio it sent that the server had not
//! finished transcribing, and the `Finalize`s it had not answered.
//!
//! Owns the replay rule. Deepgram's results are contiguous: a final covers the audio up to its `start +
//! duration`, and every result starts where the last final ended, so everything before the latest of those
//! points is transcribed for good. Audio sent after that point is kept (whole sample frames, bounded by a cap)
//! and sent again, first, on the next connection, whose timestamps then restart exactly at that point: no word
//! is lost (the dead connection never finished it) and none is doubled (the new one starts after the last
//! final). Raw PCM only: replay needs the byte rate to turn seconds into bytes, and a cut that keeps sample
//! frames whole.

use std::collections::VecDeque;

use crate::protocol::Results;

/// The layout of the audio a [`ReplayBuffer`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayFormat {
    /// Bytes per second (all channels).
    pub bytes_per_second: u32,
    /// Bytes per sample frame (one sample of every channel): cuts are multiples of this.
    pub block_align: u32,
    /// Channels, each finalized on its own by the server.
    pub channels: u32,
}

/// What goes out again on the next connection, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayItem {
    /// Audio bytes.
    Audio(Vec<u8>),
    /// A `Finalize` no `from_finalize` result answered.
    Finalize(Option<u32>),
}

/// What a [`ReplayBuffer`] hands over when its connection dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Audio and `Finalize`s, in the order they were sent.
    pub items: Vec<ReplayItem>,
    /// Audio bytes in `items`.
    pub bytes: u64,
    /// Audio frames in `items`.
    pub frames: u64,
    /// Audio bytes sent after the last final that the cap let go of: not replayed (the stream warns).
    pub truncated_bytes: u64,
}

/// The audio sent on one connection since its last final, with the position of each `Finalize`.
#[derive(Debug)]
pub struct ReplayBuffer {
    format: Option<ReplayFormat>,
    cap_bytes: u64,
    /// Frames sent and not yet known final, oldest first.
    frames: VecDeque<Vec<u8>>,
    /// Connection byte position of the first byte of `frames`.
    base: u64,
    /// Audio bytes sent on this connection.
    sent: u64,
    /// Per channel: the connection byte position up to which the server's results are final.
    done: Vec<u64>,
    /// Unanswered `Finalize`s: the audio bytes sent before each, and its channel.
    finalizes: VecDeque<(u64, Option<u32>)>,
}

impl ReplayBuffer {
    /// A buffer for a new connection; `format: None` (compressed or containerized audio, or replay turned
    /// off with `cap_bytes: 0`) keeps no audio, only the unanswered `Finalize`s.
    pub fn new(format: Option<ReplayFormat>, cap_bytes: u64) -> Self {
        let format =
            format.filter(|f| f.bytes_per_second > 0 && f.block_align > 0 && cap_bytes > 0);
        let channels = format.map_or(1, |f| f.channels.max(1)) as usize;
        Self {
            format,
            cap_bytes,
            frames: VecDeque::new(),
            base: 0,
            sent: 0,
            done: vec![0; channels],
            finalizes: VecDeque::new(),
        }
    }

    /// Audio bytes held for replay now.
    pub fn held_bytes(&self) -> u64 {
        self.sent - self.base
    }

    /// An audio frame went out on the socket.
    pub fn sent_audio(&mut self, bytes: &[u8]) {
        if self.format.is_none() {
            return;
        }
        self.sent += bytes.len() as u64;
        self.frames.push_back(bytes.to_vec());
        while self.held_bytes() > self.cap_bytes {
            match self.frames.pop_front() {
                Some(f) => self.base += f.len() as u64,
                None => break,
            }
        }
    }

    /// A `Finalize` went out on the socket.
    pub fn sent_finalize(&mut self, channel: Option<u32>) {
        self.finalizes.push_back((self.sent, channel));
    }

    /// A `Results` arrived: the audio before its final point is done and let go of. `channel` is its
    /// `channel_index[0]`.
    pub fn results(&mut self, results: &Results, channel: usize) {
        if results.from_finalize {
            self.finalizes.pop_front();
        }
        let Some(f) = self.format else {
            return;
        };
        let seconds = if results.is_final {
            results.start + results.duration
        } else {
            results.start
        };
        if !seconds.is_finite() || seconds <= 0.0 {
            return;
        }
        // Rounded to the nearest whole sample frame (timestamps are rounded to the millisecond or so).
        let align = u64::from(f.block_align);
        let frames = (seconds * f64::from(f.bytes_per_second) / align as f64).round();
        let point = ((frames as u64).saturating_mul(align)).min(self.sent);
        if let Some(d) = self.done.get_mut(channel) {
            *d = (*d).max(point);
        }
        let cut = self.done.iter().copied().min().unwrap_or(0);
        self.release_before(cut);
    }

    /// Lets go of the audio before connection byte position `cut`, splitting a frame that straddles it.
    fn release_before(&mut self, cut: u64) {
        while self.base < cut {
            let Some(front) = self.frames.front_mut() else {
                break;
            };
            let len = front.len() as u64;
            if self.base + len <= cut {
                self.base += len;
                self.frames.pop_front();
            } else {
                let keep = (cut - self.base) as usize;
                front.drain(..keep);
                self.base = cut;
            }
        }
    }

    /// The connection dropped: what the next one must send first.
    pub fn take(&mut self) -> Replay {
        let done = self.done.iter().copied().min().unwrap_or(0);
        let truncated_bytes = match self.format {
            Some(_) => self.base.saturating_sub(done),
            None => 0,
        };
        let mut items = Vec::with_capacity(self.frames.len() + self.finalizes.len());
        let mut finalizes = std::mem::take(&mut self.finalizes);
        let mut at = self.base;
        let (mut bytes, mut frames) = (0, 0);
        for frame in std::mem::take(&mut self.frames) {
            while finalizes.front().is_some_and(|&(p, _)| p <= at) {
                if let Some((_, c)) = finalizes.pop_front() {
                    items.push(ReplayItem::Finalize(c));
                }
            }
            at += frame.len() as u64;
            bytes += frame.len() as u64;
            frames += 1;
            items.push(ReplayItem::Audio(frame));
        }
        items.extend(finalizes.into_iter().map(|(_, c)| ReplayItem::Finalize(c)));
        self.base = self.sent;
        Replay {
            items,
            bytes,
            frames,
            truncated_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::test_frames::parse;
    use crate::protocol::ListenServerMessage;

    const MONO_16K: ReplayFormat = ReplayFormat {
        bytes_per_second: 32_000,
        block_align: 2,
        channels: 1,
    };

    fn results(start: f64, duration: f64, is_final: bool, from_finalize: bool) -> Results {
        let text = format!(
            r#"{{"type":"Results","start":{start},"duration":{duration},"is_final":{is_final},"from_finalize":{from_finalize},"channel":{{"alternatives":[]}}}}"#
        );
        match ListenServerMessage::read(&parse(&text).unwrap()).unwrap() {
            ListenServerMessage::Results(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn audio(items: &[ReplayItem]) -> Vec<u8> {
        items
            .iter()
            .flat_map(|i| match i {
                ReplayItem::Audio(b) => b.clone(),
                ReplayItem::Finalize(_) => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn audio_after_the_last_final_is_replayed_from_a_whole_sample() {
        let mut r = ReplayBuffer::new(Some(MONO_16K), 1 << 20);
        // 0.5 s in 20 ms frames, each byte its frame number.
        for i in 0..25u8 {
            r.sent_audio(&[i; 640]);
        }
        // Final up to 0.2301 s: 7363.2 bytes, rounded to the sample at 7364.
        r.results(&results(0.0, 0.2301, true, false), 0);
        assert_eq!(r.held_bytes(), 16_000 - 7364);
        // An interim starts where the last final ended: nothing more is done.
        r.results(&results(0.2301, 0.1, false, false), 0);
        assert_eq!(r.held_bytes(), 16_000 - 7364);
        let replay = r.take();
        assert_eq!(replay.bytes, 16_000 - 7364);
        assert_eq!(replay.truncated_bytes, 0);
        let bytes = audio(&replay.items);
        assert_eq!(bytes.len() % 2, 0);
        // Byte 7364 is in frame 11 (7040..7680).
        assert_eq!(bytes[0], 11);
        assert_eq!(bytes.iter().filter(|&&b| b == 11).count(), 7680 - 7364);
        assert_eq!(*bytes.last().unwrap(), 24);
    }

    #[test]
    fn interim_starts_in_silence_release_audio_without_a_final() {
        let mut r = ReplayBuffer::new(Some(MONO_16K), 1 << 20);
        r.sent_audio(&[0; 32_000]);
        r.results(&results(0.75, 0.25, false, false), 0);
        assert_eq!(r.held_bytes(), 8000);
    }

    #[test]
    fn the_cap_bounds_the_buffer_and_says_what_it_let_go() {
        let mut r = ReplayBuffer::new(Some(MONO_16K), 6400);
        for _ in 0..20 {
            r.sent_audio(&[1; 640]);
        }
        assert_eq!(r.held_bytes(), 6400);
        r.results(&results(0.0, 0.1, true, false), 0);
        let replay = r.take();
        assert_eq!((replay.bytes, replay.frames), (6400, 10));
        // Sent 12,800, final up to 3,200, kept from 6,400: 3,200 bytes in between go unreplayed.
        assert_eq!(replay.truncated_bytes, 6400 - 3200);
    }

    #[test]
    fn unanswered_finalizes_are_replayed_in_place() {
        let mut r = ReplayBuffer::new(Some(MONO_16K), 1 << 20);
        r.sent_audio(&[1; 640]);
        r.sent_finalize(None);
        r.results(&results(0.0, 0.02, true, true), 0);
        r.sent_audio(&[2; 640]);
        r.sent_finalize(Some(0));
        r.sent_audio(&[3; 640]);
        let replay = r.take();
        assert_eq!(
            replay.items,
            vec![
                ReplayItem::Audio(vec![2; 640]),
                ReplayItem::Finalize(Some(0)),
                ReplayItem::Audio(vec![3; 640]),
            ]
        );
        assert!(r.take().items.is_empty(), "taken once");
    }

    #[test]
    fn channels_are_done_only_when_every_channel_is() {
        let stereo = ReplayFormat {
            bytes_per_second: 64_000,
            block_align: 4,
            channels: 2,
        };
        let mut r = ReplayBuffer::new(Some(stereo), 1 << 20);
        r.sent_audio(&[0; 64_000]);
        r.results(&results(0.0, 0.5, true, false), 0);
        assert_eq!(r.held_bytes(), 64_000, "channel 1 has nothing final yet");
        r.results(&results(0.0, 0.25, true, false), 1);
        assert_eq!(r.held_bytes(), 48_000);
    }

    #[test]
    fn without_a_byte_rate_only_finalizes_are_kept() {
        let mut r = ReplayBuffer::new(None, 1 << 20);
        r.sent_audio(&[1; 640]);
        r.sent_finalize(None);
        let replay = r.take();
        assert_eq!(replay.items, vec![ReplayItem::Finalize(None)]);
        assert_eq!(replay.bytes, 0);
        // A server claiming more than was sent cannot move the cut past the audio.
        let mut r = ReplayBuffer::new(Some(MONO_16K), 1 << 20);
        r.sent_audio(&[1; 640]);
        r.results(&results(0.0, 99.0, true, false), 0);
        assert_eq!(r.held_bytes(), 0);
    }
}
