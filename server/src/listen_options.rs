//! The `/v1/listen` query: which parameters exist, their defaults, and the handshake's 400 rules.
//!
//! Owns the validation that happens before the upgrade (PROTOCOL.md "Query parameters", LISTEN-NOTES §2,
//! API-2026-12 §1). Unknown parameters are ignored, as the real service appears to do. It must not hold
//! per-stream state.

use crate::codec::Encoding;
use crate::keyterm_limit;
use crate::query::{Query, QueryError};
use crate::redaction;

/// How the audio of a stream is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenEncoding {
    /// Raw samples this server decodes.
    Pcm(Encoding),
    /// A raw encoding Deepgram accepts but this server does not decode (`flac`, `opus`, ...): bytes are
    /// counted and hashed, no words come out.
    Opaque(String),
    /// No `encoding`: containerized audio (WAV is decoded; Ogg/WebM/MP4 counted only).
    Container,
}

/// When a segment is finalized after its last word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpointing {
    /// `endpointing=false`: finals only at the maximum segment length, Finalize or CloseStream.
    Disabled,
    /// Milliseconds of silence after the last word (default 10, as on Deepgram).
    Ms(u32),
}

/// The validated options of one listen stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenOptions {
    /// `model` (`None` when absent: the service default).
    pub model: Option<String>,
    /// `encoding` (+ container detection when absent).
    pub encoding: ListenEncoding,
    /// `sample_rate` (only read with `encoding`).
    pub sample_rate: u32,
    /// `channels` (only read with `encoding`; default 1).
    pub channels: u16,
    /// `multichannel`.
    pub multichannel: bool,
    /// `interim_results`.
    pub interim_results: bool,
    /// `endpointing`.
    pub endpointing: Endpointing,
    /// `utterance_end_ms`.
    pub utterance_end_ms: Option<u32>,
    /// `vad_events`.
    pub vad_events: bool,
    /// `punctuate` or `smart_format`: capitalize the first word and end finals with a period.
    pub punctuate: bool,
    /// `diarize` or `diarize_model`: words carry `speaker`.
    pub diarize: bool,
    /// `detect_entities`: finals carry `entities: []`.
    pub detect_entities: bool,
    /// `extra=key:value` pairs, echoed as `metadata.extra` (last value wins per key).
    pub extra: Vec<(String, String)>,
    /// `numerals`: digit words are written as digits (`4` for `four`); `Configure` can change it.
    pub numerals: bool,
    /// `keyterm` values, in order (nova-3 only); `Configure` can replace them.
    pub keyterms: Vec<String>,
}

/// Most characters in one `extra` pair (`key:value`), as docs/extra-metadata says.
pub const MAX_EXTRA_CHARS: usize = 2048;

/// Whether a model takes keyterms: Nova-3 models only (monolingual, multilingual, medical).
pub fn model_supports_keyterms(model: Option<&str>) -> bool {
    model.is_some_and(|m| m.starts_with("nova-3"))
}

const ENCODINGS: [&str; 11] = [
    "linear16", "linear32", "flac", "alaw", "mulaw", "amr-nb", "amr-wb", "opus", "ogg-opus",
    "speex", "g729",
];

const BOOLEANS: [&str; 16] = [
    "multichannel",
    "interim_results",
    "vad_events",
    "punctuate",
    "smart_format",
    "diarize",
    "dictation",
    "numerals",
    "filler_words",
    "profanity_filter",
    "detect_entities",
    "mip_opt_out",
    "no_delay",
    "measurements",
    "paragraphs",
    "utterances",
];

/// Lowest and highest accepted `sample_rate` (the DTMF recognizer needs at least 4 kHz).
pub const SAMPLE_RATE_RANGE: (u64, u64) = (4000, 192_000);
/// Highest accepted `channels` (Deepgram's multichannel limit).
pub const MAX_CHANNELS: u64 = 20;

impl ListenOptions {
    /// Validates a listen query; the error's message names the parameter.
    pub fn from_query(q: &Query) -> Result<ListenOptions, QueryError> {
        for b in BOOLEANS {
            q.bool(b)?;
        }
        let model = match q.last("model") {
            Some("") => {
                return Err(QueryError::Missing {
                    param: "model".into(),
                    because: "it is empty; name a model such as `nova-3`".into(),
                })
            }
            other => other.map(str::to_string),
        };
        let encoding = match q.one_of("encoding", &ENCODINGS)? {
            None => ListenEncoding::Container,
            Some(e) => match Encoding::from_name(&e) {
                Some(pcm) => ListenEncoding::Pcm(pcm),
                None => ListenEncoding::Opaque(e),
            },
        };
        let (sample_rate, channels) = if encoding == ListenEncoding::Container {
            // Only read with `encoding` (AsyncAPI description); a WAV header carries its own.
            (0, 1)
        } else {
            let rate = q
                .uint("sample_rate", SAMPLE_RATE_RANGE.0, SAMPLE_RATE_RANGE.1)?
                .ok_or_else(|| QueryError::Missing {
                    param: "sample_rate".into(),
                    because: "it is required with `encoding`; send the audio's rate, e.g. `sample_rate=16000`".into(),
                })?;
            let channels = q.uint("channels", 1, MAX_CHANNELS)?.unwrap_or(1);
            (
                u32::try_from(rate).unwrap_or(u32::MAX),
                u16::try_from(channels).unwrap_or(1),
            )
        };
        let interim_results = q.bool("interim_results")?.unwrap_or(false);
        let endpointing = match q.last("endpointing") {
            None => Endpointing::Ms(10),
            Some("false") => Endpointing::Disabled,
            // UNCONFIRMED: `true` keeps the default (the Rust SDK's `Endpointing::Enabled` sends it).
            Some("true") => Endpointing::Ms(10),
            Some(_) => {
                let ms = q.uint("endpointing", 0, 60_000)?.unwrap_or(10);
                Endpointing::Ms(u32::try_from(ms).unwrap_or(10))
            }
        };
        // No documented maximum (docs/utterance-end): any positive whole number; beyond u32 it never fires.
        let utterance_end_ms = q
            .uint("utterance_end_ms", 1, u64::MAX)?
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX));
        if utterance_end_ms.is_some() && !interim_results {
            return Err(QueryError::Conflict {
                param: "utterance_end_ms".into(),
                because: "it requires `interim_results=true`; add it or drop utterance_end_ms"
                    .into(),
            });
        }
        for value in q.all("redact") {
            redaction::check(value).map_err(|e| QueryError::Conflict {
                param: "redact".into(),
                because: format!("`{}` is not supported; {}", e.value(), e.advice()),
            })?;
        }
        for hint in q.all("language_hint") {
            if hint.trim().is_empty() {
                return Err(QueryError::Missing {
                    param: "language_hint".into(),
                    because: "it is empty; name a language such as `en` or `es`, or drop it".into(),
                });
            }
        }
        let diarize_model = q.one_of("diarize_model", &["latest", "v1"])?;
        q.one_of("callback_method", &["POST", "GET", "PUT", "DELETE"])?;
        let is_nova3 = model_supports_keyterms(model.as_deref());
        if is_nova3 && q.all("keywords").next().is_some() {
            return Err(QueryError::Conflict {
                param: "keywords".into(),
                because: "it is not supported by nova-3; use `keyterm` instead".into(),
            });
        }
        if !is_nova3 && q.all("keyterm").next().is_some() {
            return Err(QueryError::Conflict {
                param: "keyterm".into(),
                because: "it is only supported by nova-3 models; use `model=nova-3` or `keywords`"
                    .into(),
            });
        }
        let keyterms: Vec<String> = q.all("keyterm").map(str::to_string).collect();
        if !keyterm_limit::within_limit(keyterms.iter().map(String::as_str)) {
            return Err(QueryError::Conflict {
                param: "keyterm".into(),
                because: format!(
                    "{} ({} tokens sent, counted as whitespace-separated words); shorten or drop keyterms",
                    keyterm_limit::LIMIT_MESSAGE,
                    keyterm_limit::token_count(keyterms.iter().map(String::as_str))
                ),
            });
        }
        let mut extra: Vec<(String, String)> = Vec::new();
        for pair in q.all("extra") {
            let chars = pair.chars().count();
            if chars > MAX_EXTRA_CHARS {
                return Err(QueryError::Conflict {
                    param: "extra".into(),
                    because: format!(
                        "a pair has {chars} characters; each `key:value` pair is limited to {MAX_EXTRA_CHARS} characters"
                    ),
                });
            }
            let (k, v) = pair.split_once(':').ok_or_else(|| QueryError::NotOneOf {
                param: "extra".into(),
                value: pair.to_string(),
                accepted: "`key:value`".into(),
            })?;
            extra.retain(|(existing, _)| existing != k);
            extra.push((k.to_string(), v.to_string()));
        }
        Ok(ListenOptions {
            model,
            encoding,
            sample_rate,
            channels,
            multichannel: q.bool("multichannel")?.unwrap_or(false),
            interim_results,
            endpointing,
            utterance_end_ms,
            vad_events: q.bool("vad_events")?.unwrap_or(false),
            punctuate: q.bool("punctuate")?.unwrap_or(false)
                || q.bool("smart_format")?.unwrap_or(false),
            diarize: q.bool("diarize")?.unwrap_or(false) || diarize_model.is_some(),
            detect_entities: q.bool("detect_entities")?.unwrap_or(false),
            extra,
            numerals: q.bool("numerals")?.unwrap_or(false),
            keyterms,
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

    fn parse(q: &str) -> Result<ListenOptions, QueryError> {
        ListenOptions::from_query(&Query::parse(q).unwrap())
    }

    #[test]
    fn defaults() {
        let o = parse("").unwrap();
        assert_eq!(o.encoding, ListenEncoding::Container);
        assert_eq!(o.endpointing, Endpointing::Ms(10));
        assert!(!o.interim_results);
        assert_eq!(o.model, None);
    }

    #[test]
    fn raw_encodings_need_a_sample_rate() {
        let err = parse("encoding=linear16").unwrap_err();
        assert!(err.to_string().contains("`sample_rate`"), "{err}");
        let o = parse("encoding=mulaw&sample_rate=8000&channels=2&multichannel=true").unwrap();
        assert_eq!(o.encoding, ListenEncoding::Pcm(Encoding::Mulaw));
        assert_eq!((o.sample_rate, o.channels, o.multichannel), (8000, 2, true));
        let o = parse("encoding=opus&sample_rate=48000").unwrap();
        assert_eq!(o.encoding, ListenEncoding::Opaque("opus".into()));
    }

    #[test]
    fn unknown_encoding_is_named() {
        let err = parse("encoding=mp3&sample_rate=8000").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`encoding`") && msg.contains("mp3"), "{msg}");
    }

    #[test]
    fn booleans_must_be_lowercase() {
        let err = parse("interim_results=False").unwrap_err();
        assert!(err.to_string().contains("`interim_results`"));
        assert!(parse("mip_opt_out=True").is_err());
        assert!(parse("smart_format=yes").is_err());
    }

    #[test]
    fn utterance_end_needs_interim_results() {
        let err = parse("utterance_end_ms=1000").unwrap_err();
        assert!(err.to_string().contains("`utterance_end_ms`"));
        let o = parse("utterance_end_ms=1000&interim_results=true").unwrap();
        assert_eq!(o.utterance_end_ms, Some(1000));
    }

    #[test]
    fn numbers_are_checked() {
        assert!(parse("encoding=linear16&sample_rate=abc")
            .unwrap_err()
            .to_string()
            .contains("`sample_rate`"));
        assert!(parse("endpointing=fast")
            .unwrap_err()
            .to_string()
            .contains("`endpointing`"));
        assert!(parse("encoding=linear16&sample_rate=16000&channels=0")
            .unwrap_err()
            .to_string()
            .contains("`channels`"));
        assert_eq!(
            parse("endpointing=false").unwrap().endpointing,
            Endpointing::Disabled
        );
        assert_eq!(
            parse("endpointing=300").unwrap().endpointing,
            Endpointing::Ms(300)
        );
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        assert!(parse("speech_final=true&is_final=true&alternatives=1&whatever=x").is_ok());
    }

    #[test]
    fn model_specific_parameters() {
        assert!(parse("model=nova-3&keywords=a:2").is_err());
        assert!(parse("model=nova-2&keyterm=a").is_err());
        assert!(parse("model=nova-3&keyterm=a&keyterm=b").is_ok());
    }

    #[test]
    fn extra_pairs_last_wins() {
        let o = parse("extra=a:1&extra=b:2&extra=a:3").unwrap();
        assert_eq!(
            o.extra,
            vec![("b".into(), "2".into()), ("a".into(), "3".into())]
        );
        assert!(parse("extra=novalue").is_err());
    }

    #[test]
    fn redact_takes_modes_groups_and_entity_types_repeated() {
        for v in [
            "true",
            "false",
            "pci",
            "pii",
            "phi",
            "numbers",
            "aggressive_numbers",
            "ssn",
            "name",
            "location_city",
            "email_address",
            "zodiac_sign",
        ] {
            assert!(parse(&format!("redact={v}")).is_ok(), "{v}");
        }
        assert!(parse("redact=phi&redact=pci&redact=name").is_ok());
    }

    #[test]
    fn redact_refuses_cardinal_ordinal_percent_and_unknown_values() {
        for v in ["cardinal", "ordinal", "percent"] {
            let msg = parse(&format!("redact={v}")).unwrap_err().to_string();
            assert!(msg.contains("`redact`") && msg.contains(v), "{msg}");
            assert!(msg.contains("cannot be redacted"), "{msg}");
        }
        // Every occurrence is checked, not only the last.
        let msg = parse("redact=nope&redact=pci").unwrap_err().to_string();
        assert!(msg.contains("`nope`") && msg.contains("`pii`"), "{msg}");
        assert!(parse("redact=PCI").is_err());
    }

    #[test]
    fn measurements_filler_words_dictation_and_language_hint_are_accepted() {
        let o = parse(
            "measurements=true&filler_words=false&dictation=true&model=nova-3&language=multi&language_hint=en&language_hint=es",
        );
        assert!(o.is_ok(), "{o:?}");
        // Dictation without punctuate is accepted: Deepgram documents that it needs punctuate to work,
        // not that it is refused.
        assert!(parse("dictation=true").is_ok());
        assert!(parse("measurements=yes")
            .unwrap_err()
            .to_string()
            .contains("`measurements`"));
        assert!(parse("filler_words=True").is_err());
        assert!(parse("language_hint=")
            .unwrap_err()
            .to_string()
            .contains("`language_hint`"));
    }

    #[test]
    fn utterance_end_ms_has_no_made_up_maximum() {
        let o = parse("utterance_end_ms=600000&interim_results=true").unwrap();
        assert_eq!(o.utterance_end_ms, Some(600_000));
        let o = parse("utterance_end_ms=99999999999&interim_results=true").unwrap();
        assert_eq!(o.utterance_end_ms, Some(u32::MAX));
        let o = parse("utterance_end_ms=500&interim_results=true").unwrap();
        assert_eq!(o.utterance_end_ms, Some(500));
        assert!(parse("utterance_end_ms=0&interim_results=true").is_err());
        assert!(parse("utterance_end_ms=soon&interim_results=true").is_err());
    }

    #[test]
    fn sample_rate_and_channels_without_encoding_are_ignored() {
        let o = parse("sample_rate=16000&channels=2").unwrap();
        assert_eq!(o.encoding, ListenEncoding::Container);
        assert_eq!((o.sample_rate, o.channels), (0, 1));
        // Not even read: a value that would be refused with `encoding` passes without it.
        assert!(parse("sample_rate=abc&channels=99").is_ok());
    }

    #[test]
    fn extra_pairs_are_limited_to_2048_characters() {
        let fits = format!("extra=k:{}", "v".repeat(MAX_EXTRA_CHARS - 2));
        assert!(parse(&fits).is_ok());
        let over = format!("extra=k:{}", "v".repeat(MAX_EXTRA_CHARS - 1));
        let msg = parse(&over).unwrap_err().to_string();
        assert!(msg.contains("`extra`") && msg.contains("2048"), "{msg}");
        // Characters, not bytes.
        let accents = format!("extra=k:{}", "%C3%A9".repeat(MAX_EXTRA_CHARS - 2));
        assert!(parse(&accents).is_ok());
    }

    #[test]
    fn keyterms_are_limited_to_500_tokens_in_total() {
        let term = vec!["word"; 100].join("+");
        let five: String = (0..5).map(|_| format!("keyterm={term}&")).collect();
        let o = parse(&format!("model=nova-3&{five}")).unwrap();
        assert_eq!(o.keyterms.len(), 5);
        let msg = parse(&format!("model=nova-3&{five}keyterm=one"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("`keyterm`"), "{msg}");
        assert!(
            msg.contains("The maximum number of tokens across all keyterms is 500"),
            "{msg}"
        );
        assert!(msg.contains("501 tokens"), "{msg}");
    }

    #[test]
    fn numerals_and_keyterms_are_kept_for_the_stream() {
        let o = parse("model=nova-3&numerals=true&keyterm=Deepgram&keyterm=Aura").unwrap();
        assert!(o.numerals);
        assert_eq!(o.keyterms, ["Deepgram", "Aura"]);
        assert!(!parse("").unwrap().numerals);
        assert!(model_supports_keyterms(Some("nova-3-medical")));
        assert!(!model_supports_keyterms(Some("nova-2")));
        assert!(!model_supports_keyterms(None));
    }
}
