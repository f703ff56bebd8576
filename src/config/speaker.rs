//! `Speaker` options: `{baseUrl, auth, options, playback, volume, preRollMs, clearFadeMs, bufferMs,
//! closeTimeoutMs, worklet, destination, audioContext}`.

use serde::{Deserialize, Deserializer};

use super::numbers::fraction;
use super::{check_keys, names, read, union, Bag, ConnectionOptions, Whole, WorkletSource};
use crate::protocol::{checked, Auth, Endpoint, SpeakConfig, SpeakOptions};

/// The knobs a `Speaker` and a `VoiceSession` share; `J` is the bag's browser-object value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerSettings<J> {
    /// `playback`: play the audio (default), or only emit `audio` events.
    pub playback: Option<bool>,
    /// `volume`: output gain.
    #[serde(default, deserialize_with = "volume")]
    pub volume: Option<f64>,
    /// `preRollMs`: audio buffered before a segment starts (and after an underrun).
    #[serde(default)]
    pub pre_roll_ms: Whole<0, 1000>,
    /// `clearFadeMs`: the fade on `clear()`.
    #[serde(default, deserialize_with = "clear_fade_ms")]
    pub clear_fade_ms: Option<f64>,
    /// `bufferMs`: the playback ring.
    #[serde(default)]
    pub buffer_ms: Whole<200, 60_000>,
    /// `closeTimeoutMs`: how long `close()` waits for the server.
    #[serde(default)]
    pub close_timeout_ms: Whole<100, 120_000>,
    /// `destination`: an `AudioNode` to play into instead of the speakers.
    pub destination: Option<J>,
}

fn volume<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    fraction(d, 0.0, 10.0)
}

fn clear_fade_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    fraction(d, 0.5, 10.0)
}

/// The keys only a `Speaker` has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeakerOwn<J> {
    /// `options`: Deepgram's speak options.
    #[serde(default, deserialize_with = "checked")]
    pub options: SpeakOptions,
    /// `worklet`: `"file"`, `"blob"` or a URL of `playback-processor.js`.
    pub worklet: Option<String>,
    /// `audioContext`: play in the app's context instead of creating one.
    pub audio_context: Option<J>,
}

/// The fade on `clear()` when none is given: long enough to avoid a click, short enough that the output is
/// silent within one browser render burst plus a few ms.
pub const DEFAULT_CLEAR_FADE_MS: f64 = 3.0;

/// What a `Speaker` runs with; `J` is the bag's browser-object value.
#[derive(Debug)]
pub struct SpeakerConfig<J> {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Credentials.
    pub auth: Auth,
    /// Deepgram's speak options (validated).
    pub options: SpeakOptions,
    /// The session's knobs.
    pub speak: SpeakConfig,
    /// Whether to play the audio.
    pub playback: bool,
    /// Output gain.
    pub volume: f32,
    /// Pre-roll, ms.
    pub pre_roll_ms: u32,
    /// Fade on `clear()`, ms.
    pub fade_ms: f64,
    /// The playback ring, ms.
    pub buffer_ms: u32,
    /// How the playback worklet loads.
    pub worklet: WorkletSource,
    /// Where to play (the speakers when `None`).
    pub destination: Option<J>,
    /// The app's AudioContext, if it gave one.
    pub audio_context: Option<J>,
}

impl<J: serde::de::DeserializeOwned> SpeakerConfig<J> {
    /// Reads a `Speaker`'s option bag.
    pub fn read<B: Bag<Object = J>>(bag: &B) -> Result<Self, String> {
        const PATH: &str = "Speaker options";
        check_keys(
            bag,
            &union(&[
                names::<ConnectionOptions>(),
                names::<SpeakerSettings<B::Object>>(),
                names::<SpeakerOwn<B::Object>>(),
            ]),
            "Speaker",
        )?;
        let connection = read(bag, PATH)?;
        let settings = read(bag, PATH)?;
        let own: SpeakerOwn<J> = read(bag, PATH)?;
        let worklet = WorkletSource::parse(own.worklet.as_deref(), "playback-processor.js")
            .map_err(|e| [PATH, ".worklet: ", &e].concat())?;
        Self::from_parts(
            connection,
            settings,
            own.options,
            worklet,
            own.audio_context,
            PATH,
            "options",
        )
    }

    /// Builds the config from its parts (`path` names the bag in errors, `options_key` the speak options' key).
    pub(crate) fn from_parts(
        connection: ConnectionOptions,
        settings: SpeakerSettings<J>,
        options: SpeakOptions,
        worklet: WorkletSource,
        audio_context: Option<J>,
        path: &str,
        options_key: &str,
    ) -> Result<Self, String> {
        let (endpoint, auth) = super::connection(connection, path)?;
        options
            .validate()
            .map_err(|e| e.message_at(&[path, ".", options_key].concat()))?;
        let pre_roll_ms = settings.pre_roll_ms.0.map_or(60, |w| w as u32);
        let buffer_ms = settings.buffer_ms.0.map_or(2000, |w| w as u32);
        if pre_roll_ms * 2 > buffer_ms {
            return Err(format!(
                "{path}.preRollMs: {pre_roll_ms} ms of pre-roll needs bufferMs of at least {} ms",
                pre_roll_ms * 2
            ));
        }
        let mut speak = SpeakConfig {
            encoding: options.effective_encoding(),
            ..SpeakConfig::default()
        };
        if let Some(w) = settings.close_timeout_ms.0 {
            speak.close_timeout_ms = w;
        }
        Ok(Self {
            endpoint,
            auth,
            options,
            speak,
            playback: settings.playback.unwrap_or(true),
            volume: settings.volume.unwrap_or(1.0) as f32,
            pre_roll_ms,
            fade_ms: settings.clear_fade_ms.unwrap_or(DEFAULT_CLEAR_FADE_MS),
            buffer_ms,
            worklet,
            destination: settings.destination,
            audio_context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::SpeakEncoding;
    use serde::de::IgnoredAny;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<SpeakerConfig<IgnoredAny>, String> {
        SpeakerConfig::read(&v)
    }

    #[test]
    fn defaults_and_values() {
        let c = read(json!({})).unwrap();
        assert!(c.playback);
        assert_eq!((c.volume, c.pre_roll_ms, c.buffer_ms), (1.0, 60, 2000));
        assert_eq!(c.fade_ms, DEFAULT_CLEAR_FADE_MS);
        let c = read(json!({
            "options": {"model": "aura-2-thalia-en", "encoding": "mulaw", "sample_rate": 8000},
            "volume": 0.5, "clearFadeMs": 1.5, "playback": false, "closeTimeoutMs": 1000,
            "audioContext": {}, "destination": {},
        }))
        .unwrap();
        assert_eq!(c.speak.encoding, SpeakEncoding::Mulaw);
        assert_eq!(c.speak.close_timeout_ms, 1000);
        assert_eq!((c.volume, c.fade_ms, c.playback), (0.5, 1.5, false));
        assert!(c.audio_context.is_some() && c.destination.is_some());
    }

    #[test]
    fn errors_name_the_bag_the_field_and_the_fix() {
        let cases = [
            (
                json!({"options": {"sampleRate": 8000}}),
                "Speaker options.options: unknown speak option \"sampleRate\": did you mean \"sample_rate\"? (use \
                 \"extra_query\" for parameters this version does not know)",
            ),
            (
                json!({"options": {"encoding": "mulaw", "sample_rate": 24000}}),
                "Speaker options.options: \"sample_rate\" is 24000, outside the rates mulaw supports (8000, 16000): \
                 use a value in that range",
            ),
            (
                json!({"options": {"encoding": "mp3"}}),
                "Speaker options.options.encoding: unknown variant `mp3`, expected one of `linear16`, `mulaw`, `alaw`",
            ),
            (
                json!({"volume": 11}),
                "Speaker options.volume: invalid value: integer `11`, expected a number from 0 to 10",
            ),
            (
                json!({"preRollMs": 600, "bufferMs": 1000}),
                "Speaker options.preRollMs: 600 ms of pre-roll needs bufferMs of at least 1200 ms",
            ),
            (
                json!({"volum": 1}),
                "Speaker options: unknown Speaker option \"volum\": did you mean \"volume\"?",
            ),
        ];
        for (bag, message) in cases {
            assert_eq!(read(bag.clone()).unwrap_err(), message, "{bag}");
        }
    }
}
