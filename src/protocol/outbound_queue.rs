//! The listen session's outbound queue: audio frames and control messages in the order the app produced them,
//! with byte accounting and drop-oldest-audio when the held audio exceeds its cap.
//!
//! Owns ordering (a control message never overtakes audio queued before it) and the drop policy (only audio is
//! dropped, oldest first, never a control message, and never the session's very first audio frame, which may
//! carry a container header such as WebM's). It does not decide when to send.

use std::collections::VecDeque;

use super::client_message::ClientMessage;

#[derive(Debug)]
pub(crate) enum Outbound {
    Audio { bytes: Vec<u8>, pinned: bool },
    Control(ClientMessage),
}

/// Frames and bytes removed by a drop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dropped {
    pub frames: u64,
    pub bytes: u64,
}

#[derive(Debug, Default)]
pub(crate) struct OutboundQueue {
    items: VecDeque<Outbound>,
    audio_bytes: usize,
    audio_frames: usize,
}

impl OutboundQueue {
    pub(crate) fn push_audio(&mut self, bytes: Vec<u8>, pinned: bool) {
        self.audio_bytes += bytes.len();
        self.audio_frames += 1;
        self.items.push_back(Outbound::Audio { bytes, pinned });
    }

    pub(crate) fn push_control(&mut self, message: ClientMessage) {
        self.items.push_back(Outbound::Control(message));
    }

    pub(crate) fn front_is_audio(&self) -> bool {
        matches!(self.items.front(), Some(Outbound::Audio { .. }))
    }

    pub(crate) fn pop(&mut self) -> Option<Outbound> {
        let item = self.items.pop_front()?;
        if let Outbound::Audio { bytes, .. } = &item {
            self.audio_bytes -= bytes.len();
            self.audio_frames -= 1;
        }
        Some(item)
    }

    pub(crate) fn audio_bytes(&self) -> usize {
        self.audio_bytes
    }

    pub(crate) fn audio_frames(&self) -> usize {
        self.audio_frames
    }

    pub(crate) fn has_keep_alive(&self) -> bool {
        self.items
            .iter()
            .any(|i| matches!(i, Outbound::Control(ClientMessage::KeepAlive)))
    }

    /// Drops the oldest unpinned audio frames until at most `cap` audio bytes are held.
    pub(crate) fn drop_oldest_audio(&mut self, cap: usize) -> Dropped {
        let mut dropped = Dropped::default();
        let mut excess = self.audio_bytes.saturating_sub(cap);
        if excess == 0 {
            return dropped;
        }
        self.items.retain(|item| match item {
            Outbound::Audio {
                bytes,
                pinned: false,
            } if excess > 0 => {
                excess = excess.saturating_sub(bytes.len());
                dropped.frames += 1;
                dropped.bytes += bytes.len() as u64;
                false
            }
            _ => true,
        });
        self.audio_bytes -= dropped.bytes as usize;
        self.audio_frames -= dropped.frames as usize;
        dropped
    }

    /// Empties the queue: returns the audio frames (for the app to replay elsewhere) and discards control messages.
    #[cfg(test)]
    pub(crate) fn take_all_audio(&mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        self.move_all_audio(&mut out);
        out
    }

    /// Empties the queue: appends the audio frames to `out` (for the app to replay elsewhere) and discards control
    /// messages.
    pub(crate) fn move_all_audio(&mut self, out: &mut Vec<Vec<u8>>) {
        self.audio_bytes = 0;
        self.audio_frames = 0;
        // A plain loop: `drain().filter_map().collect()` instantiates an adapter stack and its drop glue.
        while let Some(item) = self.items.pop_front() {
            if let Outbound::Audio { bytes, .. } = item {
                out.push(bytes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_oldest_audio_but_keeps_controls_and_pinned() {
        let mut q = OutboundQueue::default();
        q.push_audio(vec![0; 10], true);
        q.push_audio(vec![1; 10], false);
        q.push_control(ClientMessage::Finalize { channel: None });
        q.push_audio(vec![2; 10], false);
        q.push_audio(vec![3; 10], false);
        let d = q.drop_oldest_audio(25);
        assert_eq!(
            d,
            Dropped {
                frames: 2,
                bytes: 20
            }
        );
        assert_eq!(q.audio_bytes(), 20);
        assert_eq!(q.audio_frames(), 2);
        let order: Vec<String> = std::iter::from_fn(|| q.pop())
            .map(|i| match i {
                Outbound::Audio { bytes, .. } => format!("a{}", bytes[0]),
                Outbound::Control(m) => serde_json::to_string(&m).unwrap(),
            })
            .collect();
        assert_eq!(
            order,
            vec![
                "a0".to_owned(),
                r#"{"type":"Finalize"}"#.to_owned(),
                "a3".to_owned()
            ]
        );
        assert_eq!(q.audio_bytes(), 0);
    }

    #[test]
    fn no_drop_under_cap() {
        let mut q = OutboundQueue::default();
        q.push_audio(vec![0; 10], false);
        assert_eq!(q.drop_oldest_audio(10), Dropped::default());
        assert_eq!(q.take_all_audio(), vec![vec![0; 10]]);
        assert_eq!(q.audio_bytes(), 0);
    }
}
