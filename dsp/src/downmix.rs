//! Turning the planar channel arrays an AudioWorklet delivers into the channel layout being sent:
//! averaging to mono, or picking/duplicating channels for multichannel output. It owns only the
//! channel mapping rules; it must not resample, encode or keep state.

/// Most channels any component of the audio layer accepts.
pub const MAX_CHANNELS: usize = 8;

/// Appends the average of the planar `channels` to `out`. The frame count is the shortest
/// channel's length (Web Audio gives equal lengths; a shorter one must not read out of bounds).
/// No channels appends nothing.
pub fn downmix_planar(channels: &[&[f32]], out: &mut Vec<f32>) {
    let Some((first, others)) = channels.split_first() else {
        return;
    };
    let frames = frame_count(channels);
    let start = out.len();
    out.extend_from_slice(first.get(..frames).unwrap_or(first));
    let Some(mix) = out.get_mut(start..) else {
        return;
    };
    for channel in others {
        for (m, &s) in mix.iter_mut().zip(channel.iter()) {
            *m += s;
        }
    }
    if !others.is_empty() {
        let scale = 1.0 / channels.len() as f32;
        mix.iter_mut().for_each(|m| *m *= scale);
    }
}

/// The number of whole frames in planar `channels`: the shortest channel's length (0 for none).
pub fn frame_count(channels: &[&[f32]]) -> usize {
    channels.iter().map(|c| c.len()).min().unwrap_or(0)
}

/// Which input channel feeds output channel `output` when `input_channels` planar channels are
/// mapped to several output channels: the same-numbered channel when it exists; a mono input is
/// duplicated into every output; otherwise `None` (that output is silent). Mono output does not use
/// this: it averages every input channel ([`downmix_planar`]).
pub fn source_channel(output: usize, input_channels: usize) -> Option<usize> {
    if output < input_channels {
        Some(output)
    } else if input_channels == 1 {
        Some(0)
    } else {
        None
    }
}

/// Appends planar `channels` (equal lengths assumed; the shortest wins) to `out` interleaved
/// frame by frame.
pub fn interleave(channels: &[&[f32]], out: &mut Vec<f32>) {
    let frames = frame_count(channels);
    out.reserve(frames * channels.len());
    for i in 0..frames {
        out.extend(channels.iter().map(|c| c.get(i).copied().unwrap_or(0.0)));
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn averages_channels_and_appends() {
        let mut out = vec![9.0];
        downmix_planar(&[&[1.0, 0.5, -1.0], &[0.0, 0.5, 1.0]], &mut out);
        assert_eq!(out, [9.0, 0.5, 0.5, 0.0]);
        let mut mono = Vec::new();
        downmix_planar(&[&[0.25, -0.75]], &mut mono);
        assert_eq!(mono, [0.25, -0.75]);
        let mut three = Vec::new();
        downmix_planar(&[&[0.3], &[0.6], &[0.9]], &mut three);
        assert!((three[0] - 0.6).abs() < 1e-6);
    }

    #[test]
    fn uneven_or_missing_channels_do_not_panic() {
        let mut out = Vec::new();
        downmix_planar(&[], &mut out);
        assert!(out.is_empty());
        downmix_planar(&[&[1.0, 1.0, 1.0], &[1.0]], &mut out);
        assert_eq!(out, [1.0]);
    }

    #[test]
    fn channel_mapping() {
        assert_eq!(source_channel(0, 2), Some(0));
        assert_eq!(source_channel(1, 2), Some(1));
        assert_eq!(source_channel(1, 1), Some(0));
        assert_eq!(source_channel(2, 2), None);
    }

    #[test]
    fn interleaves_frames() {
        let mut out = Vec::new();
        interleave(&[&[1.0, 2.0], &[-1.0, -2.0, -3.0]], &mut out);
        assert_eq!(out, [1.0, -1.0, 2.0, -2.0]);
    }
}
