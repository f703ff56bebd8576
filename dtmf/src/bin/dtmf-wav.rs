//! `dtmf-wav`: writes a PCM16 WAV file of DTMF keys (lead silence, the keys, tail silence) and/or
//! prints where each tone lies. The build uses it to generate the fake-microphone files. It owns
//! argument parsing (by hand, no dependencies) and file writing; the signal itself comes from the
//! library so the files and the detector cannot disagree.

use std::process::ExitCode;

use dtmf::{ms_to_samples, synthesize, wav, Key, ToneSpec};

const USAGE: &str = "\
usage: dtmf-wav --keys KEYS [--out PATH] [--print-truth] [options]

Writes a 16-bit PCM WAV: LEAD ms of silence, each key as TONE ms of tone followed by GAP ms of
silence (the last key too), then TAIL ms of silence. The same signal goes to every channel.

  --keys KEYS        keys to sound: 0-9 * # A-D (lowercase a-d too; spaces are ignored)
  --out PATH         write the WAV file there
  --print-truth      print one line per key to stdout: `KEY START_MS END_MS`
  --rate HZ          sample rate, 4000..=384000 (default 48000)
  --tone-ms MS       tone length (default 100)
  --gap-ms MS        silence after each tone (default 100)
  --lead-ms MS       silence before the first tone (default 0)
  --tail-ms MS       extra silence at the end (default 0)
  --amplitude A      peak of each two-sine tone, 0..=1 (default 0.5)
  --channels N       interleaved channels, 1..=32 (default 1)
  -h, --help         this text

At least one of --out and --print-truth is required.";

/// A complete, validated request.
#[derive(Debug, Clone, PartialEq)]
struct Request {
    keys: Vec<Key>,
    out: Option<String>,
    print_truth: bool,
    rate: u32,
    spec: ToneSpec,
    lead_ms: u32,
    tail_ms: u32,
    channels: u16,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
enum Command {
    Help,
    Generate(Request),
}

/// A command-line mistake; the message names the flag and what it accepts.
#[derive(Debug, Clone, PartialEq)]
enum UsageError {
    UnknownFlag(String),
    MissingValue(&'static str),
    BadValue {
        flag: &'static str,
        value: String,
        expected: &'static str,
    },
    BadKey {
        key: char,
    },
    Missing(&'static str),
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsageError::UnknownFlag(flag) => {
                write!(f, "unknown argument {flag:?}; see --help for the flags")
            }
            UsageError::MissingValue(flag) => write!(f, "{flag} needs a value, e.g. `{flag} 100`"),
            UsageError::BadValue {
                flag,
                value,
                expected,
            } => write!(f, "{flag}: {value:?} is not valid; expected {expected}"),
            UsageError::BadKey { key } => {
                write!(f, "--keys: {key:?} is not a DTMF key; use 0-9, *, #, A-D")
            }
            UsageError::Missing(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for UsageError {}

fn parse_number<T: std::str::FromStr + PartialOrd>(
    flag: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
    expected: &'static str,
) -> Result<T, UsageError> {
    match value.trim().parse::<T>() {
        Ok(v) if range.contains(&v) => Ok(v),
        _ => Err(UsageError::BadValue {
            flag,
            value: value.to_string(),
            expected,
        }),
    }
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, UsageError> {
    let mut keys: Option<Vec<Key>> = None;
    let mut request = Request {
        keys: Vec::new(),
        out: None,
        print_truth: false,
        rate: 48000,
        spec: ToneSpec::default(),
        lead_ms: 0,
        tail_ms: 0,
        channels: 1,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let flag: &'static str = match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--print-truth" => {
                if inline.is_some() {
                    return Err(UsageError::BadValue {
                        flag: "--print-truth",
                        value: arg,
                        expected: "no value (it is a switch)",
                    });
                }
                request.print_truth = true;
                continue;
            }
            "--keys" => "--keys",
            "--out" => "--out",
            "--rate" => "--rate",
            "--tone-ms" => "--tone-ms",
            "--gap-ms" => "--gap-ms",
            "--lead-ms" => "--lead-ms",
            "--tail-ms" => "--tail-ms",
            "--amplitude" => "--amplitude",
            "--channels" => "--channels",
            _ => return Err(UsageError::UnknownFlag(arg)),
        };
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(UsageError::MissingValue(flag)),
        };
        const MS: &str = "a whole number of milliseconds, 0..=600000";
        match flag {
            "--keys" => {
                let mut parsed = Vec::new();
                for c in value.chars().filter(|c| !c.is_whitespace()) {
                    parsed.push(Key::from_char(c).ok_or(UsageError::BadKey { key: c })?);
                }
                if parsed.is_empty() {
                    return Err(UsageError::BadValue {
                        flag,
                        value,
                        expected: "at least one key (0-9, *, #, A-D)",
                    });
                }
                keys = Some(parsed);
            }
            "--out" => {
                if value.is_empty() {
                    return Err(UsageError::BadValue {
                        flag,
                        value,
                        expected: "a file path",
                    });
                }
                request.out = Some(value);
            }
            "--rate" => {
                request.rate =
                    parse_number(flag, &value, 4000..=384_000, "a rate in Hz, 4000..=384000")?
            }
            "--tone-ms" => request.spec.tone_ms = parse_number(flag, &value, 0..=600_000, MS)?,
            "--gap-ms" => request.spec.gap_ms = parse_number(flag, &value, 0..=600_000, MS)?,
            "--lead-ms" => request.lead_ms = parse_number(flag, &value, 0..=600_000, MS)?,
            "--tail-ms" => request.tail_ms = parse_number(flag, &value, 0..=600_000, MS)?,
            "--amplitude" => {
                request.spec.amplitude =
                    parse_number(flag, &value, 0.0..=1.0, "a number from 0 to 1")?
            }
            _ => request.channels = parse_number(flag, &value, 1..=32, "a channel count, 1..=32")?,
        }
    }
    request.keys = keys.ok_or(UsageError::Missing(
        "--keys is required, e.g. --keys 0123456789",
    ))?;
    if request.out.is_none() && !request.print_truth {
        return Err(UsageError::Missing(
            "nothing to do: give --out PATH to write a file and/or --print-truth",
        ));
    }
    Ok(Command::Generate(request))
}

/// The mono signal: lead, the keys, tail.
fn render(request: &Request) -> Vec<f32> {
    let mut x = vec![0.0f32; ms_to_samples(u64::from(request.lead_ms), request.rate) as usize];
    x.extend(synthesize(&request.keys, &request.spec, request.rate));
    x.resize(
        x.len() + ms_to_samples(u64::from(request.tail_ms), request.rate) as usize,
        0.0,
    );
    x
}

/// `KEY START_MS END_MS` for each key, in the file's time (lead included).
fn truth_lines(request: &Request) -> Vec<String> {
    let period = u64::from(request.spec.tone_ms) + u64::from(request.spec.gap_ms);
    request
        .keys
        .iter()
        .zip(0u64..)
        .map(|(key, i)| {
            let start = u64::from(request.lead_ms) + i * period;
            format!("{key} {start} {}", start + u64::from(request.spec.tone_ms))
        })
        .collect()
}

fn interleave(mono: &[f32], channels: u16) -> Vec<f32> {
    mono.iter()
        .flat_map(|&v| std::iter::repeat_n(v, usize::from(channels)))
        .collect()
}

fn main() -> ExitCode {
    let command = match parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dtmf-wav: {e}");
            eprintln!("run `dtmf-wav --help` for usage");
            return ExitCode::from(2);
        }
    };
    let request = match command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Generate(r) => r,
    };
    if let Some(path) = &request.out {
        let samples = interleave(&render(&request), request.channels);
        let bytes = wav::encode_pcm16(&samples, request.rate, request.channels);
        if let Err(e) = std::fs::write(path, &bytes) {
            eprintln!("dtmf-wav: --out: cannot write {path:?}: {e}; check the folder exists and is writable");
            return ExitCode::from(1);
        }
        eprintln!(
            "dtmf-wav: wrote {path} ({} keys, {} Hz, {} channel(s), {} bytes)",
            request.keys.len(),
            request.rate,
            request.channels,
            bytes.len()
        );
    }
    if request.print_truth {
        for line in truth_lines(&request) {
            println!("{line}");
        }
    }
    ExitCode::SUCCESS
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

    fn parse(s: &str) -> Result<Command, UsageError> {
        parse_args(s.split_whitespace().map(String::from))
    }

    fn request(s: &str) -> Request {
        match parse(s).unwrap() {
            Command::Generate(r) => r,
            Command::Help => panic!("help"),
        }
    }

    #[test]
    fn parses_the_documented_example() {
        let r = request(
            "--rate 48000 --keys 0123456789 --tone-ms 150 --gap-ms 150 --lead-ms 300 --tail-ms 1000 --amplitude 0.5 --channels 1 --out path.wav",
        );
        assert_eq!(r.rate, 48000);
        assert_eq!(r.keys.len(), 10);
        assert_eq!(
            r.spec,
            ToneSpec {
                tone_ms: 150,
                gap_ms: 150,
                amplitude: 0.5
            }
        );
        assert_eq!((r.lead_ms, r.tail_ms, r.channels), (300, 1000, 1));
        assert_eq!(r.out.as_deref(), Some("path.wav"));
        assert!(!r.print_truth);
        let r = request("--keys=*#ab --print-truth --rate=8000");
        assert_eq!(r.keys, vec![Key::Star, Key::Pound, Key::A, Key::B]);
        assert_eq!(r.rate, 8000);
        assert_eq!(parse("--out x --help"), Ok(Command::Help));
    }

    #[test]
    fn usage_errors_name_the_flag() {
        let cases = [
            ("--keys 12 --out a.wav --rate fast", "--rate"),
            ("--keys 12 --out a.wav --rate 1000", "--rate"),
            ("--keys 12 --out a.wav --amplitude 2", "--amplitude"),
            ("--keys 12 --out a.wav --tone-ms -5", "--tone-ms"),
            ("--keys 12 --out a.wav --channels 0", "--channels"),
            ("--keys 12E --out a.wav", "--keys"),
            ("--keys 12 --out a.wav --gap-ms", "--gap-ms"),
            ("--keys 12 --out a.wav --volume 3", "--volume"),
            ("--out a.wav", "--keys"),
            ("--keys 12", "--out"),
        ];
        for (args, flag) in cases {
            let e = parse(args).unwrap_err();
            assert!(e.to_string().contains(flag), "{args}: {e}");
        }
    }

    #[test]
    fn renders_lead_keys_tail_and_matching_truth() {
        let r = request("--keys 4#9 --rate 8000 --tone-ms 80 --gap-ms 70 --lead-ms 300 --tail-ms 200 --print-truth");
        let x = render(&r);
        assert_eq!(x.len(), (300 + 3 * 150 + 200) * 8);
        assert_eq!(truth_lines(&r), vec!["4 300 380", "# 450 530", "9 600 680"]);
        let found = dtmf::detect_all(&x, 8000);
        let lines: Vec<String> = found
            .iter()
            .map(|d| format!("{} {} {}", d.key, d.start_sample / 8, d.end_sample / 8))
            .collect();
        assert_eq!(lines.len(), 3);
        for (found, truth) in lines.iter().zip(truth_lines(&r)) {
            let f: Vec<&str> = found.split(' ').collect();
            let t: Vec<&str> = truth.split(' ').collect();
            assert_eq!(f[0], t[0]);
            for i in 1..3 {
                let (a, b): (i64, i64) = (f[i].parse().unwrap(), t[i].parse().unwrap());
                assert!((a - b).abs() <= 10, "{found} vs {truth}");
            }
        }
        let stereo = interleave(&x, 2);
        assert_eq!(stereo.len(), x.len() * 2);
        assert_eq!(stereo[2400 * 2 + 50], stereo[2400 * 2 + 51]);
    }
}
