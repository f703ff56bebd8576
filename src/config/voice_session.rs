//! `VoiceSession` options: those of `Transcriber` and `Speaker` (their settings apply to its two halves), plus
//! `{listen, speak, bargeIn, audioContext, worklet}`.

use serde::Deserialize;

use super::speaker::{SpeakerConfig, SpeakerSettings};
use super::transcriber::{TranscriberConfig, TranscriberSettings};
use super::{check_keys, names, read, union, Bag, ConnectionOptions, WorkletSource};
use crate::protocol::{checked, ListenOptions, SpeakOptions};

/// The keys only a `VoiceSession` has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceSessionOwn<J> {
    /// `listen`: Deepgram's listen options.
    #[serde(default, deserialize_with = "checked")]
    pub listen: ListenOptions,
    /// `speak`: Deepgram's speak options.
    #[serde(default, deserialize_with = "checked")]
    pub speak: SpeakOptions,
    /// `bargeIn`: user speech clears playback (default true).
    pub barge_in: Option<bool>,
    /// `audioContext`: use the app's context instead of creating one.
    pub audio_context: Option<J>,
    /// `worklet`: `"file"` or `"blob"`, for both worklets.
    pub worklet: Option<String>,
}

/// What a `VoiceSession` runs with.
#[derive(Debug)]
pub struct VoiceSessionConfig<J> {
    /// The listen half.
    pub transcriber: TranscriberConfig,
    /// The speak half.
    pub speaker: SpeakerConfig<J>,
    /// Whether user speech clears playback.
    pub barge_in: bool,
}

impl<J: serde::de::DeserializeOwned> VoiceSessionConfig<J> {
    /// Reads a `VoiceSession`'s option bag.
    pub fn read<B: Bag<Object = J>>(bag: &B) -> Result<Self, String> {
        const PATH: &str = "VoiceSession options";
        check_keys(
            bag,
            &union(&[
                names::<ConnectionOptions>(),
                names::<TranscriberSettings>(),
                names::<SpeakerSettings<B::Object>>(),
                names::<VoiceSessionOwn<B::Object>>(),
            ]),
            "VoiceSession",
        )?;
        let listen_connection: ConnectionOptions = read(bag, PATH)?;
        let speak_connection: ConnectionOptions = read(bag, PATH)?;
        let transcriber: TranscriberSettings = read(bag, PATH)?;
        let speaker: SpeakerSettings<J> = read(bag, PATH)?;
        let own: VoiceSessionOwn<J> = read(bag, PATH)?;
        // One worklet setting for two files: a URL can only name one of them.
        let worklet = match WorkletSource::parse(own.worklet.as_deref(), "the worklets") {
            Ok(WorkletSource::Url(_)) => Err(
                "a URL names one worklet file and a VoiceSession loads two: use \"file\" or \"blob\" (or give each \
                 half its own with a Transcriber and a Speaker)"
                    .to_owned(),
            ),
            other => other,
        }
        .map_err(|e| [PATH, ".worklet: ", &e].concat())?;
        Ok(Self {
            transcriber: TranscriberConfig::from_parts(
                listen_connection,
                transcriber,
                own.listen,
                worklet.clone(),
                PATH,
                "listen",
            )?,
            speaker: SpeakerConfig::from_parts(
                speak_connection,
                speaker,
                own.speak,
                worklet,
                own.audio_context,
                PATH,
                "speak",
            )?,
            barge_in: own.barge_in.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<VoiceSessionConfig<IgnoredAny>, String> {
        VoiceSessionConfig::read(&v)
    }

    #[test]
    fn both_halves_share_the_connection_and_their_settings() {
        let c = read(json!({
            "baseUrl": "ws://127.0.0.1:9", "auth": {"accessToken": "a.b.c"},
            "listen": {"model": "nova-3"}, "speak": {"model": "aura-2-thalia-en"},
            "closeTimeoutMs": 700, "bargeIn": false, "worklet": "blob",
        }))
        .unwrap();
        assert_eq!(c.transcriber.endpoint, c.speaker.endpoint);
        assert_eq!(c.transcriber.auth, c.speaker.auth);
        assert_eq!(c.transcriber.listen.close_timeout_ms, 700);
        assert_eq!(c.speaker.speak.close_timeout_ms, 700);
        assert!(!c.barge_in);
        assert_eq!(c.speaker.worklet, WorkletSource::Blob);
    }

    #[test]
    fn errors_name_the_half() {
        let cases = [
            (
                json!({"listen": {"modle": "x"}}),
                "VoiceSession options.listen: unknown listen option \"modle\": did you mean \"model\"? (use \
                 \"extra_query\" for parameters this version does not know)",
            ),
            (
                json!({"speak": {"speed": 3}}),
                "VoiceSession options.speak: \"speed\" is 3, outside 0.7..=1.5: use a value in that range",
            ),
            (
                json!({"options": {}}),
                "VoiceSession options: unknown VoiceSession option \"options\"",
            ),
            (
                json!({"worklet": "/w.js"}),
                "VoiceSession options.worklet: a URL names one worklet file and a VoiceSession loads two: use \
                 \"file\" or \"blob\" (or give each half its own with a Transcriber and a Speaker)",
            ),
        ];
        for (bag, message) in cases {
            assert_eq!(read(bag.clone()).unwrap_err(), message, "{bag}");
        }
    }
}
