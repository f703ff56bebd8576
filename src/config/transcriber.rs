//! `Transcriber` options: `{baseUrl, auth, options, keepAliveMs, frameMs, closeTimeoutMs, finalizeTimeoutMs,
//! bufferHighWaterBytes, bufferCapBytes, worklet, microphone, captureStallMs, reconnect}`.

use serde::Deserialize;

use super::{check_keys, names, read, union, Bag, ConnectionOptions, Whole, WorkletSource};
use crate::audio::SampleFormat;
use crate::protocol::{
    checked, flag_or_checked, Auth, Endpoint, FlagOr, ListenConfig, ListenEncoding, ListenOptions,
    OptionBag, ReconnectPolicy,
};

/// Capture defaults when the app did not choose an encoding: what Deepgram's models are trained on.
pub const DEFAULT_CAPTURE_RATE: u32 = 16_000;

/// The capture watchdog's default: a warning after 2 s without captured audio.
pub const DEFAULT_CAPTURE_STALL_MS: u64 = 2000;

/// What the capture chain produces: the sample format, rate and channels sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureFormat {
    /// Sample format.
    pub format: SampleFormat,
    /// Sample rate, Hz.
    pub rate: u32,
    /// Channels.
    pub channels: u32,
}

/// The knobs a `Transcriber` and a `VoiceSession` share.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriberSettings {
    /// `keepAliveMs`: KeepAlive after this long without audio (0 = never).
    #[serde(default)]
    pub keep_alive_ms: Whole<0, 9000>,
    /// `frameMs`: captured audio per frame.
    #[serde(default)]
    pub frame_ms: Whole<10, 100>,
    /// `closeTimeoutMs`: how long to wait for the server's close.
    #[serde(default)]
    pub close_timeout_ms: Whole<100, 120_000>,
    /// `finalizeTimeoutMs`: how long to wait for a `from_finalize` result.
    #[serde(default)]
    pub finalize_timeout_ms: Whole<100, 120_000>,
    /// `bufferHighWaterBytes`: hold audio while the socket buffers more than this.
    #[serde(default)]
    pub buffer_high_water_bytes: Whole<1024, 1_073_741_824>,
    /// `bufferCapBytes`: drop the oldest held audio past this.
    #[serde(default)]
    pub buffer_cap_bytes: Whole<1024, 1_073_741_824>,
    /// `microphone`: `getUserMedia` constraints for `start({microphone: true})`.
    #[serde(default, deserialize_with = "flag_or_checked")]
    pub microphone: FlagOr<MicrophoneOptions>,
    /// `captureStallMs`: warn (`capture_stalled`) when capture delivers nothing for this long (0 = never).
    #[serde(default)]
    pub capture_stall_ms: Whole<0, 60_000>,
    /// `reconnect`: `false`, `true` or `{attempts, delayMs, replayMs}`.
    #[serde(default, deserialize_with = "flag_or_checked")]
    pub reconnect: FlagOr<ReconnectOptions>,
}

/// The keys only a `Transcriber` has.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriberOwn {
    /// `options`: Deepgram's listen options.
    #[serde(default, deserialize_with = "checked")]
    pub options: ListenOptions,
    /// `worklet`: `"file"`, `"blob"` or a URL of `capture-processor.js`.
    pub worklet: Option<String>,
}

/// `microphone: {deviceId, echoCancellation, noiseSuppression, autoGainControl}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MicrophoneOptions {
    /// A specific input device.
    pub device_id: Option<String>,
    /// Echo cancellation (default on).
    pub echo_cancellation: Option<bool>,
    /// Noise suppression (default on).
    pub noise_suppression: Option<bool>,
    /// Automatic gain control (default on).
    pub auto_gain_control: Option<bool>,
}

impl OptionBag for MicrophoneOptions {
    const NOUN: &'static str = "microphone";
}

/// `reconnect: {attempts, delayMs, replayMs}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconnectOptions {
    /// Attempts in a row before giving up.
    #[serde(default)]
    pub attempts: Whole<0, 100>,
    /// Wait before the first attempt (attempt `n` waits `n` times this).
    #[serde(default)]
    pub delay_ms: Whole<0, 60_000>,
    /// At most this much audio sent after the server's last final is kept to send again after a drop, ms
    /// (0 = replay only audio never sent).
    #[serde(default)]
    pub replay_ms: Whole<0, 300_000>,
}

impl OptionBag for ReconnectOptions {
    const NOUN: &'static str = "reconnect";
}

/// The audio-processing constraints for `getUserMedia`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Microphone {
    /// Echo cancellation.
    pub echo_cancellation: bool,
    /// Noise suppression.
    pub noise_suppression: bool,
    /// Automatic gain control.
    pub auto_gain_control: bool,
    /// A specific input device.
    pub device_id: Option<String>,
}

impl Microphone {
    /// The constraints of `m`, each on unless turned off.
    pub fn from_options(m: &MicrophoneOptions) -> Self {
        Self {
            echo_cancellation: m.echo_cancellation.unwrap_or(true),
            noise_suppression: m.noise_suppression.unwrap_or(true),
            auto_gain_control: m.auto_gain_control.unwrap_or(true),
            device_id: m.device_id.clone(),
        }
    }
}

impl Default for Microphone {
    fn default() -> Self {
        Self::from_options(&MicrophoneOptions::default())
    }
}

/// What a `Transcriber` runs with.
#[derive(Debug, Clone)]
pub struct TranscriberConfig {
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Credentials.
    pub auth: Auth,
    /// Deepgram's listen options (validated).
    pub options: ListenOptions,
    /// The session's timing and buffering.
    pub listen: ListenConfig,
    /// Captured audio per frame, ms.
    pub frame_ms: u32,
    /// How the capture worklet loads.
    pub worklet: WorkletSource,
    /// The default microphone constraints.
    pub microphone: Microphone,
    /// When to reconnect a dropped connection.
    pub reconnect: ReconnectPolicy,
    /// The capture watchdog's stall time, ms (0 = off).
    pub capture_stall_ms: u64,
}

impl TranscriberConfig {
    /// Prepares the options for captured audio, which is raw PCM: linear16 at 16 kHz mono unless the app chose an
    /// encoding (then its rate and channels); the byte rate follows. An encoding a microphone cannot produce is an
    /// error naming the ones it can.
    pub fn for_capture(&mut self) -> Result<CaptureFormat, String> {
        let o = &mut self.options;
        if o.encoding.is_none() {
            // Raw PCM from the microphone, at the app's sample_rate if it gave one without an encoding.
            o.encoding = Some(ListenEncoding::Linear16);
            o.sample_rate.get_or_insert(DEFAULT_CAPTURE_RATE);
        }
        let format = match o.encoding {
            Some(ListenEncoding::Linear32) => SampleFormat::Linear32,
            Some(ListenEncoding::Mulaw) => SampleFormat::Mulaw,
            Some(ListenEncoding::Alaw) => SampleFormat::Alaw,
            Some(ListenEncoding::Linear16) | None => SampleFormat::Linear16,
            Some(other) => {
                return Err(format!(
                    "Transcriber options.options.encoding: \"{}\" cannot be produced from a microphone: use \
                     linear16 (default), linear32, mulaw or alaw",
                    other.as_str()
                ))
            }
        };
        self.listen.audio_bytes_per_second = o.audio_bytes_per_second();
        self.listen.audio_block_align = o.audio_block_align();
        self.listen.audio_channels = o.channels.unwrap_or(1);
        Ok(CaptureFormat {
            format,
            rate: o.sample_rate.unwrap_or(DEFAULT_CAPTURE_RATE),
            channels: o.channels.unwrap_or(1),
        })
    }

    /// Reads a `Transcriber`'s option bag.
    pub fn read(bag: &impl Bag) -> Result<Self, String> {
        const PATH: &str = "Transcriber options";
        check_keys(
            bag,
            &union(&[
                names::<ConnectionOptions>(),
                names::<TranscriberSettings>(),
                names::<TranscriberOwn>(),
            ]),
            "Transcriber",
        )?;
        let connection = read(bag, PATH)?;
        let settings = read(bag, PATH)?;
        let own: TranscriberOwn = read(bag, PATH)?;
        let worklet = WorkletSource::parse(own.worklet.as_deref(), "capture-processor.js")
            .map_err(|e| [PATH, ".worklet: ", &e].concat())?;
        Self::from_parts(connection, settings, own.options, worklet, PATH, "options")
    }

    /// Builds the config from its parts (`path` names the bag in errors, `options_key` the listen options'
    /// key in it).
    pub(crate) fn from_parts(
        connection: ConnectionOptions,
        settings: TranscriberSettings,
        options: ListenOptions,
        worklet: WorkletSource,
        path: &str,
        options_key: &str,
    ) -> Result<Self, String> {
        let (endpoint, auth) = super::connection(connection, path)?;
        options
            .validate()
            .map_err(|e| e.message_at(&[path, ".", options_key].concat()))?;
        let defaults = ListenConfig::default();
        let listen = ListenConfig {
            keep_alive_ms: settings.keep_alive_ms.0.unwrap_or(defaults.keep_alive_ms),
            close_timeout_ms: settings
                .close_timeout_ms
                .0
                .unwrap_or(defaults.close_timeout_ms),
            finalize_timeout_ms: settings
                .finalize_timeout_ms
                .0
                .unwrap_or(defaults.finalize_timeout_ms),
            buffer_high_water_bytes: settings
                .buffer_high_water_bytes
                .0
                .map_or(defaults.buffer_high_water_bytes, |w| w as usize),
            buffer_cap_bytes: settings
                .buffer_cap_bytes
                .0
                .map_or(defaults.buffer_cap_bytes, |w| w as usize),
            audio_bytes_per_second: options.audio_bytes_per_second(),
            audio_block_align: options.audio_block_align(),
            audio_channels: options.channels.unwrap_or(1),
            replay_cap_ms: defaults.replay_cap_ms,
        };
        let defaults = ReconnectPolicy::default();
        let (reconnect, replay_cap_ms) = match settings.reconnect {
            FlagOr {
                flag: Some(false), ..
            } => (ReconnectPolicy::NEVER, 0),
            FlagOr { bag, .. } => {
                let bag = bag.unwrap_or_default();
                let policy = ReconnectPolicy {
                    attempts: bag.attempts.0.map_or(defaults.attempts, |w| w as u32),
                    delay_ms: bag.delay_ms.0.unwrap_or(defaults.delay_ms),
                };
                (policy, bag.replay_ms.0.unwrap_or(listen.replay_cap_ms))
            }
        };
        let listen = ListenConfig {
            replay_cap_ms,
            ..listen
        };
        Ok(Self {
            endpoint,
            auth,
            options,
            listen,
            frame_ms: settings.frame_ms.0.map_or(20, |w| w as u32),
            worklet,
            microphone: Microphone::from_options(&settings.microphone.bag.unwrap_or_default()),
            reconnect,
            capture_stall_ms: settings
                .capture_stall_ms
                .0
                .unwrap_or(DEFAULT_CAPTURE_STALL_MS),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::DEFAULT_REPLAY_CAP_MS;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<TranscriberConfig, String> {
        TranscriberConfig::read(&v)
    }

    #[test]
    fn replay_and_the_watchdog_follow_their_options() {
        let c =
            read(json!({"options": {"encoding": "linear16", "sample_rate": 16000, "channels": 2}}))
                .unwrap();
        assert_eq!(c.listen.replay_cap_ms, DEFAULT_REPLAY_CAP_MS);
        assert_eq!(c.listen.audio_block_align, Some(4));
        assert_eq!(c.listen.audio_channels, 2);
        assert_eq!(c.capture_stall_ms, DEFAULT_CAPTURE_STALL_MS);
        let c = read(json!({"reconnect": {"replayMs": 5000}, "captureStallMs": 0})).unwrap();
        assert_eq!((c.listen.replay_cap_ms, c.capture_stall_ms), (5000, 0));
        assert_eq!(
            read(json!({"reconnect": false}))
                .unwrap()
                .listen
                .replay_cap_ms,
            0
        );
        let c = read(json!({"options": {"encoding": "opus", "sample_rate": 48000}})).unwrap();
        assert_eq!(
            c.listen.audio_block_align, None,
            "compressed audio has no sample frames to cut at"
        );
        assert!(read(json!({"reconnect": {"replayMs": 300_001}}))
            .unwrap_err()
            .contains("replayMs"));
    }

    #[test]
    fn defaults_and_values() {
        let c = read(json!({})).unwrap();
        assert_eq!(c.listen, ListenConfig::default());
        assert_eq!(c.frame_ms, 20);
        assert_eq!(c.reconnect, ReconnectPolicy::default());
        assert_eq!(c.microphone, Microphone::default());
        assert_eq!(c.endpoint, Endpoint::default());
        let c = read(json!({
            "baseUrl": "ws://127.0.0.1:8080", "auth": {"apiKey": "k"},
            "options": {"model": "nova-3", "encoding": "linear16", "sample_rate": 16000},
            "keepAliveMs": 0, "frameMs": 40, "reconnect": {"attempts": 5}, "microphone": {"echoCancellation": false},
            "worklet": "blob",
        }))
        .unwrap();
        assert_eq!(c.endpoint.port(), Some(8080));
        assert_eq!(c.auth, Auth::ApiKey("k".into()));
        assert_eq!(c.listen.keep_alive_ms, 0);
        assert_eq!(c.listen.audio_bytes_per_second, Some(32_000));
        assert_eq!(c.frame_ms, 40);
        assert_eq!(c.reconnect.attempts, 5);
        assert!(!c.microphone.echo_cancellation && c.microphone.noise_suppression);
        assert_eq!(c.worklet, WorkletSource::Blob);
        assert_eq!(
            read(json!({"reconnect": false})).unwrap().reconnect,
            ReconnectPolicy::NEVER
        );
        assert_eq!(
            read(json!({"reconnect": true})).unwrap().reconnect,
            ReconnectPolicy::default()
        );
    }

    #[test]
    fn errors_name_the_bag_the_field_and_the_fix() {
        // The messages the app reads, pinned.
        let cases = [
            (
                json!({"keepAlive": 1000}),
                "Transcriber options: unknown Transcriber option \"keepAlive\": did you mean \"keepAliveMs\"?",
            ),
            (
                json!({"options": {"modle": "nova-3"}}),
                "Transcriber options.options: unknown listen option \"modle\": did you mean \"model\"? (use \
                 \"extra_query\" for parameters this version does not know)",
            ),
            (
                json!({"options": {"keyterm": ["a", 3], "model": "nova-3"}}),
                "Transcriber options.options.keyterm[1]: invalid type: integer `3`, expected a string",
            ),
            (
                json!({"options": {"redact": ["pii", "cardinal"]}}),
                "Transcriber options.options.redact[1]: \"cardinal\" is an entity type that detect_entities finds but \
                 redact cannot remove (Deepgram refuses it): use a group (pii, phi, pci, numbers) or another entity type",
            ),
            (
                json!({"frameMs": 5}),
                "Transcriber options.frameMs: invalid value: integer `5`, expected a whole number from 10 to 100",
            ),
            (
                json!({"reconnect": {"attempt": 2}}),
                "Transcriber options.reconnect: unknown reconnect option \"attempt\": did you mean \"attempts\"?",
            ),
            (
                json!({"reconnect": "yes"}),
                "Transcriber options.reconnect: invalid type: string \"yes\", expected true, false or the reconnect \
                 options as an object",
            ),
            (
                json!({"microphone": {"deviceID": "x"}}),
                "Transcriber options.microphone: unknown microphone option \"deviceID\": did you mean \"deviceId\"?",
            ),
            (
                json!({"baseUrl": "ftp://x"}),
                "Transcriber options.baseUrl: invalid baseUrl: the scheme must be wss, ws, https or http",
            ),
            (
                json!({"auth": {"apiKey": "a b"}}),
                "Transcriber options.auth: \"auth.apiKey\" contains characters a WebSocket subprotocol cannot carry \
                 (spaces, quotes, commas, non-ASCII...): check that the whole value was copied and nothing else",
            ),
            (
                json!({"worklet": "nope"}),
                "Transcriber options.worklet: \"nope\" is not \"file\", \"blob\" or a URL of capture-processor.js",
            ),
            (
                json!([1]),
                "Transcriber options: expected an object such as {\"key\": value}, not a list",
            ),
        ];
        for (bag, message) in cases {
            assert_eq!(read(bag.clone()).unwrap_err(), message, "{bag}");
        }
    }

    #[test]
    fn redact_groups_and_entity_types_reach_the_url() {
        let c = read(json!({"options": {"redact": ["pii", "name"]}})).unwrap();
        let url = c.options.to_url(&c.endpoint);
        assert!(url.ends_with("/v1/listen?redact=pii&redact=name"), "{url}");
    }

    #[test]
    fn capture_keeps_a_sample_rate_given_without_encoding() {
        let mut c = read(json!({"options": {"sample_rate": 48000}})).unwrap();
        assert_eq!(c.for_capture().unwrap().rate, 48_000);
        assert!(
            c.options.warnings().is_empty(),
            "capture sets the encoding: nothing is ignored"
        );
    }

    #[test]
    fn capture_fills_in_raw_pcm() {
        let mut c = read(json!({"options": {"model": "nova-3"}})).unwrap();
        let f = c.for_capture().unwrap();
        assert_eq!(
            f,
            CaptureFormat {
                format: SampleFormat::Linear16,
                rate: 16_000,
                channels: 1
            }
        );
        assert_eq!(c.listen.audio_bytes_per_second, Some(32_000));
        assert!(c
            .options
            .to_url(&c.endpoint)
            .contains("encoding=linear16&sample_rate=16000"));
        let mut c = read(json!({"options": {"encoding": "mulaw", "sample_rate": 8000}})).unwrap();
        assert_eq!(c.for_capture().unwrap().format, SampleFormat::Mulaw);
        let mut c = read(json!({"options": {"encoding": "opus", "sample_rate": 48000}})).unwrap();
        assert_eq!(
            c.for_capture().unwrap_err(),
            "Transcriber options.options.encoding: \"opus\" cannot be produced from a microphone: use linear16 \
             (default), linear32, mulaw or alaw"
        );
    }

    #[test]
    fn a_key_in_the_wrong_place_never_echoes_it() {
        let e = read(json!({"auth": "sk-secret-key"})).unwrap_err();
        assert!(!e.contains("sk-secret-key"), "{e}");
        assert!(
            e.starts_with("Transcriber options.auth: auth must be an object"),
            "{e}"
        );
    }
}
