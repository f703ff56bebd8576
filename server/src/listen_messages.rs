//! The JSON text frames `/v1/listen` sends, written from the spec and the recorded fixtures.
//!
//! Owns field names, key order (LISTEN-NOTES §5: `type, channel_index, duration, start, is_final,
//! speech_final, channel, metadata, from_finalize`) and number types (f32, as the real service's numbers
//! are float32-derived). It must not decide when a message is sent: that is `transcriber.rs`.

use serde::Serialize;

use crate::model::ModelInfo;

/// One recognized word, times in seconds from the start of the stream's audio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordJson {
    /// Lowercase word.
    pub word: String,
    /// Start, seconds.
    pub start: f32,
    /// End, seconds.
    pub end: f32,
    /// Confidence 0-1.
    pub confidence: f32,
    /// Speaker index, with diarization only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<u32>,
    /// The word as it appears in the transcript.
    pub punctuated_word: String,
}

#[derive(Serialize)]
struct Alternative<'a> {
    transcript: &'a str,
    confidence: f32,
    words: &'a [WordJson],
}

#[derive(Serialize)]
struct Channel<'a> {
    alternatives: [Alternative<'a>; 1],
}

#[derive(Serialize)]
struct ModelInfoJson<'a> {
    name: &'a str,
    version: &'a str,
    arch: &'a str,
}

#[derive(Serialize)]
struct DiarizeInfo {
    model_uuid: &'static str,
    arch: &'static str,
}

#[derive(Serialize)]
struct ResultsMetadata<'a> {
    request_id: &'a str,
    model_info: ModelInfoJson<'a>,
    model_uuid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    diarize_info: Option<DiarizeInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize)]
struct Results<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    channel_index: [u32; 2],
    duration: f32,
    start: f32,
    is_final: bool,
    speech_final: bool,
    channel: Channel<'a>,
    metadata: ResultsMetadata<'a>,
    from_finalize: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    entities: Option<[u8; 0]>,
}

/// Stream-wide facts every Results message repeats.
#[derive(Debug, Clone)]
pub struct ResultsContext {
    /// The stream's `dg-request-id`.
    pub request_id: String,
    /// The model.
    pub model: ModelInfo,
    /// Add `speaker` to words and `diarize_info` to metadata.
    pub diarize: bool,
    /// Add `entities: []` to finals.
    pub detect_entities: bool,
    /// `extra` pairs echoed in metadata.
    pub extra: Vec<(String, String)>,
}

/// The variable part of one Results message.
#[derive(Debug, Clone)]
pub struct ResultsFrame<'a> {
    /// `[channel, total]`.
    pub channel_index: [u32; 2],
    /// Segment start, seconds.
    pub start: f64,
    /// Segment end, seconds.
    pub end: f64,
    /// `is_final`.
    pub is_final: bool,
    /// `speech_final`.
    pub speech_final: bool,
    /// `from_finalize`.
    pub from_finalize: bool,
    /// The words of the segment.
    pub words: &'a [WordJson],
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail (no maps with non-string keys, no foreign Serialize
    // impls); an empty object keeps the stream alive if it somehow did.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}

/// Writes a `Results` message.
pub fn results(ctx: &ResultsContext, frame: &ResultsFrame<'_>) -> String {
    let transcript = frame
        .words
        .iter()
        .map(|w| w.punctuated_word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let confidence = frame
        .words
        .iter()
        .map(|w| w.confidence)
        .fold(None, |acc: Option<f32>, c| {
            Some(acc.map_or(c, |a| a.min(c)))
        })
        .unwrap_or(0.0);
    let extra = (!ctx.extra.is_empty()).then(|| {
        ctx.extra
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect()
    });
    to_json(&Results {
        kind: "Results",
        channel_index: frame.channel_index,
        duration: (frame.end - frame.start).max(0.0) as f32,
        start: frame.start as f32,
        is_final: frame.is_final,
        speech_final: frame.speech_final,
        channel: Channel {
            alternatives: [Alternative {
                transcript: &transcript,
                confidence,
                words: frame.words,
            }],
        },
        metadata: ResultsMetadata {
            request_id: &ctx.request_id,
            model_info: ModelInfoJson {
                name: &ctx.model.name,
                version: &ctx.model.version,
                arch: &ctx.model.arch,
            },
            model_uuid: &ctx.model.uuid,
            diarize_info: ctx.diarize.then_some(DiarizeInfo {
                model_uuid: "6ff6f59c-c349-443b-aba1-352de7d75943",
                arch: "v1",
            }),
            extra,
        },
        from_finalize: frame.from_finalize,
        entities: (ctx.detect_entities && frame.is_final).then_some([]),
    })
}

#[derive(Serialize)]
struct SpeechStarted {
    #[serde(rename = "type")]
    kind: &'static str,
    channel: [u32; 2],
    timestamp: f32,
}

/// Writes a `SpeechStarted` message.
pub fn speech_started(channel: [u32; 2], timestamp: f64) -> String {
    to_json(&SpeechStarted {
        kind: "SpeechStarted",
        channel,
        timestamp: timestamp as f32,
    })
}

#[derive(Serialize)]
struct UtteranceEnd {
    #[serde(rename = "type")]
    kind: &'static str,
    channel: [u32; 2],
    last_word_end: f32,
}

/// Writes an `UtteranceEnd` message.
pub fn utterance_end(channel: [u32; 2], last_word_end: f64) -> String {
    to_json(&UtteranceEnd {
        kind: "UtteranceEnd",
        channel,
        last_word_end: last_word_end as f32,
    })
}

/// The terminal summary's variable part.
#[derive(Debug, Clone)]
pub struct MetadataSummary<'a> {
    /// The stream's request id.
    pub request_id: &'a str,
    /// Hex SHA-256 of the audio bytes, or `incomplete`.
    pub sha256: &'a str,
    /// Stream start, RFC 3339 with milliseconds and `Z`.
    pub created: &'a str,
    /// Seconds of audio received.
    pub duration: f64,
    /// Channels of the audio (0 when none arrived).
    pub channels: u32,
    /// The model, listed when audio was processed.
    pub model: Option<&'a ModelInfo>,
    /// `extra` pairs.
    pub extra: &'a [(String, String)],
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    transaction_key: &'static str,
    request_id: &'a str,
    sha256: &'a str,
    created: &'a str,
    duration: f32,
    channels: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    models: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_info: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Writes the terminal `Metadata` message.
pub fn metadata(m: &MetadataSummary<'_>) -> String {
    let model_info = m.model.map(|model| {
        let mut map = serde_json::Map::new();
        map.insert(
            model.uuid.clone(),
            serde_json::json!({"name": model.name, "version": model.version, "arch": model.arch}),
        );
        map
    });
    let extra = (!m.extra.is_empty()).then(|| {
        m.extra
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect()
    });
    to_json(&Metadata {
        kind: "Metadata",
        transaction_key: "deprecated",
        request_id: m.request_id,
        sha256: m.sha256,
        created: m.created,
        duration: m.duration as f32,
        channels: m.channels,
        models: m.model.map(|model| [model.uuid.as_str()]),
        model_info,
        extra,
    })
}

#[derive(Serialize)]
struct ErrorMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    variant: &'static str,
    description: &'a str,
    message: &'a str,
}

/// Writes the `Error` answer to a text message the server does not accept (the stream continues).
pub fn schema_error(description: &str, original: &str) -> String {
    to_json(&ErrorMessage {
        kind: "Error",
        variant: "SchemaError",
        description,
        message: original,
    })
}

#[derive(Serialize)]
struct ConfigureSuccess<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keyterms: Option<&'a [String]>,
}

/// Writes the `ConfigureSuccess` answer (2026-10 behaviour; keyterms echoed when the Configure had them).
pub fn configure_success(request_id: &str, keyterms: Option<&[String]>) -> String {
    to_json(&ConfigureSuccess {
        kind: "ConfigureSuccess",
        request_id,
        keyterms,
    })
}

#[derive(Serialize)]
struct ConfigureFailure<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    request_id: &'a str,
    code: &'a str,
    description: &'a str,
}

/// Writes the `ConfigureFailure` answer: `type` and `request_id` as Flux's (the v1 shape is not
/// published), plus this server's `code` and `description` saying what was wrong. The stream continues
/// with its previous settings.
pub fn configure_failure(request_id: &str, code: &str, description: &str) -> String {
    to_json(&ConfigureFailure {
        kind: "ConfigureFailure",
        request_id,
        code,
        description,
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
    use crate::model::listen_model;

    fn keys_in_order(json: &str) -> Vec<String> {
        // serde_json's preserve_order is off, so read the key order from the text itself.
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let obj = v.as_object().unwrap();
        let mut keys: Vec<(usize, String)> = obj
            .keys()
            .map(|k| (json.find(&format!("\"{k}\":")).unwrap(), k.clone()))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    fn ctx() -> ResultsContext {
        ResultsContext {
            request_id: "rid".into(),
            model: listen_model(Some("nova-3")),
            diarize: false,
            detect_entities: false,
            extra: vec![],
        }
    }

    #[test]
    fn results_key_order_matches_the_wire_captures() {
        let fixture = include_str!("../tests/fixtures/listen-loreline-nova3-paris-interim.json");
        let words = [WordJson {
            word: "one".into(),
            start: 0.5,
            end: 0.6,
            confidence: 0.99,
            speaker: None,
            punctuated_word: "one".into(),
        }];
        let json = results(
            &ctx(),
            &ResultsFrame {
                channel_index: [0, 1],
                start: 0.0,
                end: 1.0,
                is_final: true,
                speech_final: true,
                from_finalize: false,
                words: &words,
            },
        );
        assert_eq!(keys_in_order(&json), keys_in_order(fixture));
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["channel"]["alternatives"][0]["transcript"], "one");
        assert_eq!(v["metadata"]["model_info"]["name"], "general-nova-3");
        assert_eq!(v["duration"], 1.0);
        let word_keys: Vec<_> = {
            let w = serde_json::to_string(&words[0]).unwrap();
            keys_in_order(&w)
        };
        assert_eq!(
            word_keys,
            ["word", "start", "end", "confidence", "punctuated_word"]
        );
    }

    #[test]
    fn empty_results_have_zero_confidence() {
        let json = results(
            &ctx(),
            &ResultsFrame {
                channel_index: [1, 2],
                start: 1.0,
                end: 2.0,
                is_final: false,
                speech_final: false,
                from_finalize: false,
                words: &[],
            },
        );
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/listen-dgproxy-nova2-interim-empty-silence.json"
        ))
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["channel"], fixture["channel"]);
        assert_eq!(v["channel_index"], serde_json::json!([1, 2]));
    }

    #[test]
    fn metadata_matches_fixture_shapes() {
        let model = listen_model(Some("nova-3"));
        let with_audio = metadata(&MetadataSummary {
            request_id: "r",
            sha256: "incomplete",
            created: "2025-10-08T17:04:31.096Z",
            duration: 4.0799375,
            channels: 1,
            model: Some(&model),
            extra: &[],
        });
        let fixture = include_str!("../tests/fixtures/listen-readme-nova3-metadata-timeout.json");
        assert_eq!(keys_in_order(&with_audio), keys_in_order(fixture));
        let a: serde_json::Value = serde_json::from_str(&with_audio).unwrap();
        let f: serde_json::Value = serde_json::from_str(fixture).unwrap();
        assert_eq!(a["model_info"], f["model_info"]);
        assert_eq!(a["models"], f["models"]);
        let no_audio = metadata(&MetadataSummary {
            request_id: "r",
            sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            created: "2024-08-29T22:37:55.202Z",
            duration: 0.0,
            channels: 0,
            model: None,
            extra: &[],
        });
        let fixture =
            include_str!("../tests/fixtures/listen-issue-dotnet342-metadata-no-audio.json");
        assert_eq!(keys_in_order(&no_audio), keys_in_order(fixture));
    }

    #[test]
    fn small_messages() {
        assert_eq!(
            speech_started([0, 1], 9.54),
            r#"{"type":"SpeechStarted","channel":[0,1],"timestamp":9.54}"#
        );
        assert_eq!(
            utterance_end([0, 1], 8.8),
            r#"{"type":"UtteranceEnd","channel":[0,1],"last_word_end":8.8}"#
        );
        let e: serde_json::Value =
            serde_json::from_str(&schema_error("bad", "{\"type\":\"X\"}")).unwrap();
        assert_eq!(e["type"], "Error");
        assert_eq!(e["variant"], "SchemaError");
        assert_eq!(e["message"], "{\"type\":\"X\"}");
    }
}
