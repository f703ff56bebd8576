//! Client → server control messages of both endpoints, as serializable values.
//!
//! Owns each message's shape (`{"type":"KeepAlive"}`, `{"type":"Speak","text":"..."}`...). The wire text is made
//! by a JSON serializer at the edge (the browser's `JSON.stringify` in the library, serde_json in tests), so no
//! text is escaped by hand. It does not decide when a message may be sent; the sessions do.

use serde::Serialize;

/// A JSON control message (always sent as a text frame; audio goes as binary frames, not through this type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum ClientMessage {
    /// Listen: `{"type":"KeepAlive"}`.
    KeepAlive,
    /// Listen: `{"type":"Finalize"}`, or `{"type":"Finalize","channel":N}` for one channel.
    Finalize {
        /// Only this channel, when set.
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<u32>,
    },
    /// Listen: `{"type":"CloseStream"}`.
    CloseStream,
    /// Listen: new keyterms and features for the open stream (answered by `ConfigureSuccess` / `ConfigureFailure`).
    Configure(super::configure::ConfigureUpdate),
    /// Speak: `{"type":"Speak","text":"..."}`.
    Speak {
        /// Text to synthesize.
        text: String,
    },
    /// Speak: `{"type":"Flush"}`.
    Flush,
    /// Speak: `{"type":"Clear"}`.
    Clear,
    /// Speak: `{"type":"Close"}`.
    Close,
}

impl ClientMessage {
    /// About how many bytes the message takes on the wire (for send-buffer accounting; exact for all but `Speak`,
    /// where escapes may add a few).
    pub fn wire_len(&self) -> usize {
        match self {
            Self::KeepAlive => 20,
            Self::Finalize { channel: None } => 19,
            Self::Finalize { channel: Some(_) } => 32,
            Self::CloseStream => 22,
            Self::Configure(update) => update.wire_len(),
            Self::Speak { text } => text.len() + 26,
            Self::Flush => 16,
            Self::Clear => 16,
            Self::Close => 16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(m: &ClientMessage) -> String {
        serde_json::to_string(m).unwrap()
    }

    #[test]
    fn exact_texts() {
        let cases = [
            (ClientMessage::KeepAlive, r#"{"type":"KeepAlive"}"#),
            (
                ClientMessage::Finalize { channel: None },
                r#"{"type":"Finalize"}"#,
            ),
            (
                ClientMessage::Finalize { channel: Some(1) },
                r#"{"type":"Finalize","channel":1}"#,
            ),
            (ClientMessage::CloseStream, r#"{"type":"CloseStream"}"#),
            (ClientMessage::Flush, r#"{"type":"Flush"}"#),
            (ClientMessage::Clear, r#"{"type":"Clear"}"#),
            (ClientMessage::Close, r#"{"type":"Close"}"#),
            (
                ClientMessage::Speak {
                    text: "Hello.".into(),
                },
                r#"{"type":"Speak","text":"Hello."}"#,
            ),
        ];
        for (m, want) in cases {
            assert_eq!(text(&m), want);
            if !matches!(m, ClientMessage::Finalize { channel: Some(_) }) {
                assert_eq!(m.wire_len(), want.len(), "{want}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn speak_round_trips_through_a_json_parser(text in ".*") {
                let json = serde_json::to_string(&ClientMessage::Speak { text: text.clone() }).unwrap();
                let v: serde_json::Value = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(v["type"].as_str(), Some("Speak"));
                prop_assert_eq!(v["text"].as_str(), Some(text.as_str()));
            }
        }
    }
}
