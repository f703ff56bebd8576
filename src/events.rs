//! The vocabulary of the JavaScript surface: the events each class emits (one table, used by `on`/`off`, the
//! dispatch, the declarations' check and the tests) and the stable `kind` of its errors.
//!
//! Owns names only; what an event carries is built where it happens.

/// An event a class emits, by its JavaScript name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `open`: a connection opened.
    Open,
    /// `close`: a connection closed (`{code, reason, wasClean, explanation}`).
    Close,
    /// `error`: `{kind, message}`.
    Error,
    /// `warning`: `{code, message}`.
    Warning,
    /// `metadata`: the server's `Metadata`.
    Metadata,
    /// `unhandled`: a server message of a type this version does not know.
    Unhandled,
    /// `reconnecting`: a dropped connection is being replaced.
    Reconnecting,
    /// `reconnected`: the replacement opened.
    Reconnected,
    /// `transcript`: a `Results` message.
    Transcript,
    /// `utteranceEnd`.
    UtteranceEnd,
    /// `speechStarted`.
    SpeechStarted,
    /// `level`: the microphone's level.
    Level,
    /// `configureSuccess`: a `configure()` took effect (the server's `ConfigureSuccess`).
    ConfigureSuccess,
    /// `configureFailure`: a `configure()` was refused (the server's `ConfigureFailure`).
    ConfigureFailure,
    /// `audio`: text-to-speech audio as received.
    Audio,
    /// `flushed`.
    Flushed,
    /// `cleared`: a `clear()`, with what was heard.
    Cleared,
    /// `playbackStart`: a segment's first sample played.
    PlaybackStart,
    /// `playbackEnd`: a segment's last sample played.
    PlaybackEnd,
}

impl Event {
    /// Every event, in the order the documentation lists them.
    pub const ALL: [Event; 19] = [
        Self::Open,
        Self::Close,
        Self::Error,
        Self::Warning,
        Self::Metadata,
        Self::Unhandled,
        Self::Reconnecting,
        Self::Reconnected,
        Self::Transcript,
        Self::UtteranceEnd,
        Self::SpeechStarted,
        Self::Level,
        Self::ConfigureSuccess,
        Self::ConfigureFailure,
        Self::Audio,
        Self::Flushed,
        Self::Cleared,
        Self::PlaybackStart,
        Self::PlaybackEnd,
    ];

    /// The JavaScript name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Close => "close",
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Metadata => "metadata",
            Self::Unhandled => "unhandled",
            Self::Reconnecting => "reconnecting",
            Self::Reconnected => "reconnected",
            Self::Transcript => "transcript",
            Self::UtteranceEnd => "utteranceEnd",
            Self::SpeechStarted => "speechStarted",
            Self::Level => "level",
            Self::ConfigureSuccess => "configureSuccess",
            Self::ConfigureFailure => "configureFailure",
            Self::Audio => "audio",
            Self::Flushed => "flushed",
            Self::Cleared => "cleared",
            Self::PlaybackStart => "playbackStart",
            Self::PlaybackEnd => "playbackEnd",
        }
    }

    /// The event of `name` among `events`; the error lists the valid names.
    pub fn find(name: &str, events: &[Event], class: &str) -> Result<Event, String> {
        events
            .iter()
            .copied()
            .find(|e| e.name() == name)
            .ok_or_else(|| {
                let valid: Vec<&str> = events.iter().map(|e| e.name()).collect();
                format!(
                    "{class}.on/off: unknown event \"{name}\": use one of {}",
                    valid.join(", ")
                )
            })
    }
}

/// The events of a `Transcriber`.
pub const TRANSCRIBER_EVENTS: &[Event] = &[
    Event::Open,
    Event::Close,
    Event::Error,
    Event::Warning,
    Event::Metadata,
    Event::Unhandled,
    Event::Reconnecting,
    Event::Reconnected,
    Event::Transcript,
    Event::UtteranceEnd,
    Event::SpeechStarted,
    Event::Level,
    Event::ConfigureSuccess,
    Event::ConfigureFailure,
];

/// The events of a `Speaker`.
pub const SPEAKER_EVENTS: &[Event] = &[
    Event::Open,
    Event::Close,
    Event::Error,
    Event::Warning,
    Event::Metadata,
    Event::Unhandled,
    Event::Reconnecting,
    Event::Reconnected,
    Event::Audio,
    Event::Flushed,
    Event::Cleared,
    Event::PlaybackStart,
    Event::PlaybackEnd,
];

/// The events of a `VoiceSession`: those of both halves (handlers get `"listen"` or `"speak"` as a second
/// argument).
pub const VOICE_SESSION_EVENTS: &[Event] = &Event::ALL;

/// The stable `kind` of the errors the classes throw and emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad option bag (thrown synchronously by a constructor, or by `start(source)`).
    Options,
    /// A method's argument of the wrong type or outside what it accepts (thrown synchronously).
    Argument,
    /// A method called in a state that does not allow it (before `start()`, after `close()` or `free()`).
    State,
    /// The server refused the WebSocket handshake (credentials, options, server down).
    Handshake,
    /// A frame the client could not understand.
    Protocol,
    /// An `Error` message from the server (the stream continues).
    Server,
    /// The connection failed or dropped.
    Network,
    /// Microphone or AudioContext trouble.
    Audio,
}

impl ErrorKind {
    /// The string apps see in `error.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Options => "options",
            Self::Argument => "argument",
            Self::State => "state",
            Self::Handshake => "handshake",
            Self::Protocol => "protocol",
            Self::Server => "server",
            Self::Network => "network",
            Self::Audio => "audio",
        }
    }

    /// The `error` event a connection's close comes with, if any: a refused handshake or a drop; nothing for a
    /// normal close.
    pub fn of_close(kind: crate::protocol::CloseKind) -> Option<Self> {
        use crate::protocol::CloseKind;
        match kind {
            CloseKind::Normal => None,
            CloseKind::HandshakeRefused => Some(Self::Handshake),
            _ => Some(Self::Network),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_belongs_to_a_class_and_names_are_unique() {
        for e in Event::ALL {
            assert!(
                TRANSCRIBER_EVENTS.contains(&e) || SPEAKER_EVENTS.contains(&e),
                "{e:?}"
            );
            assert_eq!(
                Event::ALL.iter().filter(|o| o.name() == e.name()).count(),
                1
            );
        }
        assert_eq!(
            Event::find("transcript", TRANSCRIBER_EVENTS, "Transcriber"),
            Ok(Event::Transcript)
        );
        assert_eq!(
            Event::find("cleared", TRANSCRIBER_EVENTS, "Transcriber").unwrap_err(),
            "Transcriber.on/off: unknown event \"cleared\": use one of open, close, error, warning, metadata, \
             unhandled, reconnecting, reconnected, transcript, utteranceEnd, speechStarted, level, configureSuccess, \
             configureFailure"
        );
    }
}
