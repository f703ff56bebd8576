//! The listen `Configure` message: new keyterms and formatting features for an open `/v1/listen` stream
//! (docs/configure). Deepgram answers each one with exactly one `ConfigureSuccess` or `ConfigureFailure`.
//!
//! Owns the update's shape and its checks. It does not match answers to requests (the JS layer keeps the order).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::options::{checked, keyterm_tokens, OptionBag, MAX_KEYTERM_TOKENS};

/// Formatting features `Configure` turns on or off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ConfigureFeatures {
    /// `numerals`: digits instead of number words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerals: Option<bool>,
}

impl OptionBag for ConfigureFeatures {
    const NOUN: &'static str = "features";
}

impl ConfigureFeatures {
    /// Nothing to turn on or off (not sent).
    pub fn is_empty(&self) -> bool {
        self.numerals.is_none()
    }
}

/// `keyterms`: a list of strings, or `null` / absent to keep the stream's keyterms.
fn keyterm_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings (or null to keep the stream's keyterms)")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(term) = seq.next_element::<String>()? {
                out.push(term);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V)
}

/// One `Configure`: `keyterms` replaces the stream's keyterms (`[]` clears them; absent or `null` keeps them),
/// `features` turns features on or off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ConfigureUpdate {
    /// The keyterms now in effect (nova-3 models only).
    #[serde(
        default,
        deserialize_with = "keyterm_list",
        skip_serializing_if = "Option::is_none"
    )]
    pub keyterms: Option<Vec<String>>,
    /// Features to turn on or off.
    #[serde(
        default,
        deserialize_with = "checked",
        skip_serializing_if = "ConfigureFeatures::is_empty"
    )]
    pub features: ConfigureFeatures,
}

impl ConfigureUpdate {
    /// Checks what Deepgram would refuse, or worse: over 500 keyterm tokens Deepgram stops transcribing without
    /// an answer and closes the stream about 30 s later, so that is refused here. `model` is the stream's.
    pub fn validate(&self, model: Option<&str>) -> Result<(), String> {
        let Some(keyterms) = &self.keyterms else {
            return Ok(());
        };
        if let Some(i) = keyterms.iter().position(|k| k.trim().is_empty()) {
            return Err(format!("keyterms[{i}] is empty: give a term or remove it"));
        }
        let tokens = keyterm_tokens(keyterms);
        if tokens > MAX_KEYTERM_TOKENS {
            return Err(format!(
                "keyterms has {tokens} tokens, over Deepgram's {MAX_KEYTERM_TOKENS} (the stream would stop \
                 transcribing, unanswered, and close): send fewer terms"
            ));
        }
        let nova3 = model.is_some_and(|m| m == "nova-3" || m.starts_with("nova-3-"));
        if !keyterms.is_empty() && !nova3 {
            return Err(format!(
                "keyterms work with nova-3 models only, and this stream's model is {}: start the stream with a \
                 nova-3 model, or send only features",
                model.unwrap_or("not set")
            ));
        }
        Ok(())
    }

    /// About the bytes of its JSON text (for the send-buffer accounting).
    pub fn wire_len(&self) -> usize {
        let terms: usize = self.keyterms.iter().flatten().map(|k| k.len() + 3).sum();
        22 + self.keyterms.as_ref().map_or(0, |_| 14 + terms)
            + if self.features.is_empty() { 0 } else { 32 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ClientMessage;

    fn update(v: serde_json::Value) -> ConfigureUpdate {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_message_is_deepgrams_shape() {
        let m = ClientMessage::Configure(update(serde_json::json!({
            "keyterms": ["Deepgram", "customer service"], "features": {"numerals": true}
        })));
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(
            text,
            r#"{"type":"Configure","keyterms":["Deepgram","customer service"],"features":{"numerals":true}}"#
        );
        assert!(
            m.wire_len() >= text.len() - 8,
            "{} vs {}",
            m.wire_len(),
            text.len()
        );
        let bare =
            serde_json::to_string(&ClientMessage::Configure(ConfigureUpdate::default())).unwrap();
        assert_eq!(bare, r#"{"type":"Configure"}"#);
        let clear = ClientMessage::Configure(update(serde_json::json!({"keyterms": []})));
        assert_eq!(
            serde_json::to_string(&clear).unwrap(),
            r#"{"type":"Configure","keyterms":[]}"#
        );
    }

    #[test]
    fn what_deepgram_would_refuse_is_refused_first() {
        let ok = update(serde_json::json!({"keyterms": vec!["two words"; 250]}));
        assert!(ok.validate(Some("nova-3")).is_ok());
        let over = update(serde_json::json!({"keyterms": vec!["two words"; 251]}));
        assert!(over
            .validate(Some("nova-3"))
            .unwrap_err()
            .contains("502 tokens"));
        let e = update(serde_json::json!({"keyterms": ["x"]}))
            .validate(Some("nova-2"))
            .unwrap_err();
        assert!(
            e.contains("nova-3 models only") && e.contains("nova-2"),
            "{e}"
        );
        let features_only = update(serde_json::json!({"features": {"numerals": false}}));
        assert!(features_only.validate(Some("nova-2")).is_ok());
        assert!(
            update(serde_json::json!({"keyterms": []}))
                .validate(None)
                .is_ok(),
            "clearing is always fine"
        );
        let e = update(serde_json::json!({"keyterms": ["a", " "]}))
            .validate(Some("nova-3"))
            .unwrap_err();
        assert!(e.starts_with("keyterms[1] is empty"), "{e}");
        let e = serde_json::from_value::<ConfigureUpdate>(
            serde_json::json!({"features": {"numeral": true}}),
        );
        assert!(e.unwrap_err().to_string().contains("numerals"));
    }
}
