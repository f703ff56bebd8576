//! Server configuration and the command line that fills it.
//!
//! Owns the flag names, their defaults and the usage text. It must not open sockets or read files: the
//! server validates paths when it serves them. The API key lives here but never leaves through `Debug`.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Who may open a stream.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthPolicy {
    /// Any non-empty key or token (the default): the server checks the shape, not the value.
    AnyNonEmpty,
    /// Only this exact key (as `token`) or this key / a token minted from it (as `bearer`).
    Key(String),
    /// No credentials needed (`--open`); credentials sent anyway are accepted.
    Open,
}

impl fmt::Debug for AuthPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is a secret: Debug shows only which policy is active.
        match self {
            AuthPolicy::AnyNonEmpty => f.write_str("AnyNonEmpty"),
            AuthPolicy::Key(_) => f.write_str("Key(<redacted>)"),
            AuthPolicy::Open => f.write_str("Open"),
        }
    }
}

/// The text-to-speech engine behind `/v1/speak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtsEngine {
    /// Deterministic DTMF voice: digits become DTMF tones (see `voice.rs`).
    Dtmf,
    /// Real speech from the `espeak-ng` program, its voice chosen from the model name (see `espeak.rs`).
    Espeak,
}

impl TtsEngine {
    /// Parses an engine name as given to `--tts`.
    pub fn from_name(name: &str) -> Option<TtsEngine> {
        match name {
            "dtmf" => Some(TtsEngine::Dtmf),
            "espeak" => Some(TtsEngine::Espeak),
            _ => None,
        }
    }

    /// The name `--tts` takes for this engine.
    pub fn name(self) -> &'static str {
        match self {
            TtsEngine::Dtmf => "dtmf",
            TtsEngine::Espeak => "espeak",
        }
    }
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind (`--host`, default 127.0.0.1).
    pub host: IpAddr,
    /// Port to bind (`--port`, default 8080; 0 picks a free one).
    pub port: u16,
    /// Credential policy (`--api-key`, `--open`).
    pub auth: AuthPolicy,
    /// Close a listen stream that received no frame for this long (`--idle-timeout-ms`, default 10 s).
    /// Speak connections have no idle timeout.
    pub idle_timeout: Duration,
    /// Close a speak connection this long after it opened, 1011 `NET-0003` (`--speak-max-ms`, default
    /// 60 minutes, Deepgram's documented cap).
    pub speak_max_duration: Duration,
    /// After a `Configure` whose keyterms exceed 500 tokens, close the listen stream 1011 `NET-0000` this
    /// long afterwards (`--configure-timeout-ms`, default 30 s, "about 30 seconds" on Deepgram).
    pub configure_timeout: Duration,
    /// Folder served at `/` (`--www`).
    pub www: Option<PathBuf>,
    /// Folder served at `/pkg/` (`--pkg`).
    pub pkg: Option<PathBuf>,
    /// Whether `/_control/...` is served (`--no-control` turns it off).
    pub control: bool,
    /// Speed of synthesized audio relative to real time (`--tts-speed`, default 4.0).
    pub tts_speed: f64,
    /// Duration of each synthesized audio frame in milliseconds (`--tts-frame-ms`, default 20).
    pub tts_frame_ms: u32,
    /// The voice behind `/v1/speak` (`--tts`, default `dtmf`).
    pub tts_engine: TtsEngine,
    /// Whether connection events are logged to stderr (`--quiet` turns it off).
    pub log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            auth: AuthPolicy::AnyNonEmpty,
            idle_timeout: Duration::from_millis(10_000),
            speak_max_duration: Duration::from_millis(3_600_000),
            configure_timeout: Duration::from_millis(30_000),
            www: None,
            pkg: None,
            control: true,
            tts_speed: 4.0,
            tts_frame_ms: 20,
            tts_engine: TtsEngine::Dtmf,
            log: true,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run the server with this configuration.
    Run(Config),
    /// Print [`USAGE`] and exit.
    Help,
}

/// The `--help` text.
pub const USAGE: &str = "\
deepgram-live-server: a local Deepgram-compatible live speech server (/v1/listen, /v1/speak)

USAGE:
    deepgram-live-server [FLAGS]

FLAGS:
    --host ADDR            address to bind (default 127.0.0.1)
    --port N               port to bind; 0 picks a free port (default 8080)
    --api-key KEY          accept only this key (default: any non-empty key or token)
    --open                 accept connections without credentials
    --idle-timeout-ms N    close a listen stream after N ms without audio or a text frame (default 10000)
    --speak-max-ms N       close a speak connection N ms after it opened, 1011 NET-0003 (default 3600000)
    --configure-timeout-ms N
                           close a listen stream N ms after a Configure over the keyterm limit,
                           1011 NET-0000 (default 30000)
    --www DIR              serve DIR at / (index.html for /)
    --pkg DIR              serve DIR at /pkg/
    --no-control           disable the /_control/ test API
    --tts ENGINE           text-to-speech engine (default dtmf): dtmf (digits as DTMF tones,
                           deterministic) or espeak (real speech; needs the espeak-ng program)
    --tts-speed X          synthesized audio is sent at X times real time (default 4.0)
    --tts-frame-ms N       duration of each synthesized audio frame in ms (default 20)
    --quiet                do not log connections to stderr
    --help                 print this text

The first line on stdout is `deepgram-live-server listening on http://HOST:PORT`.
";

/// A command line the server cannot run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A flag the server does not know.
    UnknownFlag(String),
    /// A flag that needs a value was last on the line.
    MissingValue(&'static str),
    /// A flag's value could not be parsed.
    InvalidValue {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
        /// What would be accepted.
        expected: &'static str,
    },
    /// `--open` and `--api-key` were both given.
    OpenWithApiKey,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownFlag(flag) => {
                write!(
                    f,
                    "unknown flag `{flag}`; run with --help to list the flags"
                )
            }
            ConfigError::MissingValue(flag) => {
                write!(f, "flag `{flag}` needs a value: `{flag} VALUE`")
            }
            ConfigError::InvalidValue {
                flag,
                value,
                expected,
            } => {
                // --api-key never reaches this arm (any string is a valid key), so echoing is safe.
                write!(f, "flag `{flag}` got `{value}`; expected {expected}")
            }
            ConfigError::OpenWithApiKey => {
                f.write_str("flags `--open` and `--api-key` exclude each other; keep one of them")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

fn parse_value<T: std::str::FromStr>(
    flag: &'static str,
    value: String,
    expected: &'static str,
) -> Result<T, ConfigError> {
    value.parse::<T>().map_err(|_| ConfigError::InvalidValue {
        flag,
        value,
        expected,
    })
}

/// Parses the command line (without the program name).
pub fn parse_args<I>(args: I) -> Result<Command, ConfigError>
where
    I: IntoIterator<Item = String>,
{
    let mut config = Config::default();
    let mut api_key = None;
    let mut open = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |flag: &'static str| -> Result<String, ConfigError> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args.next().ok_or(ConfigError::MissingValue(flag)),
            }
        };
        match name.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--host" => {
                config.host = parse_value("--host", value("--host")?, "an IP address")?;
            }
            "--port" => {
                config.port = parse_value("--port", value("--port")?, "a port 0-65535")?;
            }
            "--api-key" => {
                let key = value("--api-key")?;
                if key.is_empty() {
                    return Err(ConfigError::InvalidValue {
                        flag: "--api-key",
                        value: String::new(),
                        expected: "a non-empty key",
                    });
                }
                api_key = Some(key);
            }
            "--open" => open = true,
            "--idle-timeout-ms" => {
                let ms: u64 = parse_value(
                    "--idle-timeout-ms",
                    value("--idle-timeout-ms")?,
                    "a whole number of milliseconds",
                )?;
                config.idle_timeout = Duration::from_millis(ms);
            }
            "--speak-max-ms" => {
                let ms: u64 = parse_value(
                    "--speak-max-ms",
                    value("--speak-max-ms")?,
                    "a whole number of milliseconds above 0",
                )?;
                if ms == 0 {
                    return Err(ConfigError::InvalidValue {
                        flag: "--speak-max-ms",
                        value: ms.to_string(),
                        expected: "a whole number of milliseconds above 0",
                    });
                }
                config.speak_max_duration = Duration::from_millis(ms);
            }
            "--configure-timeout-ms" => {
                let ms: u64 = parse_value(
                    "--configure-timeout-ms",
                    value("--configure-timeout-ms")?,
                    "a whole number of milliseconds",
                )?;
                config.configure_timeout = Duration::from_millis(ms);
            }
            "--www" => config.www = Some(PathBuf::from(value("--www")?)),
            "--pkg" => config.pkg = Some(PathBuf::from(value("--pkg")?)),
            "--no-control" => config.control = false,
            "--quiet" => config.log = false,
            "--tts" => {
                let name = value("--tts")?;
                config.tts_engine =
                    TtsEngine::from_name(&name).ok_or(ConfigError::InvalidValue {
                        flag: "--tts",
                        value: name,
                        expected: "an engine name: dtmf or espeak",
                    })?;
            }
            "--tts-speed" => {
                let speed: f64 = parse_value(
                    "--tts-speed",
                    value("--tts-speed")?,
                    "a number between 0.1 and 1000",
                )?;
                if !(0.1..=1000.0).contains(&speed) {
                    return Err(ConfigError::InvalidValue {
                        flag: "--tts-speed",
                        value: speed.to_string(),
                        expected: "a number between 0.1 and 1000",
                    });
                }
                config.tts_speed = speed;
            }
            "--tts-frame-ms" => {
                let ms: u32 = parse_value(
                    "--tts-frame-ms",
                    value("--tts-frame-ms")?,
                    "a whole number of milliseconds between 1 and 1000",
                )?;
                if !(1..=1000).contains(&ms) {
                    return Err(ConfigError::InvalidValue {
                        flag: "--tts-frame-ms",
                        value: ms.to_string(),
                        expected: "a whole number of milliseconds between 1 and 1000",
                    });
                }
                config.tts_frame_ms = ms;
            }
            _ => return Err(ConfigError::UnknownFlag(name)),
        }
    }
    config.auth = match (open, api_key) {
        (true, Some(_)) => return Err(ConfigError::OpenWithApiKey),
        (true, None) => AuthPolicy::Open,
        (false, Some(key)) => AuthPolicy::Key(key),
        (false, None) => AuthPolicy::AnyNonEmpty,
    };
    Ok(Command::Run(config))
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

    fn run(args: &[&str]) -> Result<Config, ConfigError> {
        match parse_args(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(c),
            Command::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        let c = run(&[]).unwrap();
        assert_eq!(c.host.to_string(), "127.0.0.1");
        assert_eq!(c.port, 8080);
        assert_eq!(c.auth, AuthPolicy::AnyNonEmpty);
        assert_eq!(c.idle_timeout, Duration::from_millis(10_000));
        assert_eq!(c.speak_max_duration, Duration::from_secs(3600));
        assert_eq!(c.configure_timeout, Duration::from_secs(30));
        assert!(c.control);
        assert_eq!(c.tts_speed, 4.0);
        assert_eq!(c.tts_frame_ms, 20);
        assert_eq!(c.tts_engine, TtsEngine::Dtmf);
    }

    #[test]
    fn tts_engines_are_named() {
        assert_eq!(
            run(&["--tts", "espeak"]).unwrap().tts_engine,
            TtsEngine::Espeak
        );
        assert_eq!(run(&["--tts=dtmf"]).unwrap().tts_engine, TtsEngine::Dtmf);
        for e in [TtsEngine::Dtmf, TtsEngine::Espeak] {
            assert_eq!(TtsEngine::from_name(e.name()), Some(e));
            assert!(USAGE.contains(e.name()), "{}", e.name());
        }
        let err = run(&["--tts", "festival"]).unwrap_err();
        assert!(err.to_string().contains("dtmf or espeak"), "{err}");
    }

    #[test]
    fn every_flag_is_parsed_in_both_forms() {
        let c = run(&[
            "--host",
            "0.0.0.0",
            "--port=0",
            "--api-key",
            "k1",
            "--idle-timeout-ms",
            "500",
            "--speak-max-ms=2000",
            "--configure-timeout-ms",
            "700",
            "--www",
            "w",
            "--pkg=p",
            "--no-control",
            "--tts",
            "dtmf",
            "--tts-speed",
            "2.5",
            "--tts-frame-ms",
            "40",
            "--quiet",
        ])
        .unwrap();
        assert_eq!(c.host.to_string(), "0.0.0.0");
        assert_eq!(c.port, 0);
        assert_eq!(c.auth, AuthPolicy::Key("k1".into()));
        assert_eq!(c.idle_timeout, Duration::from_millis(500));
        assert_eq!(c.speak_max_duration, Duration::from_millis(2000));
        assert_eq!(c.configure_timeout, Duration::from_millis(700));
        assert_eq!(c.www, Some(PathBuf::from("w")));
        assert_eq!(c.pkg, Some(PathBuf::from("p")));
        assert!(!c.control);
        assert!(!c.log);
        assert_eq!(c.tts_speed, 2.5);
        assert_eq!(c.tts_frame_ms, 40);
    }

    #[test]
    fn unknown_flag_is_named() {
        let err = run(&["--frobnicate"]).unwrap_err();
        assert_eq!(err, ConfigError::UnknownFlag("--frobnicate".into()));
        assert!(err.to_string().contains("--frobnicate"));
    }

    #[test]
    fn bad_values_name_the_flag() {
        let err = run(&["--port", "99999"]).unwrap_err();
        assert!(err.to_string().contains("--port"), "{err}");
        let err = run(&["--tts", "Espeak"]).unwrap_err();
        assert!(err.to_string().contains("--tts"), "{err}");
        let err = run(&["--speak-max-ms", "0"]).unwrap_err();
        assert!(err.to_string().contains("--speak-max-ms"), "{err}");
        let err = run(&["--configure-timeout-ms", "soon"]).unwrap_err();
        assert!(err.to_string().contains("--configure-timeout-ms"), "{err}");
        let err = run(&["--port"]).unwrap_err();
        assert_eq!(err, ConfigError::MissingValue("--port"));
        assert!(matches!(
            run(&["--open", "--api-key", "x"]),
            Err(ConfigError::OpenWithApiKey)
        ));
    }

    #[test]
    fn api_key_never_shows_in_debug() {
        let c = run(&["--api-key", "supersecret"]).unwrap();
        assert!(!format!("{c:?}").contains("supersecret"));
    }

    #[test]
    fn help_is_recognised() {
        assert!(matches!(
            parse_args(vec!["--help".to_string()]).unwrap(),
            Command::Help
        ));
    }
}
