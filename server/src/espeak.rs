//! The espeak-ng voice (`--tts espeak`): real, intelligible speech from the `espeak-ng` program.
//!
//! Owns the voice table (Aura model name → espeak-ng voice), one `espeak-ng` run per synthesis (the
//! text on stdin, never as an argument; a WAV on stdout; a deadline), reading that WAV (the header is
//! parsed, not assumed), and resampling to the connection's rate with the client library's
//! [`PolyphaseResampler`]. It must not hold protocol rules: buffering, framing, encoding and pacing stay
//! in `speak_session.rs` and `speak_driver.rs`. A failed synthesis logs one line and yields silence for
//! that text, so a connection never ends because of the engine.
//!
//! Blocking: [`Voice::synthesize`] is called synchronously on the connection's task (a Flush reaches it
//! through `SpeakDriver::on_text` → `SpeakSession::handle_text`), that is on a tokio worker thread, not
//! through `spawn_blocking`. On a multi-threaded runtime (the binary's `#[tokio::main]`) the process run
//! is therefore wrapped in `tokio::task::block_in_place`, which hands this worker's other tasks to
//! another thread for the duration, so other connections keep running. On a current-thread runtime
//! there is no other thread to hand them to, and the call blocks that runtime for the synthesis time
//! (about 10-30 ms per sentence on the development machine).

use std::ffi::OsStr;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use deepgram_live_dsp::PolyphaseResampler;

use crate::codec::PcmDecoder;
use crate::container::{sniff, Sniffed};
use crate::stderr_log::Logger;
use crate::voice::{Voice, VoiceEngine};

/// The program run for each synthesis (looked up on `PATH`).
pub const PROGRAM: &str = "espeak-ng";

/// The one-line error when `--tts espeak` is asked for and [`PROGRAM`] is not on `PATH`.
pub const MISSING_PROGRAM: &str =
    "--tts espeak needs the espeak-ng program: run make demo (installs it) or apt-get install espeak-ng";

/// Speaking rate in words per minute (`espeak-ng -s`; its own default is 175).
pub const RATE_WPM: u32 = 160;

/// The longest one synthesis may run before the process is killed (and silence sent instead).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The espeak-ng voice for model names the table does not know.
pub const DEFAULT_VOICE: &str = "en-us";

/// The espeak-ng variant appended to the language for a female Aura voice.
pub const FEMALE_VARIANT: &str = "+f3";

/// Aura voice names (aura-1 and aura-2) that are female; every other name gets the language's default
/// (male) espeak-ng voice.
pub const FEMALE_NAMES: &[&str] = &[
    "amalthea",
    "andromeda",
    "asteria",
    "athena",
    "aurora",
    "callista",
    "carina",
    "celeste",
    "cora",
    "cordelia",
    "delia",
    "diana",
    "electra",
    "estrella",
    "harmonia",
    "helena",
    "hera",
    "iris",
    "janus",
    "juno",
    "luna",
    "minerva",
    "ophelia",
    "pandora",
    "phoebe",
    "selena",
    "selene",
    "stella",
    "thalia",
    "theia",
    "vesta",
];

/// The language part of an Aura model name (`aura-2-thalia-en` → `en`) and the espeak-ng voice for it.
/// Other languages fall back to [`DEFAULT_VOICE`].
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "en-us"),
    ("es", "es-419"),
    ("fr", "fr"),
    ("de", "de"),
    ("it", "it"),
    ("nl", "nl"),
    ("ja", "ja"),
];

/// The espeak-ng voice (`-v`) for a requested model name: the language from the name's last part
/// ([`LANGUAGES`]), plus [`FEMALE_VARIANT`] for a name in [`FEMALE_NAMES`]. Case-insensitive; anything
/// else (not an Aura name, an unknown language) uses [`DEFAULT_VOICE`].
pub fn voice_for_model(model: &str) -> String {
    let lower = model.trim().to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("aura-2-")
        .or_else(|| lower.strip_prefix("aura-"))
    else {
        return DEFAULT_VOICE.to_string();
    };
    let (name, language) = rest.rsplit_once('-').unwrap_or((rest, "en"));
    let base = LANGUAGES
        .iter()
        .find(|(l, _)| *l == language)
        .map_or(DEFAULT_VOICE, |(_, v)| *v);
    if FEMALE_NAMES.contains(&name) {
        format!("{base}{FEMALE_VARIANT}")
    } else {
        base.to_string()
    }
}

/// Where [`PROGRAM`] is on `PATH`, if it is there (an executable file).
pub fn find_program() -> Option<PathBuf> {
    find_in_path(OsStr::new(PROGRAM), &std::env::var_os("PATH")?)
}

fn find_in_path(name: &OsStr, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file() || p.with_extension("exe").is_file()
}

/// Mono audio read from a WAV file.
#[derive(Debug, Clone, PartialEq)]
pub struct WavAudio {
    /// Sample rate in Hz, from the `fmt ` chunk.
    pub sample_rate: u32,
    /// The samples; several channels are averaged into one.
    pub samples: Vec<f32>,
}

/// Why bytes could not be read as a WAV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavError {
    /// The bytes end before the `data` chunk starts.
    Truncated,
    /// Not a RIFF/WAVE file, or a sample format other than PCM16, float32, A-law and mu-law.
    Unsupported,
}

impl fmt::Display for WavError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WavError::Truncated => f.write_str("the WAV output ends before its data chunk"),
            WavError::Unsupported => {
                f.write_str("the output is not a WAV file in PCM16, float32, A-law or mu-law")
            }
        }
    }
}

impl std::error::Error for WavError {}

/// Reads a whole WAV file: the `fmt ` chunk gives the rate, channels and sample format (any chunks may
/// come before `data`). The `data` chunk runs to its declared size, or to the end of the bytes when the
/// size is larger than what is there: a program writing to a pipe cannot seek back to fill it in, and
/// `espeak-ng --stdout` declares `0x7ffff000`. A sample cut off at the end is dropped.
pub fn parse_wav(bytes: &[u8]) -> Result<WavAudio, WavError> {
    let (format, data_offset) = match sniff(bytes) {
        Sniffed::Wav {
            format,
            data_offset,
        } => (format, data_offset),
        Sniffed::NeedMore => return Err(WavError::Truncated),
        Sniffed::Opaque(_) | Sniffed::Unrecognized => return Err(WavError::Unsupported),
    };
    let rest = bytes.get(data_offset..).unwrap_or_default();
    let declared = data_offset
        .checked_sub(4)
        .and_then(|at| bytes.get(at..data_offset))
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .and_then(|b| usize::try_from(u32::from_le_bytes(b)).ok())
        .unwrap_or(usize::MAX);
    let data = rest.get(..declared).unwrap_or(rest);
    let mut decoder = PcmDecoder::new(format.encoding, format.channels);
    let mut channels = Vec::new();
    decoder.decode(data, &mut channels);
    let samples = if channels.len() == 1 {
        channels.pop().unwrap_or_default()
    } else {
        let scale = 1.0 / channels.len().max(1) as f32;
        let len = channels.first().map_or(0, Vec::len);
        (0..len)
            .map(|i| {
                channels
                    .iter()
                    .map(|c| c.get(i).copied().unwrap_or(0.0))
                    .sum::<f32>()
                    * scale
            })
            .collect()
    };
    Ok(WavAudio {
        sample_rate: format.sample_rate,
        samples,
    })
}

/// Converts mono `samples` from `from` Hz to `to` Hz with the client library's [`PolyphaseResampler`]:
/// exactly `floor(n * to / from)` samples, time-aligned (the filter's delay is removed), with the
/// filter's tail flushed by zeros so the end of the speech is not cut off.
///
/// # Errors
/// The resampler's error when a rate is outside 8000-192000 Hz.
pub fn resample(
    samples: &[f32],
    from: u32,
    to: u32,
) -> Result<Vec<f32>, deepgram_live_dsp::AudioError> {
    let mut r = PolyphaseResampler::new(from, to)?;
    if r.is_passthrough() {
        return Ok(samples.to_vec());
    }
    let want = usize::try_from(r.output_len_for(samples.len() as u64)).unwrap_or(usize::MAX);
    // The delay is a few dozen samples; rounding keeps the output on the input's time grid.
    let skip = r.latency_samples().round().max(0.0) as usize;
    let needed = want.saturating_add(skip);
    let mut out = Vec::with_capacity(needed.saturating_add(64));
    r.process(samples, &mut out);
    // Zeros push the last input samples through the filter; each block yields at least
    // taps * to / from >= 2 outputs (the span is 56 samples of the lower rate), so this ends quickly.
    let zeros = vec![0.0f32; r.taps().max(64)];
    let mut rounds = 0;
    while out.len() < needed && rounds < 1024 {
        r.process(&zeros, &mut out);
        rounds += 1;
    }
    out.drain(..skip.min(out.len()));
    out.resize(want, 0.0);
    Ok(out)
}

/// Why one synthesis produced no speech.
#[derive(Debug)]
pub enum SynthesisError {
    /// The program could not be started.
    Spawn(std::io::Error),
    /// Reading its output or waiting for it failed.
    Io(std::io::Error),
    /// It ran longer than [`TIMEOUT`] and was killed.
    Timeout,
    /// It exited unsuccessfully; the first line it wrote on stderr.
    Failed {
        /// Its exit status.
        status: ExitStatus,
        /// The first non-empty stderr line, at most 200 characters.
        stderr: String,
    },
    /// Its output was not a WAV this voice can read.
    Wav(WavError),
    /// Its sample rate could not be converted.
    Resample(String),
}

impl fmt::Display for SynthesisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SynthesisError::Spawn(e) => write!(f, "{PROGRAM} could not be started: {e}"),
            SynthesisError::Io(e) => write!(f, "reading from {PROGRAM} failed: {e}"),
            SynthesisError::Timeout => write!(
                f,
                "{PROGRAM} ran longer than {} s and was killed",
                TIMEOUT.as_secs()
            ),
            SynthesisError::Failed { status, stderr } if stderr.is_empty() => {
                write!(f, "{PROGRAM} failed ({status})")
            }
            SynthesisError::Failed { status, stderr } => {
                write!(f, "{PROGRAM} failed ({status}): {stderr}")
            }
            SynthesisError::Wav(e) => write!(f, "{PROGRAM}: {e}"),
            SynthesisError::Resample(e) => write!(f, "{PROGRAM} output: {e}"),
        }
    }
}

impl std::error::Error for SynthesisError {}

/// How much of the program's stderr is kept for the log line.
const STDERR_KEPT: u64 = 4096;

/// Runs `program` once for `text` with `voice`; returns its stdout (a WAV file).
fn run_program(program: &Path, voice: &str, text: &str) -> Result<Vec<u8>, SynthesisError> {
    let rate = RATE_WPM.to_string();
    let mut child = Command::new(program)
        // --stdin: read all of stdin as the text (not line by line); -b 1: it is UTF-8.
        .args(["--stdout", "--stdin", "-b", "1", "-v", voice, "-s", &rate])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SynthesisError::Spawn)?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(SynthesisError::Io(std::io::Error::other(
            "the child's pipes were not set up",
        )));
    };
    let (tx, rx) = mpsc::channel();
    let (got, status, err_head) = std::thread::scope(|scope| {
        // Separate threads for the three pipes, so a large text or a chatty stderr cannot deadlock.
        scope.spawn(move || {
            // A write error means the program stopped reading; its exit status tells why.
            let _ = stdin.write_all(text.as_bytes());
        });
        let err_reader = scope.spawn(move || {
            let mut head = Vec::new();
            let _ = (&mut stderr).take(STDERR_KEPT).read_to_end(&mut head);
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            head
        });
        scope.spawn(move || {
            let mut out = Vec::new();
            let read = stdout.read_to_end(&mut out).map(|_| out);
            let _ = tx.send(read);
        });
        let got = rx.recv_timeout(TIMEOUT);
        if got.is_err() {
            // Killing closes its pipes, so the reader threads end and the scope can join them.
            let _ = child.kill();
        }
        let status = child.wait();
        (got, status, err_reader.join().unwrap_or_default())
    });
    let bytes = match got {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(SynthesisError::Io(e)),
        Err(mpsc::RecvTimeoutError::Timeout) => return Err(SynthesisError::Timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(SynthesisError::Io(std::io::Error::other(
                "the stdout reader stopped",
            )))
        }
    };
    let status = status.map_err(SynthesisError::Io)?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&err_head)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        return Err(SynthesisError::Failed { status, stderr });
    }
    Ok(bytes)
}

/// Runs `f`, which blocks, without stalling the other tasks of a multi-threaded tokio runtime (see the
/// module docs); elsewhere it just runs `f`.
fn run_blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The silence sent for a text whose synthesis failed: as long as the text would take at [`RATE_WPM`]
/// (at least one word), so a client's playback timeline still moves on.
pub fn silence_for(text: &str, sample_rate: u32) -> usize {
    let words = u64::try_from(text.split_whitespace().count().max(1)).unwrap_or(u64::MAX);
    let samples = words
        .saturating_mul(60)
        .saturating_mul(u64::from(sample_rate))
        / u64::from(RATE_WPM.max(1));
    usize::try_from(samples).unwrap_or(0)
}

/// One connection's espeak-ng voice.
#[derive(Debug, Clone)]
pub struct EspeakVoice {
    program: PathBuf,
    voice: String,
    log: Logger,
}

impl EspeakVoice {
    /// A voice that runs `program` with the espeak-ng voice `voice` (e.g. `en-us+f3`) and logs
    /// failures to `log`.
    pub fn new(program: impl Into<PathBuf>, voice: impl Into<String>, log: Logger) -> EspeakVoice {
        EspeakVoice {
            program: program.into(),
            voice: voice.into(),
            log,
        }
    }

    /// The espeak-ng voice name passed as `-v`.
    pub fn voice(&self) -> &str {
        &self.voice
    }

    /// Synthesizes `text` at `sample_rate`, or says why not. Blocks for the program's run.
    pub fn render(&self, text: &str, sample_rate: u32) -> Result<Vec<f32>, SynthesisError> {
        let wav = run_program(&self.program, &self.voice, text)?;
        if wav.is_empty() {
            // Nothing to say (espeak-ng writes no header at all then).
            return Ok(Vec::new());
        }
        let audio = parse_wav(&wav).map_err(SynthesisError::Wav)?;
        resample(&audio.samples, audio.sample_rate, sample_rate)
            .map_err(|e| SynthesisError::Resample(e.to_string()))
    }
}

impl Voice for EspeakVoice {
    fn synthesize(&mut self, text: &str, sample_rate: u32, out: &mut Vec<f32>) {
        if text.trim().is_empty() {
            return;
        }
        match run_blocking(|| self.render(text, sample_rate)) {
            Ok(samples) => out.extend_from_slice(&samples),
            Err(e) => {
                let n = silence_for(text, sample_rate);
                // The text itself is the client's and is not logged; its length is enough to debug.
                self.log.line(format_args!(
                    "espeak: synthesis of {} characters failed: {e}; sent {} ms of silence instead",
                    text.chars().count(),
                    n as u64 * 1000 / u64::from(sample_rate.max(1))
                ));
                out.extend(std::iter::repeat_n(0.0, n));
            }
        }
    }
}

/// The engine behind `--tts espeak`: one [`EspeakVoice`] per connection, its voice from the model.
#[derive(Debug, Clone)]
pub struct EspeakVoiceEngine {
    program: PathBuf,
    log: Logger,
}

impl EspeakVoiceEngine {
    /// The engine running [`PROGRAM`] from `PATH`; failures are logged to `log`.
    pub fn new(log: Logger) -> EspeakVoiceEngine {
        EspeakVoiceEngine::with_program(PROGRAM, log)
    }

    /// The engine running another program with espeak-ng's command line (tests use it to make
    /// synthesis fail).
    pub fn with_program(program: impl Into<PathBuf>, log: Logger) -> EspeakVoiceEngine {
        EspeakVoiceEngine {
            program: program.into(),
            log,
        }
    }
}

impl VoiceEngine for EspeakVoiceEngine {
    fn create(&self, model: &str) -> Box<dyn Voice> {
        Box::new(EspeakVoice::new(
            self.program.clone(),
            voice_for_model(model),
            self.log,
        ))
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
    use crate::codec::{encode, Encoding};
    use crate::container::{wav_header, WavFormat};

    fn wav(encoding: Encoding, rate: u32, channels: u16, samples: &[f32]) -> Vec<u8> {
        let mut data = Vec::new();
        encode(encoding, samples, &mut data);
        let mut b = wav_header(
            WavFormat {
                encoding,
                sample_rate: rate,
                channels,
            },
            data.len() as u32,
        );
        b.extend(data);
        b
    }

    fn ramp(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 / n as f32) - 0.5).collect()
    }

    fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
    }

    #[test]
    fn wav_pcm16_mono_is_read_at_its_own_rate() {
        let s = ramp(1000);
        let got = parse_wav(&wav(Encoding::Linear16, 22050, 1, &s)).unwrap();
        assert_eq!(got.sample_rate, 22050);
        assert!(close(&got.samples, &s, 1.0 / 16384.0));
    }

    #[test]
    fn wav_streaming_size_placeholder_reads_to_the_end() {
        // What espeak-ng --stdout writes: RIFF and data sizes 0x7ffff000 (it cannot seek on a pipe),
        // and a last sample cut in half.
        let s = ramp(500);
        let mut b = wav(Encoding::Linear16, 22050, 1, &s);
        b[4..8].copy_from_slice(&0x7fff_f024u32.to_le_bytes());
        b[40..44].copy_from_slice(&0x7fff_f000u32.to_le_bytes());
        b.push(0x12);
        let got = parse_wav(&b).unwrap();
        assert_eq!(got.samples.len(), 500);
        assert!(close(&got.samples, &s, 1.0 / 16384.0));
    }

    #[test]
    fn wav_rate_channels_and_format_come_from_the_header() {
        // Stereo float32 at 16 kHz: the channels are averaged.
        let inter: Vec<f32> = (0..200).flat_map(|i| [i as f32 / 400.0, -0.25]).collect();
        let got = parse_wav(&wav(Encoding::Linear32, 16000, 2, &inter)).unwrap();
        assert_eq!(got.sample_rate, 16000);
        let want: Vec<f32> = (0..200).map(|i| (i as f32 / 400.0 - 0.25) / 2.0).collect();
        assert!(close(&got.samples, &want, 1e-6));
        // Mu-law at 8 kHz.
        let got = parse_wav(&wav(Encoding::Mulaw, 8000, 1, &ramp(80))).unwrap();
        assert_eq!((got.sample_rate, got.samples.len()), (8000, 80));
    }

    #[test]
    fn wav_chunks_before_data_and_after_its_declared_size_are_skipped() {
        let s = ramp(100);
        let plain = wav(Encoding::Linear16, 24000, 1, &s);
        let mut b = plain[..36].to_vec();
        b.extend_from_slice(b"LIST");
        b.extend_from_slice(&5u32.to_le_bytes());
        b.extend_from_slice(b"abcde\0"); // odd size, padded
        b.extend_from_slice(&plain[36..]);
        b.extend_from_slice(b"id3 \x04\0\0\0junk");
        let got = parse_wav(&b).unwrap();
        assert_eq!(got.sample_rate, 24000);
        assert!(close(&got.samples, &s, 1.0 / 16384.0));
    }

    #[test]
    fn wav_errors() {
        assert_eq!(parse_wav(b""), Err(WavError::Truncated));
        let b = wav(Encoding::Linear16, 22050, 1, &[0.0; 4]);
        assert_eq!(parse_wav(&b[..30]), Err(WavError::Truncated));
        assert_eq!(parse_wav(b"OggS\0\0\0\0"), Err(WavError::Unsupported));
        assert_eq!(
            parse_wav(b"RIFF\0\0\0\0AVI LIST\0\0\0\0"),
            Err(WavError::Unsupported)
        );
        // 24-bit PCM is not read.
        let mut b = wav(Encoding::Linear16, 22050, 1, &[0.0; 4]);
        b[34..36].copy_from_slice(&24u16.to_le_bytes());
        assert_eq!(parse_wav(&b), Err(WavError::Unsupported));
        // A header with no samples is an empty sound, not an error.
        let got = parse_wav(&wav(Encoding::Linear16, 22050, 1, &[])).unwrap();
        assert!(got.samples.is_empty());
    }

    #[test]
    fn voice_table() {
        for (model, voice) in [
            ("aura-2-thalia-en", "en-us+f3"),
            ("aura-2-andromeda-en", "en-us+f3"),
            ("aura-asteria-en", "en-us+f3"),
            ("AURA-2-Luna-EN", "en-us+f3"),
            ("aura-2-zeus-en", "en-us"),
            ("aura-2-apollo-en", "en-us"),
            ("aura-orion-en", "en-us"),
            ("aura-2-celeste-es", "es-419+f3"),
            ("aura-2-nestor-es", "es-419"),
            ("aura-2-somebody-xx", "en-us"),
            ("aura-2-helena-xx", "en-us+f3"),
            ("nova-3", "en-us"),
            ("", "en-us"),
            ("thalia", "en-us"),
        ] {
            assert_eq!(voice_for_model(model), voice, "{model}");
        }
        // Every name in the table is a lowercase word (the lookup lowercases the model name).
        for n in FEMALE_NAMES {
            assert!(n.chars().all(|c| c.is_ascii_lowercase()), "{n}");
        }
    }

    #[test]
    fn resample_is_exact_aligned_and_keeps_the_tail() {
        // A 300 Hz tone that fills the input to the last sample: the output must have exactly
        // floor(n * to / from) samples, the same tone at the same phase, and no faded end.
        let from = 22050;
        let n = 22050 / 2 + 7;
        let tone = |rate: u32, i: usize| {
            0.5 * (std::f64::consts::TAU * 300.0 * i as f64 / f64::from(rate)).sin() as f32
        };
        let input: Vec<f32> = (0..n).map(|i| tone(from, i)).collect();
        for to in [8000u32, 16000, 24000, 48000, 22050] {
            let out = resample(&input, from, to).unwrap();
            let want = (n as u64 * u64::from(to) / u64::from(from)) as usize;
            assert_eq!(out.len(), want, "{to}");
            // Away from both ends (where the filter sees the zeros around the input) the tone
            // matches at the same phase...
            let (from_i, to_i) = ((to / 100) as usize, want - (to / 100) as usize);
            let err = (from_i..to_i)
                .map(|i| (out[i] - tone(to, i)).abs())
                .fold(0.0f32, f32::max);
            assert!(err < 0.02, "{to}: max error {err}");
            // ... and the last 2 ms still sound: an unflushed filter would leave its delay (1-4 ms)
            // as zeros there.
            let last = &out[want - (to / 500) as usize..];
            assert!(rms(last) > 0.1, "{to}: tail rms {}", rms(last));
        }
        assert!(resample(&input, 22050, 4000).is_err());
    }

    #[test]
    fn espeak_ng_is_found_on_path() {
        let p = find_program().expect("espeak-ng must be installed (scripts/setup.sh --espeak)");
        assert!(p.ends_with(PROGRAM));
        assert_eq!(
            find_in_path(OsStr::new(PROGRAM), OsStr::new("/nonexistent-dir")),
            None
        );
    }

    #[test]
    fn real_speech_at_every_rate() {
        let voice = EspeakVoice::new(PROGRAM, "en-us+f3", Logger::new(false));
        for rate in [8000, 16000, 24000, 48000] {
            let started = std::time::Instant::now();
            let out = voice.render("Hello world, this is a test.", rate).unwrap();
            let secs = out.len() as f64 / f64::from(rate);
            eprintln!(
                "{rate} Hz: {secs:.3} s of speech in {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
            assert!((0.4..3.0).contains(&secs), "{rate}: {secs} s");
            assert!(rms(&out) > 0.02, "{rate}: rms {}", rms(&out));
            assert!(out.iter().all(|x| x.abs() <= 1.5));
        }
    }

    #[test]
    fn text_is_never_read_as_options() {
        // As an argument this would be `-v` plus a bogus voice (an error); on stdin it is spoken.
        let voice = EspeakVoice::new(PROGRAM, "en-us", Logger::new(false));
        let out = voice.render("-v nosuchvoice --help", 16000).unwrap();
        assert!(out.len() > 16000 / 2, "{}", out.len());
        assert!(rms(&out) > 0.02);
        // Markup is not interpreted (no -m): the tags are read out, so it lasts much longer.
        let plain = voice.render("one", 8000).unwrap().len();
        let tagged = voice.render("<speak>one</speak>", 8000).unwrap().len();
        assert!(tagged > 2 * plain, "{tagged} vs {plain}");
        // A text of many sentences and lines is spoken whole.
        let many = "One two three.\nFour five six. ".repeat(10);
        let out = voice.render(&many, 8000).unwrap();
        assert!(out.len() > 8000 * 10, "{}", out.len());
    }

    #[test]
    fn a_failing_program_gives_silence_not_a_panic() {
        for program in ["false", "/nonexistent/espeak-ng"] {
            let mut voice = EspeakVoiceEngine::with_program(program, Logger::new(false))
                .create("aura-2-thalia-en");
            let mut out = vec![0.5];
            voice.synthesize("four words of text", 16000, &mut out);
            assert_eq!(out.len(), 1 + silence_for("four words of text", 16000));
            assert_eq!(out.len(), 1 + 4 * 60 * 16000 / RATE_WPM as usize);
            assert!(out[1..].iter().all(|x| *x == 0.0));
        }
        let failure =
            |program: &str, voice: &str| match EspeakVoice::new(program, voice, Logger::new(false))
                .render("x", 16000)
            {
                Ok(samples) => panic!("{program} -v {voice}: {} samples", samples.len()),
                Err(e) => e,
            };
        let e = failure("false", "en-us");
        assert!(matches!(e, SynthesisError::Failed { .. }), "{e}");
        // A voice espeak-ng does not have: it exits 1 and says why on stderr, which is logged.
        let e = failure(PROGRAM, "nosuchvoice");
        assert!(matches!(e, SynthesisError::Failed { .. }), "{e}");
        assert!(e.to_string().contains("voice does not exist"), "{e}");
    }

    #[test]
    fn blank_text_runs_nothing() {
        let mut voice = EspeakVoice::new("/nonexistent/espeak-ng", "en-us", Logger::new(false));
        let mut out = Vec::new();
        voice.synthesize(" \n\t", 16000, &mut out);
        assert!(out.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn synthesis_on_a_runtime_worker_does_not_panic() {
        // block_in_place path (multi-threaded runtime) ...
        let mut voice = EspeakVoiceEngine::new(Logger::new(false)).create("aura-2-zeus-en");
        let mut out = Vec::new();
        voice.synthesize("Testing.", 24000, &mut out);
        assert!(rms(&out) > 0.02);
        // ... and the plain path (current-thread runtime).
        let out = tokio::task::spawn_blocking(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut voice = EspeakVoiceEngine::new(Logger::new(false)).create("x");
                let mut out = Vec::new();
                voice.synthesize("Testing.", 24000, &mut out);
                out
            })
        })
        .await
        .unwrap();
        assert!(rms(&out) > 0.02);
    }
}
