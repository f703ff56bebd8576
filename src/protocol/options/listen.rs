//! `/v1/listen` options: every documented query parameter, typed, read from the app's option bag, validated and
//! rendered into the query string.
//!
//! Each option is one field of [`ListenOptions`]: serde reads it (`Deserialize`) and writes it into the URL
//! (`Serialize`, in field order); this module adds the rules between options (PROTOCOL.md, LISTEN-NOTES.md §2).
//! It does not open connections and does not know the session rules.
//!
//! URL parameter order (deterministic, the order of the struct fields): model, language, language_hint*, version,
//! encoding, sample_rate, channels, multichannel, interim_results, endpointing, utterance_end_ms, vad_events,
//! punctuate, smart_format, no_delay, diarize, diarize_model, dictation, numerals, measurements, filler_words, profanity_filter,
//! redact*, detect_entities, keyterm*, keywords*, search*, replace*, tag*, extra*, callback, callback_method,
//! mip_opt_out, then `extra_query` pairs in the given order (`*` = repeatable, one `key=value` per item, in order).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::super::error::OptionsError;
use super::endpoint::Endpoint;
use super::fields::{field_names, OptionBag};
use super::redact::Redact;
use super::values::{extra_query, items, one_or_many, whole_number};
use super::{check_extra_query, empty, invalid_value, item_field, out_of_range, render_query};

/// Raw audio encodings `/v1/listen` accepts. Leave `encoding` unset for containerized audio (WebM, Ogg, WAV...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListenEncoding {
    /// 16-bit signed little-endian PCM.
    Linear16,
    /// 32-bit little-endian float PCM.
    Linear32,
    /// FLAC.
    Flac,
    /// G.711 A-law.
    Alaw,
    /// G.711 μ-law.
    Mulaw,
    /// AMR narrowband.
    #[serde(rename = "amr-nb")]
    AmrNb,
    /// AMR wideband.
    #[serde(rename = "amr-wb")]
    AmrWb,
    /// Raw Opus packets.
    Opus,
    /// Ogg-framed Opus.
    #[serde(rename = "ogg-opus")]
    OggOpus,
    /// Speex.
    Speex,
    /// G.729.
    G729,
}

impl ListenEncoding {
    /// Deepgram's name (`"linear16"`, `"amr-nb"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linear16 => "linear16",
            Self::Linear32 => "linear32",
            Self::Flac => "flac",
            Self::Alaw => "alaw",
            Self::Mulaw => "mulaw",
            Self::AmrNb => "amr-nb",
            Self::AmrWb => "amr-wb",
            Self::Opus => "opus",
            Self::OggOpus => "ogg-opus",
            Self::Speex => "speex",
            Self::G729 => "g729",
        }
    }

    /// Bytes per sample per channel for fixed-size PCM encodings; `None` for compressed ones.
    pub fn bytes_per_sample(self) -> Option<u32> {
        match self {
            Self::Linear16 => Some(2),
            Self::Linear32 => Some(4),
            Self::Alaw | Self::Mulaw => Some(1),
            _ => None,
        }
    }
}

/// `endpointing`: silence (ms) that ends an utterance (`speech_final`), or disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpointing {
    /// `endpointing=false`.
    Disabled,
    /// `endpointing=<ms>` (Deepgram's default is 10).
    Ms(u32),
}

impl Serialize for Endpointing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Disabled => s.serialize_bool(false),
            Self::Ms(ms) => s.serialize_u32(*ms),
        }
    }
}

impl<'de> Deserialize<'de> for Endpointing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Endpointing;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a whole number of milliseconds of silence (e.g. 300) or false; leave it unset for \
                     Deepgram's default (10 ms)",
                )
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Endpointing, E> {
                if v {
                    Err(E::invalid_value(de::Unexpected::Bool(true), &self))
                } else {
                    Ok(Endpointing::Disabled)
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Endpointing, E> {
                u32::try_from(v)
                    .map(Endpointing::Ms)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Endpointing, E> {
                u32::try_from(v)
                    .map(Endpointing::Ms)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Endpointing, E> {
                if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
                    Ok(Endpointing::Ms(v as u32))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `redact`: `true` (= `["true"]`), `false` (= none), one value or a list of values.
fn redact<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Redact>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Redact>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true, false, or one or more redact values (pii, phi, pci, numbers, an entity type such as name)")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(if v { vec![Redact::TRUE] } else { Vec::new() })
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Redact::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|r| vec![r])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            items(seq)
        }
    }
    d.deserialize_any(V)
}

/// HTTP method of `callback` requests (any case in the option bag, uppercase on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CallbackMethod {
    /// POST (Deepgram's default).
    Post,
    /// GET.
    Get,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

impl CallbackMethod {
    /// The method name, uppercase.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl<'de> Deserialize<'de> for CallbackMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CallbackMethod;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("POST, GET, PUT or DELETE")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CallbackMethod, E> {
                [
                    CallbackMethod::Post,
                    CallbackMethod::Get,
                    CallbackMethod::Put,
                    CallbackMethod::Delete,
                ]
                .into_iter()
                .find(|m| m.as_str().eq_ignore_ascii_case(v))
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// Options of a `/v1/listen` stream, with Deepgram's parameter names. `None` / empty = not sent (Deepgram's
/// default applies); `null` in the bag means not set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ListenOptions {
    /// `model` (e.g. `nova-3`, `nova-2-phonecall`).
    pub model: Option<String>,
    /// `language` (BCP-47, or `multi`).
    pub language: Option<String>,
    /// `language_hint` (repeatable; nova-3 with `language=multi`).
    #[serde(default, deserialize_with = "one_or_many")]
    pub language_hint: Vec<String>,
    /// `version` (model version, default `latest`).
    pub version: Option<String>,
    /// `encoding` of raw audio (unset for containerized audio).
    pub encoding: Option<ListenEncoding>,
    /// `sample_rate` in Hz (required with `encoding`, only read with it).
    #[serde(default, deserialize_with = "whole_number")]
    pub sample_rate: Option<u32>,
    /// `channels` (only read with `encoding`).
    #[serde(default, deserialize_with = "whole_number")]
    pub channels: Option<u32>,
    /// `multichannel`: transcribe each channel separately.
    pub multichannel: Option<bool>,
    /// `interim_results`.
    pub interim_results: Option<bool>,
    /// `endpointing`.
    pub endpointing: Option<Endpointing>,
    /// `utterance_end_ms` (needs `interim_results=true`; 1000 or more is useful, below a warning).
    #[serde(default, deserialize_with = "whole_number")]
    pub utterance_end_ms: Option<u32>,
    /// `vad_events` (enables `SpeechStarted`).
    pub vad_events: Option<bool>,
    /// `punctuate`.
    pub punctuate: Option<bool>,
    /// `smart_format`.
    pub smart_format: Option<bool>,
    /// `no_delay`.
    pub no_delay: Option<bool>,
    /// `diarize`.
    pub diarize: Option<bool>,
    /// `diarize_model` (`latest`, `v1`).
    pub diarize_model: Option<String>,
    /// `dictation`.
    pub dictation: Option<bool>,
    /// `numerals`.
    pub numerals: Option<bool>,
    /// `measurements` (units written as abbreviations: "5 mg").
    pub measurements: Option<bool>,
    /// `filler_words`.
    pub filler_words: Option<bool>,
    /// `profanity_filter`.
    pub profanity_filter: Option<bool>,
    /// `redact` (repeatable).
    #[serde(default, deserialize_with = "redact")]
    pub redact: Vec<Redact>,
    /// `detect_entities`.
    pub detect_entities: Option<bool>,
    /// `keyterm` (repeatable; nova-3 only).
    #[serde(default, deserialize_with = "one_or_many")]
    pub keyterm: Vec<String>,
    /// `keywords` (`word:boost`, repeatable; not nova-3).
    #[serde(default, deserialize_with = "one_or_many")]
    pub keywords: Vec<String>,
    /// `search` (repeatable).
    #[serde(default, deserialize_with = "one_or_many")]
    pub search: Vec<String>,
    /// `replace` (`find:replace`, repeatable).
    #[serde(default, deserialize_with = "one_or_many")]
    pub replace: Vec<String>,
    /// `tag` (repeatable, at most 128 characters each).
    #[serde(default, deserialize_with = "one_or_many")]
    pub tag: Vec<String>,
    /// `extra` (`key:value`, repeatable).
    #[serde(default, deserialize_with = "one_or_many")]
    pub extra: Vec<String>,
    /// `callback` URL.
    pub callback: Option<String>,
    /// `callback_method`.
    pub callback_method: Option<CallbackMethod>,
    /// `mip_opt_out`.
    pub mip_opt_out: Option<bool>,
    /// Parameters this version does not know, rendered verbatim (percent-encoded) after the typed ones.
    #[serde(default, deserialize_with = "extra_query", skip_serializing)]
    pub extra_query: Vec<(String, String)>,
}

/// Deepgram's limit on one `extra` pair (docs/extra-metadata).
pub const MAX_EXTRA_CHARS: usize = 2048;
/// Deepgram's limit on all keyterms of a stream, or of one `Configure` (docs/keyterm).
pub const MAX_KEYTERM_TOKENS: usize = 500;

/// The tokens of a list of keyterms, counted as Deepgram documents the limit: words (runs between spaces).
pub fn keyterm_tokens(keyterms: &[String]) -> usize {
    keyterms.iter().map(|k| k.split_whitespace().count()).sum()
}

/// An option Deepgram accepts but ignores or cannot use as set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionWarning {
    /// [`warning_code::OPTION_IGNORED`](crate::protocol::warning_code::OPTION_IGNORED) or
    /// [`OPTION_NO_EFFECT`](crate::protocol::warning_code::OPTION_NO_EFFECT).
    pub code: &'static str,
    /// The option and what to do: `sample_rate is set without encoding: ...`.
    pub message: String,
}

impl OptionWarning {
    fn ignored(field: &str, problem: &str) -> Self {
        Self {
            code: crate::protocol::warning_code::OPTION_IGNORED,
            message: [field, " ", problem].concat(),
        }
    }

    fn no_effect(field: &str, problem: &str) -> Self {
        Self {
            code: crate::protocol::warning_code::OPTION_NO_EFFECT,
            message: [field, " ", problem].concat(),
        }
    }
}

fn is_nova3(model: Option<&str>) -> bool {
    model.is_some_and(|m| m == "nova-3" || m.starts_with("nova-3-"))
}

#[cold]
#[inline(never)]
fn dependency(field: &'static str, problem: &str, fix: &str) -> OptionsError {
    OptionsError::Dependency {
        field,
        problem: problem.to_owned(),
        fix: fix.to_owned(),
    }
}

impl OptionBag for ListenOptions {
    const NOUN: &'static str = "listen";
}

impl ListenOptions {
    /// Every key the option bag accepts, in URL order.
    pub fn names() -> &'static [&'static str] {
        field_names::<Self>()
    }

    /// Checks the rules between options (PROTOCOL.md, LISTEN-NOTES.md §2). Call it after reading options from a
    /// bag or building them in code.
    pub fn validate(&self) -> Result<(), OptionsError> {
        self.validate_strings()?;
        self.validate_audio_format()?;
        self.validate_features()?;
        check_extra_query(&self.extra_query, Self::names())
    }

    fn validate_strings(&self) -> Result<(), OptionsError> {
        let singles = [
            ("model", &self.model),
            ("language", &self.language),
            ("version", &self.version),
            ("diarize_model", &self.diarize_model),
            ("callback", &self.callback),
        ];
        for (field, value) in singles {
            if value.as_deref() == Some("") {
                return Err(empty(field.to_owned()));
            }
        }
        let lists = [
            ("language_hint", &self.language_hint),
            ("keyterm", &self.keyterm),
            ("keywords", &self.keywords),
            ("search", &self.search),
            ("replace", &self.replace),
            ("tag", &self.tag),
            ("extra", &self.extra),
        ];
        for (field, values) in lists {
            if let Some(i) = values.iter().position(String::is_empty) {
                return Err(empty(item_field(field, i)));
            }
        }
        Ok(())
    }

    fn validate_audio_format(&self) -> Result<(), OptionsError> {
        // Without encoding, Deepgram ignores sample_rate and channels: a warning (`warnings`), not an error.
        match (self.encoding, self.sample_rate) {
            (Some(e), None) => {
                return Err(OptionsError::Dependency {
                    field: "sample_rate",
                    problem: "is required with encoding ".to_owned() + e.as_str(),
                    fix: "set sample_rate to the rate of the audio you send (e.g. 16000, or the AudioContext's 48000), \
                          or remove encoding for containerized audio"
                        .to_owned(),
                })
            }
            (_, Some(0)) => return Err(out_of_range("sample_rate", "0", "1 Hz and above")),
            _ => {}
        }
        if self.channels == Some(0) {
            return Err(out_of_range("channels", "0", "1 and above"));
        }
        Ok(())
    }

    /// What Deepgram accepts but ignores, or what has no effect as set: each a warning the Transcriber emits
    /// when it starts (`code` from [`warning_code`](crate::protocol::warning_code)), never an error.
    pub fn warnings(&self) -> Vec<OptionWarning> {
        let mut out = Vec::new();
        if self.encoding.is_none() {
            for (field, value) in [
                ("sample_rate", self.sample_rate),
                ("channels", self.channels),
            ] {
                if value.is_some() {
                    out.push(OptionWarning::ignored(
                        field,
                        "is set without encoding: Deepgram only reads it with encoding (containerized audio \
                         carries its own); set encoding for raw audio, or remove it",
                    ));
                }
            }
        }
        if self.utterance_end_ms.is_some_and(|ms| ms < 1000) {
            out.push(OptionWarning::no_effect(
                "utterance_end_ms",
                "is below 1000: Deepgram's interim results come about every second, so a shorter gap gives no \
                 earlier UtteranceEnd; use 1000 or more",
            ));
        }
        if self.dictation == Some(true) && self.punctuate != Some(true) {
            out.push(OptionWarning::no_effect(
                "dictation",
                "needs punctuate: Deepgram converts spoken commands (\"comma\", \"new line\") only with \
                 punctuate=true; set punctuate to true",
            ));
        }
        out
    }

    fn validate_features(&self) -> Result<(), OptionsError> {
        if let Some(ms) = self.utterance_end_ms {
            if self.interim_results != Some(true) {
                return Err(dependency(
                    "utterance_end_ms",
                    "needs interim_results (UtteranceEnd is computed from interim results)",
                    "set interim_results to true",
                ));
            }
            if ms == 0 {
                return Err(out_of_range(
                    "utterance_end_ms",
                    "0",
                    "1 and above (1000 or more recommended)",
                ));
            }
        }
        let model = self.model.as_deref();
        let nova3 = is_nova3(model);
        if !self.keyterm.is_empty() && !nova3 {
            let problem = match model {
                Some(m) => "only works with nova-3 models, not ".to_owned() + m,
                None => "only works with nova-3 models, and no model is set".to_owned(),
            };
            return Err(dependency(
                "keyterm",
                &problem,
                "set model to nova-3, or use keywords with older models",
            ));
        }
        if !self.keywords.is_empty() && nova3 {
            return Err(dependency(
                "keywords",
                "is not supported by nova-3 models",
                "use keyterm instead (same values without the :boost suffix)",
            ));
        }
        let multilingual_nova3 = nova3 && self.language.as_deref() == Some("multi");
        if !self.language_hint.is_empty() && !multilingual_nova3 {
            return Err(dependency(
                "language_hint",
                "only works for multilingual nova-3",
                "set model to nova-3 and language to multi, or remove language_hint",
            ));
        }
        if self.callback_method.is_some() && self.callback.is_none() {
            return Err(dependency(
                "callback_method",
                "is set without callback",
                "set callback or remove callback_method",
            ));
        }
        if let Some(cb) = &self.callback {
            // A case-insensitive prefix test on the bytes: same answer as lowercasing a copy, without the copy.
            let head = cb.as_bytes();
            let known = [&b"http://"[..], b"https://", b"ws://", b"wss://"]
                .into_iter()
                .any(|p| {
                    head.get(..p.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(p))
                });
            if !known {
                return Err(invalid_value(
                    "callback".to_owned(),
                    cb.clone(),
                    "an http(s):// or ws(s):// URL",
                ));
            }
        }
        for (i, e) in self.extra.iter().enumerate() {
            if !e.contains(':') {
                return Err(invalid_value(
                    item_field("extra", i),
                    e.clone(),
                    "key:value",
                ));
            }
            let chars = e.chars().count();
            if chars > MAX_EXTRA_CHARS {
                let value = format!("a pair of {chars} characters (item {i})");
                return Err(out_of_range(
                    "extra",
                    &value,
                    "at most 2048 characters per key:value pair",
                ));
            }
        }
        let tokens = keyterm_tokens(&self.keyterm);
        if tokens > MAX_KEYTERM_TOKENS {
            let value = format!("{tokens} tokens in {} keyterms", self.keyterm.len());
            return Err(out_of_range("keyterm", &value, "at most 500 tokens in all"));
        }
        for (i, t) in self.tag.iter().enumerate() {
            let chars = t.chars().count();
            if chars > 128 {
                let value = format!("a tag of {chars} characters (item {i})");
                return Err(out_of_range("tag", &value, "1..=128 characters per tag"));
            }
        }
        Ok(())
    }

    /// The query string (without `?`): the typed options in field order, then the `extra_query` pairs.
    pub fn query(&self) -> String {
        render_query(self, &self.extra_query)
    }

    /// The WebSocket URL: `<endpoint>/v1/listen?<query>`.
    pub fn to_url(&self, endpoint: &Endpoint) -> String {
        endpoint.url("/v1/listen", &self.query())
    }

    /// Bytes of audio per second for fixed-size PCM encodings (`linear16`, `linear32`, `mulaw`, `alaw`), used to
    /// turn dropped bytes into milliseconds; `None` for compressed or containerized audio.
    pub fn audio_bytes_per_second(&self) -> Option<u32> {
        let per_sample = self.encoding?.bytes_per_sample()?;
        per_sample
            .checked_mul(self.sample_rate?)?
            .checked_mul(self.channels.unwrap_or(1))
    }

    /// Bytes per sample frame (one sample of every channel) for fixed-size PCM encodings: where raw audio can be
    /// cut; `None` for compressed or containerized audio.
    pub fn audio_block_align(&self) -> Option<u32> {
        self.encoding?
            .bytes_per_sample()?
            .checked_mul(self.channels.unwrap_or(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    impl ListenOptions {
        fn from_json(v: &Value) -> Result<Self, OptionsError> {
            super::super::from_json(v, "listen", Self::validate)
        }
    }

    fn url(v: Value) -> String {
        ListenOptions::from_json(&v)
            .unwrap()
            .to_url(&Endpoint::default())
    }

    fn err(v: Value) -> OptionsError {
        ListenOptions::from_json(&v).unwrap_err()
    }

    #[test]
    fn empty_options_render_bare_path() {
        assert_eq!(url(json!({})), "wss://api.deepgram.com/v1/listen");
    }

    #[test]
    fn renders_typed_options_in_documented_order() {
        let u = url(json!({
            "keyterm": ["Deepgram", "customer service"],
            "interim_results": true,
            "model": "nova-3",
            "endpointing": false,
            "encoding": "linear16",
            "sample_rate": 48000,
            "utterance_end_ms": 1000,
            "smart_format": false,
            "redact": ["pci", "ssn"],
            "extra_query": [["future_flag", "a b"], ["future_flag", "c"]],
        }));
        assert_eq!(
            u,
            "wss://api.deepgram.com/v1/listen?model=nova-3&encoding=linear16&sample_rate=48000\
             &interim_results=true&endpointing=false&utterance_end_ms=1000&smart_format=false\
             &redact=pci&redact=ssn&keyterm=Deepgram&keyterm=customer+service\
             &future_flag=a+b&future_flag=c"
        );
    }

    #[test]
    fn every_documented_option_is_accepted_and_rendered() {
        let o = ListenOptions::from_json(&json!({
            "model": "nova-3", "language": "multi", "language_hint": ["en", "es"], "version": "latest",
            "encoding": "mulaw", "sample_rate": 8000, "channels": 2, "multichannel": true,
            "interim_results": true, "endpointing": 300, "utterance_end_ms": 2000, "vad_events": true,
            "punctuate": true, "smart_format": true, "no_delay": true, "diarize": true, "diarize_model": "latest",
            "dictation": true, "numerals": true, "measurements": true, "filler_words": false, "profanity_filter": true,
            "redact": true,
            "detect_entities": true, "keyterm": "Acme", "search": ["a", "b"], "replace": "foo:bar", "tag": "t1",
            "extra": ["k:v"], "callback": "https://example.com/cb", "callback_method": "put", "mip_opt_out": true,
        }))
        .unwrap();
        let query = o.query();
        let keys: Vec<&str> = query
            .split('&')
            .filter_map(|p| p.split('=').next())
            .collect();
        for name in ListenOptions::names()
            .iter()
            .filter(|n| !matches!(**n, "keywords" | "extra_query"))
        {
            assert!(keys.iter().any(|k| k == name), "{name} not rendered");
        }
        let u = o.to_url(&Endpoint::default());
        assert!(
            u.contains(
                "callback=https%3A%2F%2Fexample.com%2Fcb&callback_method=PUT&mip_opt_out=true"
            ),
            "{u}"
        );
        assert!(u.contains("replace=foo%3Abar"), "{u}");
        assert!(u.contains("language_hint=en&language_hint=es"), "{u}");
        assert_eq!(o.audio_bytes_per_second(), Some(16000));
    }

    #[test]
    fn keywords_render_for_older_models() {
        let u = url(json!({"model": "nova-2", "keywords": ["snuffleupagus:5", "bird"]}));
        assert!(
            u.ends_with("?model=nova-2&keywords=snuffleupagus%3A5&keywords=bird"),
            "{u}"
        );
    }

    #[test]
    fn path_prefix_and_local_server() {
        let o = ListenOptions::from_json(&json!({"model": "nova-3"})).unwrap();
        let e = Endpoint::parse("https://example.com/deepgram").unwrap();
        assert_eq!(
            o.to_url(&e),
            "wss://example.com/deepgram/v1/listen?model=nova-3"
        );
        let e = Endpoint::parse("ws://127.0.0.1:8080").unwrap();
        assert_eq!(o.to_url(&e), "ws://127.0.0.1:8080/v1/listen?model=nova-3");
    }

    #[test]
    fn unknown_key_suggests_nearest() {
        let e = err(json!({"interim_result": true}));
        assert_eq!(
            e.to_string(),
            "unknown listen option \"interim_result\": did you mean \"interim_results\"? \
             (use \"extra_query\" for parameters this version does not know)"
        );
        assert_eq!(e.field(), "interim_result");
        let e = err(json!({"totally_unknown_thing": 1}));
        assert!(!e.to_string().contains("did you mean"), "{e}");
        assert!(e.to_string().contains("extra_query"));
    }

    #[test]
    fn wrong_types_name_field_and_type() {
        // The messages are pinned: what the app reads when a value is of the wrong type.
        let cases = [
            (
                json!({"interim_results": "true"}),
                "\"interim_results\": invalid type: string \"true\", expected a boolean",
            ),
            (
                json!({"sample_rate": "16000", "encoding": "linear16"}),
                "\"sample_rate\": invalid type: string \"16000\", expected a whole number from 0 to 4294967295",
            ),
            (
                json!({"sample_rate": 16000.5, "encoding": "linear16"}),
                "\"sample_rate\": invalid value: floating point `16000.5`, expected a whole number from 0 to \
                 4294967295",
            ),
            (
                json!({"model": 3}),
                "\"model\": invalid type: integer `3`, expected a string",
            ),
            (
                json!({"keyterm": [1], "model": "nova-3"}),
                "\"keyterm[0]\": invalid type: integer `1`, expected a string",
            ),
            (
                json!({"endpointing": "300"}),
                "\"endpointing\": invalid type: string \"300\", expected a whole number of milliseconds of \
                 silence (e.g. 300) or false; leave it unset for Deepgram's default (10 ms)",
            ),
            (
                json!({"extra_query": 5}),
                "\"extra_query\": invalid type: integer `5`, expected an object or a list of [key, value] pairs",
            ),
            (
                json!({"extra_query": {"a": {"b": 1}}}),
                "\"extra_query.a\": invalid type: map, expected a string, number or boolean, or a list of them",
            ),
        ];
        for (v, message) in cases {
            assert_eq!(err(v.clone()).to_string(), message, "{v}");
        }
        assert_eq!(
            err(json!([1])).to_string(),
            "expected an object such as {\"key\": value}, not a list"
        );
    }

    #[test]
    fn null_means_unset() {
        let o = ListenOptions::from_json(&json!({"model": null, "keyterm": null})).unwrap();
        assert_eq!(o, ListenOptions::default());
    }

    #[test]
    fn invalid_values_say_what_is_allowed() {
        let e = err(json!({"encoding": "pcm", "sample_rate": 16000}));
        assert_eq!(e.field(), "encoding");
        assert!(
            e.to_string().contains("linear16") && e.to_string().contains("g729"),
            "{e}"
        );
        let e = err(json!({"endpointing": true}));
        assert!(e.to_string().contains("or false"), "{e}");
        let e = err(json!({"redact": "Everything"}));
        assert_eq!(e.field(), "redact");
        assert!(
            e.to_string()
                .contains("use true, numbers, aggressive_numbers, pci, pii, phi"),
            "{e}"
        );
        let e = err(json!({"callback": "https://x", "callback_method": "PATCH"}));
        assert_eq!(e.field(), "callback_method");
        let e = err(json!({"model": ""}));
        assert_eq!(
            e,
            OptionsError::Empty {
                field: "model".into()
            }
        );
    }

    #[test]
    fn validation_rules_name_field_and_fix() {
        let cases: Vec<(Value, &str, &str)> = vec![
            (
                json!({"encoding": "linear16"}),
                "sample_rate",
                "set sample_rate",
            ),
            (
                json!({"encoding": "linear16", "sample_rate": 0}),
                "sample_rate",
                "outside",
            ),
            (
                json!({"encoding": "linear16", "sample_rate": 8000, "channels": 0}),
                "channels",
                "outside",
            ),
            (
                json!({"utterance_end_ms": 1000}),
                "utterance_end_ms",
                "set interim_results to true",
            ),
            (
                json!({"utterance_end_ms": 1000, "interim_results": false}),
                "utterance_end_ms",
                "interim_results",
            ),
            (json!({"keyterm": "x"}), "keyterm", "set model to nova-3"),
            (
                json!({"keyterm": "x", "model": "nova-2"}),
                "keyterm",
                "not nova-2",
            ),
            (
                json!({"keywords": "x:2", "model": "nova-3"}),
                "keywords",
                "use keyterm",
            ),
            (
                json!({"language_hint": "en", "model": "nova-3"}),
                "language_hint",
                "language to multi",
            ),
            (
                json!({"callback_method": "POST"}),
                "callback_method",
                "set callback",
            ),
            (json!({"callback": "example.com"}), "callback", "URL"),
            (json!({"extra": "novalue"}), "extra[0]", "key:value"),
            (json!({"tag": "x".repeat(129)}), "tag", "128"),
            (
                json!({"utterance_end_ms": 0, "interim_results": true}),
                "utterance_end_ms",
                "1 and above",
            ),
            (
                json!({"extra": format!("k:{}", "v".repeat(2047))}),
                "extra",
                "at most 2048 characters",
            ),
            (
                json!({"model": "nova-3", "keyterm": vec!["two words"; 251]}),
                "keyterm",
                "502 tokens in 251 keyterms",
            ),
            (
                json!({"redact": ["pii", "cardinal"]}),
                "redact[1]",
                "use a group (pii, phi, pci, numbers) or another entity type",
            ),
            (
                json!({"redact": "names"}),
                "redact",
                "did you mean \"name\"?",
            ),
            (
                json!({"extra_query": {"model": "x"}}),
                "extra_query",
                "set \"model\" directly",
            ),
            (
                json!({"keyterm": ["a", ""], "model": "nova-3"}),
                "keyterm[1]",
                "empty",
            ),
        ];
        for (v, field, fix) in cases {
            let e = err(v.clone());
            assert_eq!(e.field(), field, "{v}");
            let msg = e.to_string();
            assert!(msg.contains(field), "{msg}");
            assert!(msg.contains(fix), "{v}: {msg}");
        }
    }

    #[test]
    fn redact_takes_groups_and_entity_types_in_order() {
        let u = url(json!({"redact": ["pii", "name", "phi", "location_city"]}));
        assert!(
            u.ends_with("?redact=pii&redact=name&redact=phi&redact=location_city"),
            "{u}"
        );
        assert!(url(json!({"redact": true})).ends_with("?redact=true"));
        assert!(!url(json!({"redact": false})).contains("redact"));
    }

    #[test]
    fn limits_hold_at_their_edges() {
        let extra = format!("k:{}", "v".repeat(2046));
        assert!(ListenOptions::from_json(&json!({"extra": extra})).is_ok());
        let keyterms = vec!["two words"; 250];
        assert!(ListenOptions::from_json(&json!({"model": "nova-3", "keyterm": keyterms})).is_ok());
        assert_eq!(keyterm_tokens(&["a  b".into(), " c ".into()]), 3);
    }

    #[test]
    fn what_deepgram_ignores_is_a_warning_not_an_error() {
        let warnings = |v: Value| -> Vec<(&'static str, String)> {
            ListenOptions::from_json(&v)
                .unwrap()
                .warnings()
                .into_iter()
                .map(|w| (w.code, w.message))
                .collect()
        };
        let w = warnings(json!({"sample_rate": 16000, "channels": 2}));
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].0, "option_ignored");
        assert!(
            w[0].1.starts_with("sample_rate is set without encoding"),
            "{w:?}"
        );
        assert!(
            w[1].1.starts_with("channels is set without encoding"),
            "{w:?}"
        );
        let w = warnings(json!({"utterance_end_ms": 500, "interim_results": true}));
        assert_eq!(w[0].0, "option_no_effect");
        assert!(w[0].1.contains("use 1000 or more"), "{w:?}");
        // No made-up maximum.
        assert!(warnings(json!({"utterance_end_ms": 60000, "interim_results": true})).is_empty());
        let w = warnings(json!({"dictation": true}));
        assert!(w[0].1.contains("set punctuate to true"), "{w:?}");
        assert!(warnings(json!({"dictation": true, "punctuate": true})).is_empty());
        assert!(warnings(json!({"encoding": "linear16", "sample_rate": 16000})).is_empty());
    }

    #[test]
    fn nova3_variants_accept_keyterm() {
        assert!(
            ListenOptions::from_json(&json!({"model": "nova-3-medical", "keyterm": "x"})).is_ok()
        );
        assert!(ListenOptions::from_json(&json!({"model": "nova-30", "keyterm": "x"})).is_err());
    }

    #[test]
    fn validate_catches_programmatic_mistakes() {
        let o = ListenOptions {
            tag: vec![String::new()],
            ..Default::default()
        };
        assert_eq!(o.validate().unwrap_err().field(), "tag[0]");
        let o = ListenOptions {
            extra_query: vec![("encoding".into(), "x".into())],
            ..Default::default()
        };
        assert_eq!(
            o.validate().unwrap_err(),
            OptionsError::ReservedExtraQuery {
                key: "encoding".into()
            }
        );
    }

    #[test]
    fn bytes_per_second() {
        let o = ListenOptions::from_json(&json!({"encoding": "linear16", "sample_rate": 48000}))
            .unwrap();
        assert_eq!(o.audio_bytes_per_second(), Some(96000));
        let o =
            ListenOptions::from_json(&json!({"encoding": "opus", "sample_rate": 48000})).unwrap();
        assert_eq!(o.audio_bytes_per_second(), None);
        assert_eq!(ListenOptions::default().audio_bytes_per_second(), None);
    }
}
