//! The option bags of the JavaScript classes, as the app writes them (`new Transcriber({baseUrl, auth, options,
//! keepAliveMs, ...})`), read with serde and turned into the typed configuration the classes run with.
//!
//! Owns each class option's name (a struct field, declared once, and mirrored by `pkg-template/index.d.ts`, which
//! a test holds to these structs), its accepted values, and the error the app sees for a bad one: the bag's path,
//! the field, what was wrong (`Transcriber options.frameMs: invalid value: integer `5`, expected a whole number
//! from 10 to 100`). A bag is read through [`Bag`], so the same code reads a JS object in the browser and a JSON
//! value in tests. It holds no browser objects itself: the `audioContext` and `destination` a bag may carry are
//! its `Bag::Object`, handed to the web layer as they are.

mod numbers;
mod speaker;
mod transcriber;
mod voice_session;

pub use numbers::Whole;
pub use speaker::{SpeakerConfig, SpeakerOwn, SpeakerSettings, DEFAULT_CLEAR_FADE_MS};
pub use transcriber::{
    CaptureFormat, Microphone, MicrophoneOptions, ReconnectOptions, TranscriberConfig,
    TranscriberOwn, TranscriberSettings, DEFAULT_CAPTURE_RATE,
};
pub use voice_session::{VoiceSessionConfig, VoiceSessionOwn};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::protocol::{check_names, field_names, Auth, Endpoint, OptionsError};

/// An option bag as the IO layer holds it: a JS object in the browser, a JSON value in tests.
pub trait Bag {
    /// The bag's own value for a field that holds a browser object (`audioContext`, `destination`).
    type Object: DeserializeOwned;
    /// The bag's keys, in order (`None` for `undefined`/`null`, an empty bag); an error when it is not a plain
    /// object.
    fn keys(&self) -> Result<Option<Vec<String>>, OptionsError>;
    /// The bag read as `T` (serde: each struct reads the fields it knows).
    fn read<T: DeserializeOwned>(&self) -> Result<T, OptionsError>;
}

/// `baseUrl` and `auth`, read the same way by every class.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionOptions {
    /// `baseUrl` (default: Deepgram's cloud).
    pub base_url: Option<String>,
    /// `auth`: `{apiKey}`, `{accessToken}` or `{}`.
    #[serde(default)]
    pub auth: Auth,
}

/// How a worklet module is loaded.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum WorkletSource {
    /// The package's own file, next to the glue code (default).
    #[default]
    File,
    /// A Blob URL made from the same source (needs `blob:` in the page's CSP).
    Blob,
    /// An app-provided URL (e.g. a bundler's `?url` import).
    Url(String),
}

impl WorkletSource {
    /// `worklet`: `"file"` (or unset), `"blob"`, or a URL of the processor module `file`.
    fn parse(worklet: Option<&str>, file: &str) -> Result<Self, String> {
        match worklet {
            None | Some("file") => Ok(Self::File),
            Some("blob") => Ok(Self::Blob),
            Some(u) if u.contains('/') || u.contains(':') => Ok(Self::Url(u.to_owned())),
            Some(other) => Err(format!(
                "\"{other}\" is not \"file\", \"blob\" or a URL of {file}"
            )),
        }
    }
}

/// The endpoint and credentials of a [`ConnectionOptions`].
fn connection(c: ConnectionOptions, path: &str) -> Result<(Endpoint, Auth), String> {
    let endpoint = Endpoint::parse(c.base_url.as_deref().unwrap_or("wss://api.deepgram.com"))
        .map_err(|e| [path, ".baseUrl: ", &e.to_string()].concat())?;
    Ok((endpoint, c.auth))
}

/// Checks the top-level keys of `bag` against the fields of the structs it is read as (`known`), for the class
/// `class` (the message says `unknown Transcriber option "keepAlive": did you mean "keepAliveMs"?`).
fn check_keys(bag: &impl Bag, known: &[&'static str], class: &'static str) -> Result<(), String> {
    let path = [class, " options"].concat();
    let keys = bag.keys().map_err(|e| e.message_at(&path))?;
    if let Some(keys) = keys {
        check_names(keys.iter().map(String::as_str), known, class)
            .map_err(|e| e.message_at(&path))?;
    }
    Ok(())
}

/// `bag` read as `T`, errors under `path`.
fn read<T: DeserializeOwned>(bag: &impl Bag, path: &str) -> Result<T, String> {
    bag.read().map_err(|e| e.message_at(path))
}

/// Every field name of the structs, once (a VoiceSession's bag is read as several).
fn union(parts: &[&'static [&'static str]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in parts.iter().flat_map(|p| p.iter()) {
        if !out.contains(name) {
            out.push(name);
        }
    }
    out
}

/// The names of `T`'s fields (for the declaration test and the key checks).
pub fn names<T: DeserializeOwned>() -> &'static [&'static str] {
    field_names::<T>()
}

#[cfg(test)]
pub(crate) mod test_bag {
    //! The native [`Bag`]: a serde_json value.

    use super::Bag;
    use crate::protocol::{read_bag, OptionsError};
    use serde::de::{DeserializeOwned, IgnoredAny};

    impl Bag for serde_json::Value {
        type Object = IgnoredAny;

        fn keys(&self) -> Result<Option<Vec<String>>, OptionsError> {
            match self {
                serde_json::Value::Null => Ok(None),
                serde_json::Value::Object(m) => Ok(Some(m.keys().cloned().collect())),
                serde_json::Value::Array(_) => Err(OptionsError::NotAnObject { given: "a list" }),
                _ => Err(OptionsError::NotAnObject { given: "a value" }),
            }
        }

        fn read<T: DeserializeOwned>(&self) -> Result<T, OptionsError> {
            if self.is_null() {
                return read_bag(serde_json::json!({}));
            }
            read_bag(self)
        }
    }
}
