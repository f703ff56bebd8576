//! `/v1/speak` options: model, encoding, sample_rate, speed, mip_opt_out (Deepgram's AsyncAPI spec, July 2026),
//! typed, read from the app's option bag, validated and rendered into the query string.
//!
//! Owns the parameter names (the fields of [`SpeakOptions`]), the rate-per-encoding rule and the speed range. It
//! does not open connections.
//!
//! URL parameter order: model, encoding, sample_rate, speed, mip_opt_out, then `extra_query` pairs as given.

use serde::{Deserialize, Serialize};

use super::super::error::OptionsError;
use super::endpoint::Endpoint;
use super::fields::{field_names, OptionBag};
use super::values::{extra_query, whole_number};
use super::{check_extra_query, empty, out_of_range, render_query};

/// Query parameters of the REST `/v1/speak` that the WebSocket does not take (docs/tts-media-output-settings;
/// `container=none`, raw audio, is what the WebSocket sends anyway and is accepted).
const REST_ONLY: &[&str] = &["bit_rate", "container"];

/// Output encodings of the `/v1/speak` WebSocket (raw audio, no container).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakEncoding {
    /// 16-bit signed little-endian PCM (Deepgram's default).
    #[default]
    Linear16,
    /// G.711 μ-law.
    Mulaw,
    /// G.711 A-law.
    Alaw,
}

impl SpeakEncoding {
    /// Deepgram's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linear16 => "linear16",
            Self::Mulaw => "mulaw",
            Self::Alaw => "alaw",
        }
    }

    /// Sample rates Deepgram accepts for this encoding.
    pub fn allowed_sample_rates(self) -> &'static [u32] {
        match self {
            Self::Linear16 => &[8000, 16000, 24000, 32000, 48000],
            Self::Mulaw | Self::Alaw => &[8000, 16000],
        }
    }

    /// The rate Deepgram uses when `sample_rate` is not given (24000 for linear16, 8000 for G.711).
    pub fn default_sample_rate(self) -> u32 {
        match self {
            Self::Linear16 => 24000,
            Self::Mulaw | Self::Alaw => 8000,
        }
    }

    /// Bytes per sample (2 for linear16, 1 for G.711).
    pub fn bytes_per_sample(self) -> usize {
        match self {
            Self::Linear16 => 2,
            Self::Mulaw | Self::Alaw => 1,
        }
    }
}

/// Accepted `speed` range for Aura voices (developers.deepgram.com changelog 2026-08-31: "Aura speed is unchanged
/// at 0.7–1.5"; the AsyncAPI spec gives no range).
pub const SPEAK_SPEED_RANGE: std::ops::RangeInclusive<f64> = 0.7..=1.5;

/// Options of a `/v1/speak` stream, with Deepgram's parameter names. `None` = not sent (Deepgram's default
/// applies); `null` in the bag means not set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct SpeakOptions {
    /// `model` (voice), e.g. `aura-2-thalia-en`.
    pub model: Option<String>,
    /// `encoding` (default linear16).
    pub encoding: Option<SpeakEncoding>,
    /// `sample_rate` in Hz (must suit the encoding).
    #[serde(default, deserialize_with = "whole_number")]
    pub sample_rate: Option<u32>,
    /// `speed` multiplier (0.7..=1.5).
    pub speed: Option<f64>,
    /// `mip_opt_out`.
    pub mip_opt_out: Option<bool>,
    /// Parameters this version does not know, rendered verbatim (percent-encoded) after the typed ones.
    #[serde(default, deserialize_with = "extra_query", skip_serializing)]
    pub extra_query: Vec<(String, String)>,
}

impl OptionBag for SpeakOptions {
    const NOUN: &'static str = "speak";
}

impl SpeakOptions {
    /// Every key the option bag accepts, in URL order.
    pub fn names() -> &'static [&'static str] {
        field_names::<Self>()
    }

    /// Checks the rules: `sample_rate` must suit the encoding, `speed` in 0.7..=1.5, no empty model, no
    /// `extra_query` key shadowing a typed option.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if self.model.as_deref() == Some("") {
            return Err(empty("model".to_owned()));
        }
        let encoding = self.effective_encoding();
        if let Some(rate) = self.sample_rate {
            if !encoding.allowed_sample_rates().contains(&rate) {
                return Err(bad_sample_rate(encoding, rate));
            }
        }
        if let Some(speed) = self.speed {
            if !SPEAK_SPEED_RANGE.contains(&speed) {
                return Err(out_of_range("speed", &speed.to_string(), "0.7..=1.5"));
            }
        }
        if let Some((key, _)) = self
            .extra_query
            .iter()
            .find(|(k, v)| REST_ONLY.contains(&k.as_str()) && !(k == "container" && v == "none"))
        {
            return Err(OptionsError::Dependency {
                field: "extra_query",
                problem: [
                    "sets ",
                    key,
                    ", an option of Deepgram's REST /v1/speak only (the WebSocket streams raw linear16, mulaw or alaw)",
                ]
                .concat(),
                fix: "remove it, and choose encoding and sample_rate".to_owned(),
            });
        }
        check_extra_query(&self.extra_query, Self::names())
    }

    /// The encoding the server will use (linear16 when unset).
    pub fn effective_encoding(&self) -> SpeakEncoding {
        self.encoding.unwrap_or_default()
    }

    /// The sample rate the server will use (the encoding's default when unset).
    pub fn effective_sample_rate(&self) -> u32 {
        self.sample_rate
            .unwrap_or_else(|| self.effective_encoding().default_sample_rate())
    }

    /// The query string (without `?`): the typed options in field order, then the `extra_query` pairs.
    pub fn query(&self) -> String {
        render_query(self, &self.extra_query)
    }

    /// The WebSocket URL: `<endpoint>/v1/speak?<query>`.
    pub fn to_url(&self, endpoint: &Endpoint) -> String {
        endpoint.url("/v1/speak", &self.query())
    }
}

#[cold]
#[inline(never)]
fn bad_sample_rate(encoding: SpeakEncoding, rate: u32) -> OptionsError {
    let rates: Vec<String> = encoding
        .allowed_sample_rates()
        .iter()
        .map(u32::to_string)
        .collect();
    let allowed = format!(
        "the rates {} supports ({})",
        encoding.as_str(),
        rates.join(", ")
    );
    out_of_range("sample_rate", &rate.to_string(), &allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    impl SpeakOptions {
        fn from_json(v: &Value) -> Result<Self, OptionsError> {
            super::super::from_json(v, "speak", Self::validate)
        }
    }

    fn err(v: Value) -> OptionsError {
        SpeakOptions::from_json(&v).unwrap_err()
    }

    #[test]
    fn rest_only_options_are_refused_with_the_reason() {
        for key in ["bit_rate", "container"] {
            let e = err(json!({"extra_query": {key: "x"}}));
            let msg = e.to_string();
            assert!(
                msg.contains(key) && msg.contains("REST /v1/speak only"),
                "{msg}"
            );
            assert!(msg.contains("choose encoding and sample_rate"), "{msg}");
        }
        assert!(SpeakOptions::from_json(&json!({"extra_query": {"container": "none"}})).is_ok());
    }

    #[test]
    fn renders_in_order() {
        let o = SpeakOptions::from_json(&json!({
            "speed": 0.9, "sample_rate": 16000, "encoding": "mulaw", "model": "aura-2-thalia-en", "mip_opt_out": false,
            "extra_query": {"future_flag": 1}
        }))
        .unwrap();
        assert_eq!(
            o.to_url(&Endpoint::default()),
            "wss://api.deepgram.com/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=16000&speed=0.9\
             &mip_opt_out=false&future_flag=1"
        );
        let o = SpeakOptions::from_json(&json!({"speed": 1.0})).unwrap();
        assert_eq!(
            o.to_url(&Endpoint::default()),
            "wss://api.deepgram.com/v1/speak?speed=1.0"
        );
    }

    #[test]
    fn sample_rate_must_fit_encoding() {
        for rate in [8000, 16000, 24000, 32000, 48000] {
            assert!(
                SpeakOptions::from_json(&json!({"sample_rate": rate})).is_ok(),
                "{rate}"
            );
        }
        for enc in ["mulaw", "alaw"] {
            for rate in [8000, 16000] {
                assert!(
                    SpeakOptions::from_json(&json!({"encoding": enc, "sample_rate": rate})).is_ok()
                );
            }
            let e = err(json!({"encoding": enc, "sample_rate": 24000}));
            assert_eq!(e.field(), "sample_rate");
            assert!(e.to_string().contains("8000, 16000"), "{e}");
            assert!(e.to_string().contains(enc), "{e}");
        }
        let e = err(json!({"sample_rate": 44100}));
        assert!(e.to_string().contains("linear16"), "{e}");
    }

    #[test]
    fn speed_range_and_types() {
        assert!(SpeakOptions::from_json(&json!({"speed": 0.7})).is_ok());
        assert!(SpeakOptions::from_json(&json!({"speed": 1.5})).is_ok());
        for bad in [0.69, 1.51, 2.0] {
            let e = err(json!({"speed": bad}));
            assert_eq!(e.field(), "speed");
            assert!(e.to_string().contains("0.7..=1.5"), "{e}");
        }
        assert_eq!(err(json!({"speed": "fast"})).field(), "speed");
        assert_eq!(err(json!({"encoding": "mp3"})).field(), "encoding");
        let e = err(json!({"sampleRate": 8000}));
        assert!(
            e.to_string().contains("did you mean \"sample_rate\""),
            "{e}"
        );
        assert!(e.to_string().starts_with("unknown speak option"), "{e}");
    }

    #[test]
    fn effective_defaults() {
        let o = SpeakOptions::default();
        assert_eq!(o.effective_encoding(), SpeakEncoding::Linear16);
        assert_eq!(o.effective_sample_rate(), 24000);
        let o = SpeakOptions::from_json(&json!({"encoding": "alaw"})).unwrap();
        assert_eq!(o.effective_sample_rate(), 8000);
        assert_eq!(o.effective_encoding().bytes_per_sample(), 1);
    }

    #[test]
    fn programmatic_speed_nan_is_rejected() {
        let o = SpeakOptions {
            speed: Some(f64::NAN),
            ..Default::default()
        };
        assert_eq!(o.validate().unwrap_err().field(), "speed");
    }
}
