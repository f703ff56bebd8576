//! RIFF/WAVE files in memory: writing interleaved `f32` as PCM16, and reading PCM (8, 16, 24 and
//! 32 bit), IEEE float (32 and 64 bit) and their WAVE_FORMAT_EXTENSIBLE forms, with a chunk walk that
//! skips unknown chunks and honours odd-size padding. It owns the byte layout only: it must not
//! open files (callers read and write the bytes) nor resample or mix.

/// A decoded WAV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels per frame (at least 1).
    pub channels: u16,
    /// Interleaved samples, nominally in `-1.0..=1.0` (float files are passed through unchanged).
    pub samples: Vec<f32>,
}

impl Wav {
    /// Number of whole frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }

    /// The average of all channels, one sample per frame (the samples themselves when mono).
    pub fn mono(&self) -> Vec<f32> {
        let channels = usize::from(self.channels.max(1));
        if channels == 1 {
            return self.samples.clone();
        }
        self.samples
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() / channels as f32)
            .collect()
    }
}

/// Why [`decode`] rejected the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavError {
    /// Bytes 0-3 are not `RIFF` (or the file is shorter than the 12-byte RIFF header).
    NotRiff,
    /// Bytes 8-11 are not `WAVE`.
    NotWave,
    /// No `fmt ` chunk before the `data` chunk.
    MissingFmt,
    /// No `data` chunk.
    MissingData,
    /// The `fmt ` chunk is shorter than the 16 bytes every format needs.
    ShortFmt {
        /// Its declared size.
        size: u32,
    },
    /// A `fmt ` field holds a value no decoder can use.
    InvalidFmt {
        /// The field name as in the WAVE specification.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// The sample format is not one this decoder reads.
    UnsupportedFormat {
        /// `wFormatTag` (for WAVE_FORMAT_EXTENSIBLE, the sub-format's tag).
        format_tag: u16,
        /// `wBitsPerSample`.
        bits_per_sample: u16,
    },
}

impl std::fmt::Display for WavError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WavError::NotRiff => write!(
                f,
                "not a WAV file: bytes 0-3 must be \"RIFF\" (RIFX/RF64 and headerless PCM are not read); convert it to a RIFF/WAVE file"
            ),
            WavError::NotWave => write!(
                f,
                "RIFF form type must be \"WAVE\" (bytes 8-11); this RIFF file holds something else (AVI? WebP?)"
            ),
            WavError::MissingFmt => write!(
                f,
                "no \"fmt \" chunk before the \"data\" chunk; the file is damaged or not a WAV file, re-export it"
            ),
            WavError::MissingData => write!(
                f,
                "no \"data\" chunk; the file holds no audio (truncated download?), re-export it"
            ),
            WavError::ShortFmt { size } => write!(
                f,
                "\"fmt \" chunk is {size} bytes, it needs at least 16; the file is damaged, re-export it"
            ),
            WavError::InvalidFmt { field, value } => write!(
                f,
                "\"fmt \" field {field} = {value} is invalid; the file is damaged, re-export it"
            ),
            WavError::UnsupportedFormat {
                format_tag,
                bits_per_sample,
            } => write!(
                f,
                "unsupported sample format (wFormatTag {format_tag:#06x}, wBitsPerSample {bits_per_sample}); convert to PCM 8/16/24/32-bit or IEEE float 32/64-bit"
            ),
        }
    }
}

impl std::error::Error for WavError {}

/// `wFormatTag` of integer PCM.
const FORMAT_PCM: u16 = 1;
/// `wFormatTag` of IEEE float.
const FORMAT_FLOAT: u16 = 3;
/// `wFormatTag` of WAVE_FORMAT_EXTENSIBLE (the real tag is in the sub-format GUID).
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Encodes interleaved `samples` (`channels` per frame) as a 16-bit PCM WAV file. Samples are
/// clamped to `-1.0..=1.0` and scaled by 32767; NaN becomes 0. A trailing partial frame is dropped,
/// and `channels` 0 is treated as 1.
pub fn encode_pcm16(samples: &[f32], sample_rate: u32, channels: u16) -> Vec<u8> {
    let channels = channels.max(1);
    let frames = samples.len() / usize::from(channels);
    let data_samples = frames * usize::from(channels);
    // RIFF sizes are 32-bit: a longer input is cut to what the format can describe.
    let max_samples = (u32::MAX as usize - 36) / 2;
    let data_samples = data_samples.min(max_samples - max_samples % usize::from(channels));
    let data_len = u32::try_from(data_samples * 2).unwrap_or(u32::MAX);
    let block_align = channels.saturating_mul(2);
    let mut out = Vec::with_capacity(44 + data_samples * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36u32.saturating_add(data_len)).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&FORMAT_PCM.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(
        &sample_rate
            .saturating_mul(u32::from(block_align))
            .to_le_bytes(),
    );
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in samples.iter().take(data_samples) {
        let v = if s.is_nan() { 0.0 } else { s.clamp(-1.0, 1.0) };
        out.extend_from_slice(&((v * 32767.0).round() as i16).to_le_bytes());
    }
    out
}

/// The fields of a `fmt ` chunk that decoding needs.
#[derive(Debug, Clone, Copy)]
struct Format {
    tag: u16,
    channels: u16,
    sample_rate: u32,
    block_align: u16,
    bits: u16,
}

/// Decodes a RIFF/WAVE file into interleaved `f32` samples.
///
/// Unknown chunks (`LIST`, `fact`, `cue `, ...) are skipped, odd-sized chunks are followed by their
/// pad byte, a `data` chunk whose size overruns the file (or is 0 / 0xFFFFFFFF, as streaming
/// writers leave it) is read to the end of the bytes, and a trailing partial frame is dropped.
pub fn decode(bytes: &[u8]) -> Result<Wav, WavError> {
    let (header, mut rest) = bytes.split_at_checked(12).ok_or(WavError::NotRiff)?;
    if header.get(0..4) != Some(b"RIFF".as_slice()) {
        return Err(WavError::NotRiff);
    }
    if header.get(8..12) != Some(b"WAVE".as_slice()) {
        return Err(WavError::NotWave);
    }
    let mut format: Option<Format> = None;
    while let Some((chunk_header, body)) = rest.split_at_checked(8) {
        let id = chunk_header.get(0..4).unwrap_or(&[]);
        let size = read_u32(chunk_header, 4).unwrap_or(0);
        let declared = usize::try_from(size).unwrap_or(usize::MAX);
        if id == b"data" {
            let fmt = format.ok_or(WavError::MissingFmt)?;
            let len = if size == 0 || size == u32::MAX {
                body.len()
            } else {
                declared.min(body.len())
            };
            let data = body.get(..len).unwrap_or(body);
            return Ok(Wav {
                sample_rate: fmt.sample_rate,
                channels: fmt.channels,
                samples: decode_samples(data, &fmt)?,
            });
        }
        let (chunk, after) = body.split_at_checked(declared).unwrap_or((body, &[]));
        if id == b"fmt " {
            format = Some(parse_format(chunk, size)?);
        }
        // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
        rest = if size % 2 == 1 {
            after.split_at_checked(1).map_or(after, |(_, r)| r)
        } else {
            after
        };
    }
    Err(WavError::MissingData)
}

fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    let bytes = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(bytes.try_into().ok()?))
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn parse_format(chunk: &[u8], size: u32) -> Result<Format, WavError> {
    let short = WavError::ShortFmt { size };
    let mut tag = read_u16(chunk, 0).ok_or(short.clone())?;
    let channels = read_u16(chunk, 2).ok_or(short.clone())?;
    let sample_rate = read_u32(chunk, 4).ok_or(short.clone())?;
    let block_align = read_u16(chunk, 12).ok_or(short.clone())?;
    let bits = read_u16(chunk, 14).ok_or(short)?;
    if tag == FORMAT_EXTENSIBLE {
        // cbSize at 16, then wValidBitsPerSample, dwChannelMask, and the sub-format GUID whose first
        // two bytes are the real format tag.
        tag = read_u16(chunk, 24).ok_or(WavError::InvalidFmt {
            field: "cbSize",
            value: u32::from(read_u16(chunk, 16).unwrap_or(0)),
        })?;
    }
    if channels == 0 {
        return Err(WavError::InvalidFmt {
            field: "nChannels",
            value: 0,
        });
    }
    if sample_rate == 0 {
        return Err(WavError::InvalidFmt {
            field: "nSamplesPerSec",
            value: 0,
        });
    }
    let supported = matches!(
        (tag, bits),
        (FORMAT_PCM, 8 | 16 | 24 | 32) | (FORMAT_FLOAT, 32 | 64)
    );
    if !supported {
        return Err(WavError::UnsupportedFormat {
            format_tag: tag,
            bits_per_sample: bits,
        });
    }
    let min_align = u32::from(channels) * u32::from(bits / 8);
    if u32::from(block_align) < min_align {
        return Err(WavError::InvalidFmt {
            field: "nBlockAlign",
            value: u32::from(block_align),
        });
    }
    Ok(Format {
        tag,
        channels,
        sample_rate,
        block_align,
        bits,
    })
}

fn decode_samples(data: &[u8], fmt: &Format) -> Result<Vec<f32>, WavError> {
    let width = usize::from(fmt.bits / 8);
    let frame = usize::from(fmt.block_align);
    if width == 0 || frame == 0 {
        return Err(WavError::InvalidFmt {
            field: "nBlockAlign",
            value: u32::from(fmt.block_align),
        });
    }
    let channels = usize::from(fmt.channels);
    let mut out = Vec::with_capacity(data.len() / frame * channels);
    for frame_bytes in data.chunks_exact(frame) {
        // A block may be wider than its samples (padding): take the first `channels` samples.
        for sample in frame_bytes.chunks_exact(width).take(channels) {
            out.push(sample_to_f32(sample, fmt.tag, fmt.bits));
        }
    }
    Ok(out)
}

fn sample_to_f32(b: &[u8], tag: u16, bits: u16) -> f32 {
    match (tag, bits, b) {
        (FORMAT_PCM, 8, [v]) => (f32::from(*v) - 128.0) / 128.0,
        (FORMAT_PCM, 16, [a, b]) => f32::from(i16::from_le_bytes([*a, *b])) / 32768.0,
        (FORMAT_PCM, 24, [a, b, c]) => {
            // Place the 24 bits at the top of an i32 so the sign extends, then scale back.
            (i32::from_le_bytes([0, *a, *b, *c]) >> 8) as f32 / 8_388_608.0
        }
        (FORMAT_PCM, 32, [a, b, c, d]) => {
            i32::from_le_bytes([*a, *b, *c, *d]) as f32 / 2_147_483_648.0
        }
        (FORMAT_FLOAT, 32, [a, b, c, d]) => f32::from_le_bytes([*a, *b, *c, *d]),
        (FORMAT_FLOAT, 64, [a, b, c, d, e, f, g, h]) => {
            f64::from_le_bytes([*a, *b, *c, *d, *e, *f, *g, *h]) as f32
        }
        _ => 0.0,
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

    /// Builds a WAV file from a raw `fmt ` body and data bytes, with extra chunks placed before
    /// `fmt ` and between `fmt ` and `data`.
    fn build(
        fmt: &[u8],
        data: &[u8],
        before: &[(&[u8; 4], &[u8])],
        between: &[(&[u8; 4], &[u8])],
    ) -> Vec<u8> {
        let mut body = b"WAVE".to_vec();
        let mut chunk = |id: &[u8; 4], bytes: &[u8]| {
            body.extend_from_slice(id);
            body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            body.extend_from_slice(bytes);
            if bytes.len() % 2 == 1 {
                body.push(0);
            }
        };
        for (id, b) in before {
            chunk(id, b);
        }
        chunk(b"fmt ", fmt);
        for (id, b) in between {
            chunk(id, b);
        }
        chunk(b"data", data);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn fmt_body(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut f = Vec::new();
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&channels.to_le_bytes());
        f.extend_from_slice(&rate.to_le_bytes());
        f.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        f.extend_from_slice(&align.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        f
    }

    fn extensible(sub_tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let mut f = fmt_body(FORMAT_EXTENSIBLE, channels, rate, bits);
        f.extend_from_slice(&22u16.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&sub_tag.to_le_bytes());
        f.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
        ]);
        f
    }

    #[test]
    fn pcm16_round_trip_mono_and_stereo() {
        let x: Vec<f32> = (0..1000).map(|i| ((i as f32) * 0.37).sin() * 0.9).collect();
        for channels in [1u16, 2, 3] {
            let bytes = encode_pcm16(&x, 44100, channels);
            let frames = x.len() / usize::from(channels);
            assert_eq!(bytes.len(), 44 + frames * usize::from(channels) * 2);
            let wav = decode(&bytes).unwrap();
            assert_eq!((wav.sample_rate, wav.channels), (44100, channels));
            assert_eq!(wav.frames(), frames);
            for (a, b) in wav.samples.iter().zip(&x) {
                // Encoding scales by 32767, decoding by 32768 (the usual pair): under 2 LSB apart.
                assert!((a - b).abs() <= 2.0 / 32768.0, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn encoder_clamps_and_writes_a_standard_header() {
        let bytes = encode_pcm16(&[2.0, -2.0, f32::NAN, 1.0, -1.0, 0.5], 8000, 1);
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(bytes[4..8].try_into().unwrap()), 36 + 12);
        assert_eq!(&bytes[8..16], b"WAVEfmt ");
        assert_eq!(read_u32(&bytes, 24), Some(8000));
        assert_eq!(read_u32(&bytes, 28), Some(16000), "byte rate");
        assert_eq!(read_u16(&bytes, 32), Some(2), "block align");
        assert_eq!(&bytes[36..40], b"data");
        let values: Vec<i16> = bytes[44..]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(values, vec![32767, -32767, 0, 32767, -32767, 16384]);
        // A partial trailing frame is dropped; zero channels means mono.
        assert_eq!(
            decode(&encode_pcm16(&[0.1, 0.2, 0.3], 8000, 2))
                .unwrap()
                .samples
                .len(),
            2
        );
        assert_eq!(
            decode(&encode_pcm16(&[0.1, 0.2, 0.3], 8000, 0))
                .unwrap()
                .channels,
            1
        );
    }

    #[test]
    fn decodes_every_supported_sample_format() {
        let half = 0.5f32;
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (fmt_body(FORMAT_PCM, 1, 8000, 8), vec![128 + 64, 128 - 64]),
            (
                fmt_body(FORMAT_PCM, 1, 8000, 16),
                [16384i16, -16384]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                fmt_body(FORMAT_PCM, 1, 8000, 24),
                vec![0x00, 0x00, 0x40, 0x00, 0x00, 0xC0],
            ),
            (
                fmt_body(FORMAT_PCM, 1, 8000, 32),
                [1i32 << 30, -(1 << 30)]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                fmt_body(FORMAT_FLOAT, 1, 8000, 32),
                [half, -half].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
            (
                fmt_body(FORMAT_FLOAT, 1, 8000, 64),
                [0.5f64, -0.5]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                extensible(FORMAT_PCM, 1, 8000, 24),
                vec![0x00, 0x00, 0x40, 0x00, 0x00, 0xC0],
            ),
            (
                extensible(FORMAT_FLOAT, 1, 8000, 32),
                [half, -half].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
        ];
        for (fmt, data) in cases {
            let wav = decode(&build(&fmt, &data, &[], &[])).unwrap();
            assert_eq!(wav.samples, vec![0.5, -0.5], "fmt {fmt:?}");
        }
    }

    #[test]
    fn walks_unknown_and_odd_sized_chunks() {
        let data: Vec<u8> = [100i16, -200, 300, -400]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bytes = build(
            &fmt_body(FORMAT_PCM, 2, 16000, 16),
            &data,
            &[(b"JUNK", &[1, 2, 3]), (b"bext", &[])],
            &[
                (b"LIST", b"INFOISFT\x05\x00\x00\x00hello\x00"),
                (b"fact", &[9, 9, 9, 9, 9]),
            ],
        );
        let wav = decode(&bytes).unwrap();
        assert_eq!((wav.sample_rate, wav.channels), (16000, 2));
        let ints: Vec<i32> = wav
            .samples
            .iter()
            .map(|v| (v * 32768.0).round() as i32)
            .collect();
        assert_eq!(ints, vec![100, -200, 300, -400]);
        assert_eq!(wav.mono().len(), 2);
        assert!((wav.mono()[0] - (-50.0 / 32768.0)).abs() < 1e-7);
    }

    #[test]
    fn odd_sized_fmt_chunk_is_followed_by_its_pad_byte() {
        let mut fmt = fmt_body(FORMAT_PCM, 1, 8000, 16);
        fmt.extend_from_slice(&[0, 0, 7]); // cbSize 0 plus a stray byte: 19 bytes
        let bytes = build(&fmt, &1000i16.to_le_bytes(), &[], &[]);
        assert_eq!(decode(&bytes).unwrap().samples, vec![1000.0 / 32768.0]);
    }

    #[test]
    fn streaming_and_truncated_data_sizes_read_to_the_end() {
        let x = [0.25f32, -0.25, 0.5];
        for declared in [0u32, u32::MAX, 1000] {
            let mut bytes = encode_pcm16(&x, 8000, 1);
            bytes[40..44].copy_from_slice(&declared.to_le_bytes());
            bytes.push(0x12); // half a sample: dropped
            let wav = decode(&bytes).unwrap();
            assert_eq!(wav.samples.len(), 3, "declared {declared}");
        }
        // A data chunk shorter than the file stops there (trailing chunks ignored).
        let mut bytes = encode_pcm16(&x, 8000, 1);
        bytes[40..44].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(decode(&bytes).unwrap().samples.len(), 2);
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(decode(b""), Err(WavError::NotRiff));
        assert_eq!(decode(b"RIFX\0\0\0\0WAVE"), Err(WavError::NotRiff));
        assert_eq!(decode(b"RIFF\0\0\0\0AVI "), Err(WavError::NotWave));
        assert_eq!(decode(b"RIFF\x04\0\0\0WAVE"), Err(WavError::MissingData));
        let no_fmt = [b"RIFF\x0c\0\0\0WAVEdata".as_slice(), &[0, 0, 0, 0]].concat();
        assert_eq!(decode(&no_fmt), Err(WavError::MissingFmt));
        let short = build(&[1, 0, 1, 0], &[], &[], &[]);
        assert_eq!(decode(&short), Err(WavError::ShortFmt { size: 4 }));
        let alaw = build(&fmt_body(6, 1, 8000, 8), &[0], &[], &[]);
        assert_eq!(
            decode(&alaw),
            Err(WavError::UnsupportedFormat {
                format_tag: 6,
                bits_per_sample: 8
            })
        );
        let pcm12 = build(&fmt_body(FORMAT_PCM, 1, 8000, 12), &[0, 0], &[], &[]);
        assert!(matches!(
            decode(&pcm12),
            Err(WavError::UnsupportedFormat { .. })
        ));
        let no_channels = build(&fmt_body(FORMAT_PCM, 0, 8000, 16), &[0, 0], &[], &[]);
        assert_eq!(
            decode(&no_channels),
            Err(WavError::InvalidFmt {
                field: "nChannels",
                value: 0
            })
        );
        let no_rate = build(&fmt_body(FORMAT_PCM, 1, 0, 16), &[0, 0], &[], &[]);
        assert_eq!(
            decode(&no_rate),
            Err(WavError::InvalidFmt {
                field: "nSamplesPerSec",
                value: 0
            })
        );
        let mut bad_align = fmt_body(FORMAT_PCM, 2, 8000, 16);
        bad_align[12] = 2;
        assert_eq!(
            decode(&build(&bad_align, &[0; 8], &[], &[])),
            Err(WavError::InvalidFmt {
                field: "nBlockAlign",
                value: 2
            })
        );
        for e in [
            WavError::MissingData,
            WavError::UnsupportedFormat {
                format_tag: 6,
                bits_per_sample: 8,
            },
        ] {
            let text = e.to_string();
            assert!(
                text.contains("re-export") || text.contains("convert"),
                "{text}"
            );
        }
    }

    #[test]
    fn never_panics_on_damaged_bytes() {
        let good = build(
            &extensible(FORMAT_PCM, 2, 8000, 24),
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            &[(b"LIST", &[1, 2, 3])],
            &[],
        );
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for cut in 0..good.len() {
            let _ = decode(&good[..cut]);
        }
        for _ in 0..3000 {
            let mut b = good.clone();
            for _ in 0..3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state % b.len() as u64) as usize;
                b[i] = (state >> 32) as u8;
            }
            let _ = decode(&b);
        }
    }

    #[test]
    fn padded_blocks_take_the_first_samples_of_each_frame() {
        // 16-bit mono in 4-byte blocks (a padded layout some writers use).
        let mut fmt = fmt_body(FORMAT_PCM, 1, 8000, 16);
        fmt[12] = 4;
        let data = [0x00, 0x40, 0xAA, 0xAA, 0x00, 0xC0, 0xAA, 0xAA];
        assert_eq!(
            decode(&build(&fmt, &data, &[], &[])).unwrap().samples,
            vec![0.5, -0.5]
        );
    }
}
