//! The `/v1/speak` query: model, encoding, sample rate (per encoding), speed, and the 400 rules.
//!
//! Owns the accepted values (AsyncAPI `SpeakV1Encoding`, `SpeakV1SampleRate`; PROTOCOL.md). Unknown
//! parameters are ignored, except the REST-only ones (docs/tts-media-output-settings: bit rate and
//! container are REST features): `bit_rate` is refused, and `container` unless it is `none` ("If you are
//! using the TTS Web Socket container=none can be used", docs/tts-container). What Deepgram's WebSocket
//! answers to them is UNCONFIRMED; a 400 tells a client at once. It must not hold per-connection state.

use crate::codec::Encoding;
use crate::query::{Query, QueryError};

/// The validated options of one speak connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeakOptions {
    /// `model` (`None`: the service default, `aura-asteria-en`).
    pub model: Option<String>,
    /// `encoding` (default linear16).
    pub encoding: Encoding,
    /// `sample_rate` (default 24000 for linear16, 8000 for mu-law/A-law).
    pub sample_rate: u32,
    /// `speed` (accepted and validated; the DTMF voice ignores it).
    pub speed: f64,
}

/// Sample rates accepted with linear16.
pub const LINEAR16_RATES: [u32; 5] = [8000, 16000, 24000, 32000, 48000];
/// Sample rates accepted with mu-law and A-law.
pub const G711_RATES: [u32; 2] = [8000, 16000];

impl SpeakOptions {
    /// Validates a speak query; the error's message names the parameter.
    pub fn from_query(q: &Query) -> Result<SpeakOptions, QueryError> {
        q.bool("mip_opt_out")?;
        if q.last("bit_rate").is_some() {
            return Err(QueryError::Conflict {
                param: "bit_rate".into(),
                because: "it is only supported by the REST endpoint (POST /v1/speak); the WebSocket sends raw audio (linear16, mulaw or alaw), so drop it".into(),
            });
        }
        for container in q.all("container") {
            if container != "none" {
                return Err(QueryError::Conflict {
                    param: "container".into(),
                    because: format!(
                        "`{container}` is only supported by the REST endpoint (POST /v1/speak); the WebSocket sends raw audio, so use `container=none` or drop it"
                    ),
                });
            }
        }
        let model = match q.last("model") {
            Some("") => {
                return Err(QueryError::Missing {
                    param: "model".into(),
                    because: "it is empty; name a voice such as `aura-2-thalia-en`".into(),
                })
            }
            other => other.map(str::to_string),
        };
        let encoding = match q.one_of("encoding", &["linear16", "mulaw", "alaw"])? {
            None => Encoding::Linear16,
            Some(name) => Encoding::from_name(&name).unwrap_or(Encoding::Linear16),
        };
        let (allowed, default): (&[u32], u32) = match encoding {
            Encoding::Linear16 | Encoding::Linear32 => (&LINEAR16_RATES, 24000),
            Encoding::Mulaw | Encoding::Alaw => (&G711_RATES, 8000),
        };
        let sample_rate = match q.uint("sample_rate", 1, u64::from(u32::MAX))? {
            None => default,
            Some(rate) => {
                let rate = u32::try_from(rate).unwrap_or(0);
                if !allowed.contains(&rate) {
                    return Err(QueryError::NotOneOf {
                        param: "sample_rate".into(),
                        value: rate.to_string(),
                        accepted: format!(
                            "{} (for encoding {})",
                            allowed
                                .iter()
                                .map(|r| format!("`{r}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            encoding.name()
                        ),
                    });
                }
                rate
            }
        };
        let speed = match q.last("speed") {
            None => 1.0,
            Some(v) => {
                let speed: f64 = v.parse().map_err(|_| QueryError::NotNumber {
                    param: "speed".into(),
                    value: v.to_string(),
                })?;
                if !(speed.is_finite() && (0.5..=2.0).contains(&speed)) {
                    return Err(QueryError::OutOfRange {
                        param: "speed".into(),
                        value: v.to_string(),
                        accepted: "a number from 0.5 to 2.0".into(),
                    });
                }
                speed
            }
        };
        Ok(SpeakOptions {
            model,
            encoding,
            sample_rate,
            speed,
        })
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

    fn parse(q: &str) -> Result<SpeakOptions, QueryError> {
        SpeakOptions::from_query(&Query::parse(q).unwrap())
    }

    #[test]
    fn defaults_per_encoding() {
        let o = parse("").unwrap();
        assert_eq!((o.encoding, o.sample_rate), (Encoding::Linear16, 24000));
        let o = parse("encoding=mulaw").unwrap();
        assert_eq!((o.encoding, o.sample_rate), (Encoding::Mulaw, 8000));
        let o = parse("encoding=alaw&sample_rate=16000").unwrap();
        assert_eq!((o.encoding, o.sample_rate), (Encoding::Alaw, 16000));
    }

    #[test]
    fn every_allowed_rate_and_the_refusals() {
        for r in LINEAR16_RATES {
            assert!(parse(&format!("encoding=linear16&sample_rate={r}")).is_ok());
        }
        let err = parse("encoding=mulaw&sample_rate=24000").unwrap_err();
        assert!(err.to_string().contains("`sample_rate`"), "{err}");
        assert!(parse("sample_rate=44100").is_err());
        let err = parse("encoding=mp3").unwrap_err();
        assert!(err.to_string().contains("`encoding`"));
        assert!(parse("encoding=linear32").is_err());
        assert!(parse("mip_opt_out=False").is_err());
        assert!(parse("speed=fast")
            .unwrap_err()
            .to_string()
            .contains("`speed`"));
        assert!(parse("speed=1.2").is_ok());
    }

    #[test]
    fn rest_only_bit_rate_and_containers_other_than_none_are_refused() {
        for (q, param) in [
            ("bit_rate=48000", "`bit_rate`"),
            ("encoding=mulaw&bit_rate=8000", "`bit_rate`"),
            ("container=wav", "`container`"),
            ("container=none&container=ogg", "`container`"),
        ] {
            let msg = parse(q).unwrap_err().to_string();
            assert!(msg.contains(param), "{q}: {msg}");
            assert!(msg.contains("only supported by the REST endpoint"), "{msg}");
        }
        assert!(parse("encoding=linear16&container=none").is_ok());
    }
}
