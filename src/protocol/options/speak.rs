//! `/v1/speak` options: model, encoding, sample_rate, speed, mip_opt_out (Deepgram's AsyncAPI spec, July 2026),
//! typed, with JSON input, validation and URL rendering.
//!
//! Owns the parameter names, the rate-per-encoding rule and the speed range. It does not open connections.
//!
//! URL parameter order: model, encoding, sample_rate, speed, mip_opt_out, then `extra_query` pairs as given.

use super::super::json::{format_number, Value};

use super::super::error::OptionsError;
use super::endpoint::Endpoint;
use super::json_fields::{
    decimal, empty, object, push_decimal, read_bool, read_extra_query, read_f64, read_string,
    read_u32,
};
use super::query::{render, Query};
use super::suggest::nearest;
use super::{check_extra_query, invalid_value, out_of_range};

/// Output encodings of the `/v1/speak` WebSocket (raw audio, no container).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

    /// Parses Deepgram's name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Linear16, Self::Mulaw, Self::Alaw]
            .into_iter()
            .find(|e| e.as_str() == name)
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

/// Every key [`SpeakOptions::from_json`] accepts.
pub const SPEAK_OPTION_NAMES: &[&str] = &[
    "model",
    "encoding",
    "sample_rate",
    "speed",
    "mip_opt_out",
    "extra_query",
];

/// Options of a `/v1/speak` stream. `None` = not sent (Deepgram's default applies).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeakOptions {
    /// `model` (voice), e.g. `aura-2-thalia-en`.
    pub model: Option<String>,
    /// `encoding` (default linear16).
    pub encoding: Option<SpeakEncoding>,
    /// `sample_rate` in Hz (must suit the encoding).
    pub sample_rate: Option<u32>,
    /// `speed` multiplier (0.7..=1.5).
    pub speed: Option<f64>,
    /// `mip_opt_out`.
    pub mip_opt_out: Option<bool>,
    /// Parameters this version does not know, rendered verbatim (percent-encoded) after the typed ones.
    pub extra_query: Vec<(String, String)>,
}

impl SpeakOptions {
    /// Builds options from the user's JSON option bag, then [`validate`]s them.
    ///
    /// [`validate`]: SpeakOptions::validate
    pub fn from_json(value: &Value) -> Result<Self, OptionsError> {
        let map = object(value, "speak options")?;
        let mut o = Self::default();
        for (key, v) in map {
            let k = key.as_str();
            if !SPEAK_OPTION_NAMES.contains(&k) {
                return Err(unknown_option(k));
            }
            if v.is_null() {
                continue;
            }
            match k {
                "model" => o.model = Some(read_string(k, v)?),
                "encoding" => {
                    let name = read_string(k, v)?;
                    o.encoding = Some(SpeakEncoding::from_name(&name).ok_or_else(|| {
                        invalid_value(
                            "encoding".to_owned(),
                            name,
                            "linear16, mulaw or alaw (the speak WebSocket sends raw audio only)",
                        )
                    })?);
                }
                "sample_rate" => o.sample_rate = Some(read_u32(k, v)?),
                "speed" => o.speed = Some(read_f64(k, v)?),
                "mip_opt_out" => o.mip_opt_out = Some(read_bool(k, v)?),
                // The only known name left.
                _ => o.extra_query = read_extra_query(v)?,
            }
        }
        o.validate()?;
        Ok(o)
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
                return Err(out_of_range("speed", &speed_text(speed), "0.7..=1.5"));
            }
        }
        check_extra_query(&self.extra_query, SPEAK_OPTION_NAMES)
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

    /// The query parameters in URL order, not yet percent-encoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut q = Query::default();
        q.push_opt("model", self.model.as_deref());
        q.push_opt("encoding", self.encoding.map(SpeakEncoding::as_str));
        q.push_u32("sample_rate", self.sample_rate);
        if let Some(speed) = self.speed {
            q.push("speed", speed_text(speed));
        }
        q.push_bool("mip_opt_out", self.mip_opt_out);
        for (k, v) in &self.extra_query {
            q.push(k, v.as_str());
        }
        q.into_pairs()
    }

    /// The WebSocket URL: `<endpoint>/v1/speak?<query>`.
    pub fn to_url(&self, endpoint: &Endpoint) -> String {
        endpoint.url("/v1/speak", &render(&self.query_pairs()))
    }
}

#[cold]
#[inline(never)]
fn unknown_option(name: &str) -> OptionsError {
    OptionsError::UnknownOption {
        endpoint: "speak",
        name: name.to_owned(),
        suggestion: nearest(name, SPEAK_OPTION_NAMES),
    }
}

#[cold]
#[inline(never)]
fn bad_sample_rate(encoding: SpeakEncoding, rate: u32) -> OptionsError {
    let mut allowed = "the rates ".to_owned();
    allowed.push_str(encoding.as_str());
    allowed.push_str(" supports (");
    for (i, r) in encoding.allowed_sample_rates().iter().enumerate() {
        if i > 0 {
            allowed.push_str(", ");
        }
        push_decimal(&mut allowed, u64::from(*r));
    }
    allowed.push(')');
    out_of_range("sample_rate", &decimal(rate.into()), &allowed)
}

/// `speed` as text (shortest round-trip digits, `0.9`, `1`), without pulling `core`'s float formatting into the
/// wasm; a non-finite value (possible only when set from Rust) as Rust writes it.
fn speed_text(speed: f64) -> String {
    if speed.is_finite() {
        format_number(speed)
    } else if speed.is_nan() {
        "NaN".to_owned()
    } else if speed > 0.0 {
        "inf".to_owned()
    } else {
        "-inf".to_owned()
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
    use crate::protocol::json::json;

    fn err(v: Value) -> OptionsError {
        SpeakOptions::from_json(&v).unwrap_err()
    }

    #[test]
    fn renders_in_order() {
        let o = SpeakOptions::from_json(&json!({
            "speed": 0.9, "sample_rate": 16000, "encoding": "mulaw", "model": "aura-2-thalia-en", "mip_opt_out": false,
            "extra_query": {"bit_rate": 32000}
        }))
        .unwrap();
        assert_eq!(
            o.to_url(&Endpoint::default()),
            "wss://api.deepgram.com/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=16000&speed=0.9\
             &mip_opt_out=false&bit_rate=32000"
        );
        let o = SpeakOptions::from_json(&json!({"speed": 1.0})).unwrap();
        assert_eq!(
            o.to_url(&Endpoint::default()),
            "wss://api.deepgram.com/v1/speak?speed=1"
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
    fn speed_text_matches_rust_display_in_range() {
        let mut speed = 0.7;
        while speed <= 1.5 {
            assert_eq!(speed_text(speed), speed.to_string());
            speed += 0.001;
        }
        for s in [
            0.7,
            0.75,
            1.0,
            1.1,
            1.25,
            1.5,
            0.9000000000000001,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ] {
            assert_eq!(speed_text(s), s.to_string());
        }
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
