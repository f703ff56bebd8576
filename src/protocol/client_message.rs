//! Client → server control messages of both endpoints and their exact JSON text.
//!
//! Owns the wire text of each message (and JSON string escaping for `Speak`). It does not decide when a message
//! may be sent; the sessions do.

use super::json::push_string;

/// A JSON control message (always sent as a text frame; audio goes as binary frames, not through this type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    /// Listen: `{"type":"KeepAlive"}`.
    KeepAlive,
    /// Listen: `{"type":"Finalize"}`, or `{"type":"Finalize","channel":N}` for one channel.
    Finalize {
        /// Only this channel, when set.
        channel: Option<u32>,
    },
    /// Listen: `{"type":"CloseStream"}`.
    CloseStream,
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
    /// The exact text frame.
    pub fn to_json(&self) -> String {
        match self {
            Self::KeepAlive => r#"{"type":"KeepAlive"}"#.to_owned(),
            Self::Finalize { channel: None } => r#"{"type":"Finalize"}"#.to_owned(),
            Self::Finalize { channel: Some(n) } => {
                format!(r#"{{"type":"Finalize","channel":{n}}}"#)
            }
            Self::CloseStream => r#"{"type":"CloseStream"}"#.to_owned(),
            Self::Speak { text } => {
                let mut out = String::with_capacity(text.len() + 28);
                out.push_str(r#"{"type":"Speak","text":"#);
                push_string(text, &mut out);
                out.push('}');
                out
            }
            Self::Flush => r#"{"type":"Flush"}"#.to_owned(),
            Self::Clear => r#"{"type":"Clear"}"#.to_owned(),
            Self::Close => r#"{"type":"Close"}"#.to_owned(),
        }
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

    #[test]
    fn exact_texts() {
        assert_eq!(
            ClientMessage::KeepAlive.to_json(),
            r#"{"type":"KeepAlive"}"#
        );
        assert_eq!(
            ClientMessage::Finalize { channel: None }.to_json(),
            r#"{"type":"Finalize"}"#
        );
        assert_eq!(
            ClientMessage::Finalize { channel: Some(1) }.to_json(),
            r#"{"type":"Finalize","channel":1}"#
        );
        assert_eq!(
            ClientMessage::CloseStream.to_json(),
            r#"{"type":"CloseStream"}"#
        );
        assert_eq!(ClientMessage::Flush.to_json(), r#"{"type":"Flush"}"#);
        assert_eq!(ClientMessage::Clear.to_json(), r#"{"type":"Clear"}"#);
        assert_eq!(ClientMessage::Close.to_json(), r#"{"type":"Close"}"#);
        assert_eq!(
            ClientMessage::Speak {
                text: "Hello.".into()
            }
            .to_json(),
            r#"{"type":"Speak","text":"Hello."}"#
        );
    }

    #[test]
    fn speak_text_is_escaped() {
        let text = "say \"hi\"\\ now\nnext\ttab\u{1}é😀";
        let json = ClientMessage::Speak { text: text.into() }.to_json();
        assert_eq!(
            json,
            r#"{"type":"Speak","text":"say \"hi\"\\ now\nnext\ttab\u0001é😀"}"#
        );
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn speak_round_trips_through_a_json_parser(text in ".*") {
                let json = ClientMessage::Speak { text: text.clone() }.to_json();
                let v = crate::protocol::json::parse(&json).unwrap();
                prop_assert_eq!(v["type"].as_str(), Some("Speak"));
                prop_assert_eq!(v["text"].as_str(), Some(text.as_str()));
            }
        }
    }
}
