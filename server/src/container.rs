//! Containerized audio (no `encoding` parameter): recognizing the first bytes of a stream.
//!
//! Owns the WAV header parser (RIFF `fmt ` + `data`, PCM16 / float32 / A-law / mu-law, also
//! WAVE_FORMAT_EXTENSIBLE) and the Ogg / WebM / MP4 signatures. It must not decode samples (that is
//! `codec.rs`) and does not demux Ogg/WebM/MP4: those streams are counted and hashed but yield no words.

use crate::codec::Encoding;

/// The most header bytes buffered while looking for a WAV `data` chunk before giving up.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// A container the server accepts without decoding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpaqueContainer {
    /// `OggS` (Ogg/Opus from MediaRecorder in Firefox).
    Ogg,
    /// EBML `1A 45 DF A3` (WebM from MediaRecorder in Chrome).
    WebM,
    /// ISO BMFF `ftyp` (audio/mp4 from MediaRecorder in Safari).
    Mp4,
}

/// A parsed WAV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavFormat {
    /// Sample encoding of the `data` chunk.
    pub encoding: Encoding,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
}

/// What the first bytes of a stream are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// More bytes are needed to decide.
    NeedMore,
    /// A WAV file; `data_offset` is where samples start in the bytes seen so far.
    Wav {
        /// The format from `fmt `.
        format: WavFormat,
        /// Offset of the first sample byte.
        data_offset: usize,
    },
    /// A container that is accepted but not decoded.
    Opaque(OpaqueContainer),
    /// Not audio this server (or Deepgram) can read: the stream closes with DATA-0000.
    Unrecognized,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_le_bytes(a))
}

/// Looks at the first bytes of a containerized stream.
pub fn sniff(head: &[u8]) -> Sniffed {
    let starts = |sig: &[u8]| head.starts_with(sig);
    // MP4's signature sits at offset 4, so any short head could still become a known container.
    if head.len() < 4 {
        return Sniffed::NeedMore;
    }
    if starts(b"OggS") {
        return Sniffed::Opaque(OpaqueContainer::Ogg);
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Sniffed::Opaque(OpaqueContainer::WebM);
    }
    if starts(b"RIFF") {
        return sniff_wav(head);
    }
    match head.get(4..8) {
        None => Sniffed::NeedMore,
        Some(b"ftyp") => Sniffed::Opaque(OpaqueContainer::Mp4),
        Some(_) => Sniffed::Unrecognized,
    }
}

fn sniff_wav(head: &[u8]) -> Sniffed {
    match head.get(8..12) {
        None => return Sniffed::NeedMore,
        Some(b"WAVE") => {}
        Some(_) => return Sniffed::Unrecognized,
    }
    let mut at = 12usize;
    let mut format: Option<WavFormat> = None;
    loop {
        let (Some(id), Some(size)) = (head.get(at..at + 4), u32_at(head, at + 4)) else {
            return need_more_or_give_up(head);
        };
        let body = at + 8;
        if id == b"data" {
            return match format {
                Some(format) => Sniffed::Wav {
                    format,
                    data_offset: body,
                },
                None => Sniffed::Unrecognized,
            };
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if id == b"fmt " {
            if head.len() < body.saturating_add(16) {
                return need_more_or_give_up(head);
            }
            match parse_fmt(head, body, size) {
                Some(f) => format = Some(f),
                None => return Sniffed::Unrecognized,
            }
        }
        // Chunks are padded to an even size.
        let next = body.saturating_add(size).saturating_add(size & 1);
        if next > MAX_HEADER_BYTES {
            return Sniffed::Unrecognized;
        }
        at = next;
    }
}

fn need_more_or_give_up(head: &[u8]) -> Sniffed {
    if head.len() >= MAX_HEADER_BYTES {
        Sniffed::Unrecognized
    } else {
        Sniffed::NeedMore
    }
}

fn parse_fmt(head: &[u8], body: usize, size: usize) -> Option<WavFormat> {
    let mut tag = u16_at(head, body)?;
    let channels = u16_at(head, body + 2)?;
    let sample_rate = u32_at(head, body + 4)?;
    let bits = u16_at(head, body + 14)?;
    if tag == 0xFFFE && size >= 40 {
        // WAVE_FORMAT_EXTENSIBLE: the real format tag opens the SubFormat GUID.
        tag = u16_at(head, body + 24)?;
    }
    let encoding = match (tag, bits) {
        (1, 16) => Encoding::Linear16,
        (3, 32) => Encoding::Linear32,
        (6, 8) => Encoding::Alaw,
        (7, 8) => Encoding::Mulaw,
        _ => return None,
    };
    let rate_ok = (4000..=192_000).contains(&sample_rate);
    if channels == 0 || channels > 20 || !rate_ok {
        return None;
    }
    Some(WavFormat {
        encoding,
        sample_rate,
        channels,
    })
}

/// Builds a 44-byte canonical WAV header (tests and tools use it to wrap generated audio).
pub fn wav_header(format: WavFormat, data_bytes: u32) -> Vec<u8> {
    let (tag, bits): (u16, u16) = match format.encoding {
        Encoding::Linear16 => (1, 16),
        Encoding::Linear32 => (3, 32),
        Encoding::Alaw => (6, 8),
        Encoding::Mulaw => (7, 8),
    };
    let block_align = format.channels * (bits / 8);
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&data_bytes.saturating_add(36).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&tag.to_le_bytes());
    h.extend_from_slice(&format.channels.to_le_bytes());
    h.extend_from_slice(&format.sample_rate.to_le_bytes());
    h.extend_from_slice(&(format.sample_rate * u32::from(block_align)).to_le_bytes());
    h.extend_from_slice(&block_align.to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_bytes.to_le_bytes());
    h
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

    const PCM16: WavFormat = WavFormat {
        encoding: Encoding::Linear16,
        sample_rate: 16000,
        channels: 1,
    };

    #[test]
    fn canonical_wav_is_parsed_byte_by_byte() {
        let h = wav_header(PCM16, 1000);
        for n in 0..h.len() {
            assert_eq!(sniff(&h[..n]), Sniffed::NeedMore, "prefix {n}");
        }
        assert_eq!(
            sniff(&h),
            Sniffed::Wav {
                format: PCM16,
                data_offset: 44
            }
        );
    }

    #[test]
    fn extra_chunks_before_data_are_skipped() {
        let mut h = wav_header(PCM16, 0);
        let data = h.split_off(36);
        h.extend_from_slice(b"LIST");
        h.extend_from_slice(&3u32.to_le_bytes());
        h.extend_from_slice(b"abc\0"); // odd size + pad byte
        h.extend_from_slice(&data);
        assert_eq!(
            sniff(&h),
            Sniffed::Wav {
                format: PCM16,
                data_offset: 56
            }
        );
    }

    #[test]
    fn g711_and_float_wavs() {
        for enc in [Encoding::Mulaw, Encoding::Alaw, Encoding::Linear32] {
            let f = WavFormat {
                encoding: enc,
                sample_rate: 8000,
                channels: 2,
            };
            assert!(matches!(sniff(&wav_header(f, 0)), Sniffed::Wav { format, .. } if format == f));
        }
    }

    #[test]
    fn unsupported_wav_formats_are_refused() {
        let mut h = wav_header(PCM16, 0);
        h[34] = 24; // 24-bit PCM
        assert_eq!(sniff(&h), Sniffed::Unrecognized);
    }

    #[test]
    fn container_signatures() {
        assert_eq!(sniff(b"OggS\0\x02"), Sniffed::Opaque(OpaqueContainer::Ogg));
        assert_eq!(
            sniff(&[0x1A, 0x45, 0xDF, 0xA3, 1]),
            Sniffed::Opaque(OpaqueContainer::WebM)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypM4A "),
            Sniffed::Opaque(OpaqueContainer::Mp4)
        );
        assert_eq!(sniff(b"hello world"), Sniffed::Unrecognized);
        assert_eq!(sniff(b"{\"type\":\"KeepAlive\"}"), Sniffed::Unrecognized);
        assert_eq!(sniff(b"Og"), Sniffed::NeedMore);
        assert_eq!(sniff(b"RIFFxxxxAVI "), Sniffed::Unrecognized);
    }
}
