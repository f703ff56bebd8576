//! `/v1/listen` options: every documented query parameter, typed, with JSON input, validation and URL rendering.
//!
//! Owns the parameter names, their types, the rules between them (PROTOCOL.md, LISTEN-NOTES.md §2) and the
//! parameter order in the URL. It does not open connections and does not know the session rules.
//!
//! URL parameter order (deterministic, the order of the struct fields): model, language, language_hint*, version,
//! encoding, sample_rate, channels, multichannel, interim_results, endpointing, utterance_end_ms, vad_events,
//! punctuate, smart_format, no_delay, diarize, diarize_model, dictation, numerals, filler_words, profanity_filter,
//! redact*, detect_entities, keyterm*, keywords*, search*, replace*, tag*, extra*, callback, callback_method,
//! mip_opt_out, then `extra_query` pairs in the given order (`*` = repeatable, one `key=value` per item, in order).

use super::super::json::Value;

use super::super::error::OptionsError;
use super::endpoint::Endpoint;
use super::json_fields::{
    decimal, empty, item_field, object, push_decimal, read_bool, read_extra_query, read_string,
    read_string_list, read_u32, wrong,
};
use super::query::{render, Query};
use super::suggest::nearest;
use super::{check_extra_query, invalid_value, out_of_range};

/// Raw audio encodings `/v1/listen` accepts. Leave `encoding` unset for containerized audio (WebM, Ogg, WAV...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    AmrNb,
    /// AMR wideband.
    AmrWb,
    /// Raw Opus packets.
    Opus,
    /// Ogg-framed Opus.
    OggOpus,
    /// Speex.
    Speex,
    /// G.729.
    G729,
}

impl ListenEncoding {
    /// Every encoding, in Deepgram's documentation order.
    pub const ALL: [ListenEncoding; 11] = [
        Self::Linear16,
        Self::Linear32,
        Self::Flac,
        Self::Alaw,
        Self::Mulaw,
        Self::AmrNb,
        Self::AmrWb,
        Self::Opus,
        Self::OggOpus,
        Self::Speex,
        Self::G729,
    ];

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

    /// Parses Deepgram's name (exact, lowercase).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
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

/// One `redact` value (repeatable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redact {
    /// `redact=true` (streaming: same as `numbers`).
    True,
    /// Payment card data.
    Pci,
    /// Numbers.
    Numbers,
    /// Numbers, aggressively.
    AggressiveNumbers,
    /// Social security numbers.
    Ssn,
}

impl Redact {
    const ALL: [Redact; 5] = [
        Self::True,
        Self::Pci,
        Self::Numbers,
        Self::AggressiveNumbers,
        Self::Ssn,
    ];

    /// Deepgram's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::True => "true",
            Self::Pci => "pci",
            Self::Numbers => "numbers",
            Self::AggressiveNumbers => "aggressive_numbers",
            Self::Ssn => "ssn",
        }
    }

    /// Parses Deepgram's value.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// HTTP method of `callback` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// Parses a method name, any case.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Post, Self::Get, Self::Put, Self::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
    }
}

/// Every key [`ListenOptions::from_json`] accepts.
pub const LISTEN_OPTION_NAMES: &[&str] = &[
    "model",
    "language",
    "language_hint",
    "version",
    "encoding",
    "sample_rate",
    "channels",
    "multichannel",
    "interim_results",
    "endpointing",
    "utterance_end_ms",
    "vad_events",
    "punctuate",
    "smart_format",
    "no_delay",
    "diarize",
    "diarize_model",
    "dictation",
    "numerals",
    "filler_words",
    "profanity_filter",
    "redact",
    "detect_entities",
    "keyterm",
    "keywords",
    "search",
    "replace",
    "tag",
    "extra",
    "callback",
    "callback_method",
    "mip_opt_out",
    "extra_query",
];

/// Options of a `/v1/listen` stream. `None` / empty = not sent (Deepgram's default applies).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListenOptions {
    /// `model` (e.g. `nova-3`, `nova-2-phonecall`).
    pub model: Option<String>,
    /// `language` (BCP-47, or `multi`).
    pub language: Option<String>,
    /// `language_hint` (repeatable; nova-3 with `language=multi`).
    pub language_hint: Vec<String>,
    /// `version` (model version, default `latest`).
    pub version: Option<String>,
    /// `encoding` of raw audio (unset for containerized audio).
    pub encoding: Option<ListenEncoding>,
    /// `sample_rate` in Hz (required with `encoding`, only read with it).
    pub sample_rate: Option<u32>,
    /// `channels` (only read with `encoding`).
    pub channels: Option<u32>,
    /// `multichannel`: transcribe each channel separately.
    pub multichannel: Option<bool>,
    /// `interim_results`.
    pub interim_results: Option<bool>,
    /// `endpointing`.
    pub endpointing: Option<Endpointing>,
    /// `utterance_end_ms` (1000..=5000, needs `interim_results=true`).
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
    /// `filler_words`.
    pub filler_words: Option<bool>,
    /// `profanity_filter`.
    pub profanity_filter: Option<bool>,
    /// `redact` (repeatable).
    pub redact: Vec<Redact>,
    /// `detect_entities`.
    pub detect_entities: Option<bool>,
    /// `keyterm` (repeatable; nova-3 only).
    pub keyterm: Vec<String>,
    /// `keywords` (`word:boost`, repeatable; not nova-3).
    pub keywords: Vec<String>,
    /// `search` (repeatable).
    pub search: Vec<String>,
    /// `replace` (`find:replace`, repeatable).
    pub replace: Vec<String>,
    /// `tag` (repeatable, at most 128 characters each).
    pub tag: Vec<String>,
    /// `extra` (`key:value`, repeatable).
    pub extra: Vec<String>,
    /// `callback` URL.
    pub callback: Option<String>,
    /// `callback_method`.
    pub callback_method: Option<CallbackMethod>,
    /// `mip_opt_out`.
    pub mip_opt_out: Option<bool>,
    /// Parameters this version does not know, rendered verbatim (percent-encoded) after the typed ones.
    pub extra_query: Vec<(String, String)>,
}

fn is_nova3(model: Option<&str>) -> bool {
    model.is_some_and(|m| m == "nova-3" || m.starts_with("nova-3-"))
}

#[cold]
#[inline(never)]
fn unknown_option(name: &str) -> OptionsError {
    OptionsError::UnknownOption {
        endpoint: "listen",
        name: name.to_owned(),
        suggestion: nearest(name, LISTEN_OPTION_NAMES),
    }
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

impl ListenOptions {
    /// Builds options from the user's JSON option bag (Deepgram's snake_case names), then [`validate`]s them.
    ///
    /// A list option also takes a single string. `null` means "not set". An unknown key is an error that suggests
    /// the nearest valid name.
    ///
    /// [`validate`]: ListenOptions::validate
    pub fn from_json(value: &Value) -> Result<Self, OptionsError> {
        let map = object(value, "listen options")?;
        let mut o = Self::default();
        for (key, v) in map {
            let k = key.as_str();
            if v.is_null() && LISTEN_OPTION_NAMES.contains(&k) {
                continue;
            }
            match k {
                "model" => o.model = Some(read_string(k, v)?),
                "language" => o.language = Some(read_string(k, v)?),
                "language_hint" => o.language_hint = read_string_list(k, v)?,
                "version" => o.version = Some(read_string(k, v)?),
                "encoding" => o.encoding = Some(read_encoding(v)?),
                "sample_rate" => o.sample_rate = Some(read_u32(k, v)?),
                "channels" => o.channels = Some(read_u32(k, v)?),
                "multichannel" => o.multichannel = Some(read_bool(k, v)?),
                "interim_results" => o.interim_results = Some(read_bool(k, v)?),
                "endpointing" => o.endpointing = Some(read_endpointing(v)?),
                "utterance_end_ms" => o.utterance_end_ms = Some(read_u32(k, v)?),
                "vad_events" => o.vad_events = Some(read_bool(k, v)?),
                "punctuate" => o.punctuate = Some(read_bool(k, v)?),
                "smart_format" => o.smart_format = Some(read_bool(k, v)?),
                "no_delay" => o.no_delay = Some(read_bool(k, v)?),
                "diarize" => o.diarize = Some(read_bool(k, v)?),
                "diarize_model" => o.diarize_model = Some(read_string(k, v)?),
                "dictation" => o.dictation = Some(read_bool(k, v)?),
                "numerals" => o.numerals = Some(read_bool(k, v)?),
                "filler_words" => o.filler_words = Some(read_bool(k, v)?),
                "profanity_filter" => o.profanity_filter = Some(read_bool(k, v)?),
                "redact" => o.redact = read_redact(v)?,
                "detect_entities" => o.detect_entities = Some(read_bool(k, v)?),
                "keyterm" => o.keyterm = read_string_list(k, v)?,
                "keywords" => o.keywords = read_string_list(k, v)?,
                "search" => o.search = read_string_list(k, v)?,
                "replace" => o.replace = read_string_list(k, v)?,
                "tag" => o.tag = read_string_list(k, v)?,
                "extra" => o.extra = read_string_list(k, v)?,
                "callback" => o.callback = Some(read_string(k, v)?),
                "callback_method" => o.callback_method = Some(read_callback_method(v)?),
                "mip_opt_out" => o.mip_opt_out = Some(read_bool(k, v)?),
                "extra_query" => o.extra_query = read_extra_query(v)?,
                _ => return Err(unknown_option(k)),
            }
        }
        o.validate()?;
        Ok(o)
    }

    /// Checks the rules between options (PROTOCOL.md, LISTEN-NOTES.md §2). Called by [`from_json`]; call it
    /// yourself after building options in code.
    ///
    /// [`from_json`]: ListenOptions::from_json
    pub fn validate(&self) -> Result<(), OptionsError> {
        self.validate_strings()?;
        self.validate_audio_format()?;
        self.validate_features()?;
        self.validate_extra_query()
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
        match (self.encoding, self.sample_rate) {
            (None, Some(_)) => {
                return Err(dependency(
                    "sample_rate",
                    "is set without encoding (Deepgram only reads it with encoding; containerized audio carries its own rate)",
                    "set encoding or remove sample_rate",
                ))
            }
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
        if let Some(channels) = self.channels {
            if self.encoding.is_none() {
                return Err(dependency(
                    "channels",
                    "is set without encoding (Deepgram only reads it with encoding)",
                    "set encoding or remove channels",
                ));
            }
            if channels == 0 {
                return Err(out_of_range("channels", "0", "1 and above"));
            }
        }
        Ok(())
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
            if !(1000..=5000).contains(&ms) {
                return Err(out_of_range(
                    "utterance_end_ms",
                    &decimal(ms.into()),
                    "1000..=5000 (Deepgram: values below 1000 give no benefit)",
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
        }
        for (i, t) in self.tag.iter().enumerate() {
            let chars = t.chars().count();
            if chars > 128 {
                let mut value = "a tag of ".to_owned();
                push_decimal(&mut value, chars as u64);
                value.push_str(" characters (item ");
                push_decimal(&mut value, i as u64);
                value.push(')');
                return Err(out_of_range("tag", &value, "1..=128 characters per tag"));
            }
        }
        Ok(())
    }

    fn validate_extra_query(&self) -> Result<(), OptionsError> {
        check_extra_query(&self.extra_query, LISTEN_OPTION_NAMES)
    }

    /// The query parameters in URL order (see the module documentation), not yet percent-encoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let mut q = Query::default();
        q.push_opt("model", self.model.as_ref());
        q.push_opt("language", self.language.as_ref());
        q.push_all("language_hint", &self.language_hint);
        q.push_opt("version", self.version.as_ref());
        q.push_opt("encoding", self.encoding.map(ListenEncoding::as_str));
        q.push_u32("sample_rate", self.sample_rate);
        q.push_u32("channels", self.channels);
        q.push_bool("multichannel", self.multichannel);
        q.push_bool("interim_results", self.interim_results);
        match self.endpointing {
            Some(Endpointing::Disabled) => q.push("endpointing", "false"),
            Some(Endpointing::Ms(ms)) => q.push("endpointing", decimal(ms.into())),
            None => {}
        }
        q.push_u32("utterance_end_ms", self.utterance_end_ms);
        q.push_bool("vad_events", self.vad_events);
        q.push_bool("punctuate", self.punctuate);
        q.push_bool("smart_format", self.smart_format);
        q.push_bool("no_delay", self.no_delay);
        q.push_bool("diarize", self.diarize);
        q.push_opt("diarize_model", self.diarize_model.as_ref());
        q.push_bool("dictation", self.dictation);
        q.push_bool("numerals", self.numerals);
        q.push_bool("filler_words", self.filler_words);
        q.push_bool("profanity_filter", self.profanity_filter);
        for r in &self.redact {
            q.push("redact", r.as_str());
        }
        q.push_bool("detect_entities", self.detect_entities);
        q.push_all("keyterm", &self.keyterm);
        q.push_all("keywords", &self.keywords);
        q.push_all("search", &self.search);
        q.push_all("replace", &self.replace);
        q.push_all("tag", &self.tag);
        q.push_all("extra", &self.extra);
        q.push_opt("callback", self.callback.as_ref());
        q.push_opt(
            "callback_method",
            self.callback_method.map(CallbackMethod::as_str),
        );
        q.push_bool("mip_opt_out", self.mip_opt_out);
        for (k, v) in &self.extra_query {
            q.push(k, v.as_str());
        }
        q.into_pairs()
    }

    /// The WebSocket URL: `<endpoint>/v1/listen?<query>`.
    pub fn to_url(&self, endpoint: &Endpoint) -> String {
        endpoint.url("/v1/listen", &render(&self.query_pairs()))
    }

    /// Bytes of audio per second for fixed-size PCM encodings (`linear16`, `linear32`, `mulaw`, `alaw`), used to
    /// turn dropped bytes into milliseconds; `None` for compressed or containerized audio.
    pub fn audio_bytes_per_second(&self) -> Option<u32> {
        let per_sample = self.encoding?.bytes_per_sample()?;
        per_sample
            .checked_mul(self.sample_rate?)?
            .checked_mul(self.channels.unwrap_or(1))
    }
}

#[inline(never)]
fn read_encoding(v: &Value) -> Result<ListenEncoding, OptionsError> {
    let name = read_string("encoding", v)?;
    ListenEncoding::from_name(&name).ok_or_else(|| bad_encoding(name))
}

#[cold]
#[inline(never)]
fn bad_encoding(name: String) -> OptionsError {
    let mut expected = "one of ".to_owned();
    for (i, e) in ListenEncoding::ALL.into_iter().enumerate() {
        if i > 0 {
            expected.push_str(", ");
        }
        expected.push_str(e.as_str());
    }
    expected.push_str(" (or leave encoding unset for containerized audio such as WebM/Ogg)");
    invalid_value("encoding".to_owned(), name, &expected)
}

#[inline(never)]
fn read_endpointing(v: &Value) -> Result<Endpointing, OptionsError> {
    match v {
        Value::Bool(false) => Ok(Endpointing::Disabled),
        Value::Bool(true) => Err(invalid_value(
            "endpointing".to_owned(),
            "true".to_owned(),
            "milliseconds of silence (e.g. 300) or false; leave it unset for Deepgram's default (10 ms)",
        )),
        Value::Number(_) => Ok(Endpointing::Ms(read_u32("endpointing", v)?)),
        other => Err(wrong(
            "endpointing",
            "a whole number of milliseconds or false",
            other,
        )),
    }
}

#[inline(never)]
fn read_redact(v: &Value) -> Result<Vec<Redact>, OptionsError> {
    let names = match v {
        Value::Bool(true) => return Ok(vec![Redact::True]),
        Value::Bool(false) => return Ok(Vec::new()),
        other => read_string_list("redact", other)?,
    };
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        match Redact::from_name(&name) {
            Some(r) => out.push(r),
            None => {
                return Err(invalid_value(
                    "redact".to_owned(),
                    name,
                    "true, false, or one or more of pci, numbers, aggressive_numbers, ssn",
                ))
            }
        }
    }
    Ok(out)
}

#[inline(never)]
fn read_callback_method(v: &Value) -> Result<CallbackMethod, OptionsError> {
    let name = read_string("callback_method", v)?;
    CallbackMethod::from_name(&name).ok_or_else(|| {
        invalid_value(
            "callback_method".to_owned(),
            name,
            "POST, GET, PUT or DELETE",
        )
    })
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
             &redact=pci&redact=ssn&keyterm=Deepgram&keyterm=customer%20service\
             &future_flag=a%20b&future_flag=c"
        );
    }

    #[test]
    fn every_documented_option_is_accepted_and_rendered() {
        let o = ListenOptions::from_json(&json!({
            "model": "nova-3", "language": "multi", "language_hint": ["en", "es"], "version": "latest",
            "encoding": "mulaw", "sample_rate": 8000, "channels": 2, "multichannel": true,
            "interim_results": true, "endpointing": 300, "utterance_end_ms": 2000, "vad_events": true,
            "punctuate": true, "smart_format": true, "no_delay": true, "diarize": true, "diarize_model": "latest",
            "dictation": true, "numerals": true, "filler_words": false, "profanity_filter": true, "redact": true,
            "detect_entities": true, "keyterm": "Acme", "search": ["a", "b"], "replace": "foo:bar", "tag": "t1",
            "extra": ["k:v"], "callback": "https://example.com/cb", "callback_method": "put", "mip_opt_out": true,
        }))
        .unwrap();
        let keys: Vec<String> = o.query_pairs().into_iter().map(|(k, _)| k).collect();
        for name in LISTEN_OPTION_NAMES
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
        let cases = [
            (
                json!({"interim_results": "true"}),
                "interim_results",
                "true or false",
            ),
            (
                json!({"sample_rate": "16000", "encoding": "linear16"}),
                "sample_rate",
                "whole number",
            ),
            (json!({"model": 3}), "model", "a string"),
            (json!({"keyterm": [1]}), "keyterm[0]", "a string"),
            (
                json!({"endpointing": "300"}),
                "endpointing",
                "milliseconds or false",
            ),
            (json!({"extra_query": 5}), "extra_query", "object"),
        ];
        for (v, field, expected) in cases {
            let e = err(v);
            assert_eq!(e.field(), field);
            assert!(e.to_string().contains(field), "{e}");
            assert!(e.to_string().contains(expected), "{e}");
        }
        assert_eq!(err(json!([1])).field(), "options");
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
        let e = err(json!({"redact": "everything"}));
        assert_eq!(e.field(), "redact");
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
                json!({"sample_rate": 16000}),
                "sample_rate",
                "set encoding or remove sample_rate",
            ),
            (
                json!({"encoding": "linear16"}),
                "sample_rate",
                "set sample_rate",
            ),
            (
                json!({"channels": 2}),
                "channels",
                "set encoding or remove channels",
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
            (
                json!({"utterance_end_ms": 500, "interim_results": true}),
                "utterance_end_ms",
                "1000..=5000",
            ),
            (
                json!({"utterance_end_ms": 6000, "interim_results": true}),
                "utterance_end_ms",
                "1000..=5000",
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
