//! Why a connection closed, as a typed explanation the app can show: close code + reason text + whether the
//! socket had opened → [`CloseKind`].
//!
//! Owns recognizing Deepgram's close reasons, which arrive either as bare codes (`DATA-0000`, `NET-0001`) or as
//! long sentences with a `dpgr.am/net0001` link (LISTEN-NOTES §6). It does not decide whether to reconnect.

/// What a close means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseKind {
    /// 1000: a normal end (after `CloseStream`/`Close`, or a close the client asked for).
    Normal,
    /// 1008 / `DATA-0000`: the audio could not be decoded.
    DataError,
    /// 1011 `NET-0000`: the server produced no response in time.
    NoResponseTimeout,
    /// 1011 `NET-0001`: no audio or KeepAlive for about 10 s.
    IdleTimeout,
    /// The socket closed before it ever opened (1006): the handshake was refused or the server is unreachable.
    HandshakeRefused,
    /// 1006 after the socket opened: the connection dropped without a close frame.
    Abnormal,
    /// Anything else: see the code and reason.
    Other,
    /// Speak, 1003 `MESSAGE-0000`: a message of a type the speak endpoint does not take (a binary frame).
    SpeakUnsupportedMessage,
    /// Speak, 1008 `DATA-0000`: a text message that is not a valid command.
    SpeakInvalidCommand,
    /// Speak, 1008 `DATA-0001`: more characters than the time window allows (2,400 a minute).
    SpeakCharacterLimit,
    /// Speak, 1009 `BIG-0000` / `BIG-0001`: a message, or its text, too large.
    SpeakTooLarge,
    /// Speak, 1011 `NET-0000`: an internal error of the server.
    SpeakServerError,
    /// Speak, 1011 `NET-0001`: the server did not receive a message from the client in time.
    SpeakReceiveTimeout,
    /// Speak, 1011 `NET-0002`: the server could not send.
    SpeakSendFailed,
    /// Speak, 1011 `NET-0003`: the connection's time limit (60 minutes).
    SpeakTimeLimit,
}

/// `haystack.to_ascii_lowercase().contains(needle)` for a lowercase `needle`, by bytes and without the lowercased
/// copy: `str::contains` with a string pattern links core's two-way searcher and its panic formatting into the
/// wasm (about 7 KB), for a few short reasons read once per close.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len().max(1))
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

impl CloseKind {
    /// Classifies a close. `opened`: the socket had opened; `client_initiated`: this side asked to close.
    pub fn classify(code: u16, reason: &str, opened: bool, client_initiated: bool) -> Self {
        let has = |needle: &str| contains_ignore_case(reason, needle);
        if has("data-0000") || has("data0000") {
            return Self::DataError;
        }
        if has("net-0001") || has("net0001") || has("did not receive audio data") {
            return Self::IdleTimeout;
        }
        if has("net-0000") || has("net0000") || has("did not provide a response") {
            return Self::NoResponseTimeout;
        }
        match code {
            1000 => Self::Normal,
            1008 => Self::DataError,
            // A browser reports 1005/1006 for a close it started itself before the server's frame arrived.
            1005 | 1006 if client_initiated => Self::Normal,
            _ if !opened && client_initiated => Self::Normal,
            _ if !opened => Self::HandshakeRefused,
            1006 => Self::Abnormal,
            _ => Self::Other,
        }
    }

    /// Classifies a `/v1/speak` close: its reasons are Deepgram's text-to-speech table
    /// (docs/tts-troubleshooting-websocket-net-and-data-errors), not the listen one.
    pub fn classify_speak(code: u16, reason: &str, opened: bool, client_initiated: bool) -> Self {
        let has = |id: &str| {
            contains_ignore_case(reason, id) || contains_ignore_case(reason, &id.replace('-', ""))
        };
        const TABLE: [(&str, CloseKind); 9] = [
            ("message-0000", CloseKind::SpeakUnsupportedMessage),
            ("data-0001", CloseKind::SpeakCharacterLimit),
            ("data-0000", CloseKind::SpeakInvalidCommand),
            ("big-0000", CloseKind::SpeakTooLarge),
            ("big-0001", CloseKind::SpeakTooLarge),
            ("net-0000", CloseKind::SpeakServerError),
            ("net-0001", CloseKind::SpeakReceiveTimeout),
            ("net-0002", CloseKind::SpeakSendFailed),
            ("net-0003", CloseKind::SpeakTimeLimit),
        ];
        if let Some((_, kind)) = TABLE.iter().find(|(id, _)| has(id)) {
            return *kind;
        }
        match code {
            1003 if opened => Self::SpeakUnsupportedMessage,
            1009 if opened => Self::SpeakTooLarge,
            1008 if opened => Self::SpeakInvalidCommand,
            _ => Self::classify(code, "", opened, client_initiated),
        }
    }

    /// A stable machine-readable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::DataError => "data_error",
            Self::NoResponseTimeout => "no_response_timeout",
            Self::IdleTimeout => "idle_timeout",
            Self::HandshakeRefused => "handshake_refused",
            Self::Abnormal => "abnormal",
            Self::Other => "other",
            Self::SpeakUnsupportedMessage => "unsupported_message",
            Self::SpeakInvalidCommand => "invalid_command",
            Self::SpeakCharacterLimit => "character_limit",
            Self::SpeakTooLarge => "too_large",
            Self::SpeakServerError => "server_error",
            Self::SpeakReceiveTimeout => "receive_timeout",
            Self::SpeakSendFailed => "send_failed",
            Self::SpeakTimeLimit => "time_limit",
        }
    }

    /// One sentence for the app (and its user's developer) saying what happened and what to check.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Normal => "The connection closed normally.",
            Self::DataError => {
                "Deepgram could not decode the audio (DATA-0000): check that encoding, sample_rate and channels \
                 match the audio sent, or leave encoding unset for containerized audio such as WebM/Ogg."
            }
            Self::NoResponseTimeout => {
                "Deepgram did not produce a response in time (NET-0000): make sure audio is actually being sent, \
                 then retry."
            }
            Self::IdleTimeout => {
                "Deepgram received no audio or KeepAlive for about 10 seconds (NET-0001): keep sending audio, or \
                 KeepAlive messages while the stream is paused."
            }
            Self::HandshakeRefused => {
                "The connection was refused before it opened: bad credentials, an invalid option, or the server is \
                 down or unreachable (browsers hide the HTTP status: check the key or token, the options and the \
                 base URL)."
            }
            Self::Abnormal => "The connection dropped without a close frame (network loss or server failure).",
            Self::Other => "The server closed the connection with an unrecognized code: see code and reason.",
            Self::SpeakUnsupportedMessage => {
                "Deepgram's speak endpoint received a message type it does not take (MESSAGE-0000): send only \
                 Speak, Flush, Clear and Close text messages, never binary data."
            }
            Self::SpeakInvalidCommand => {
                "Deepgram could not read a message as a speak command (DATA-0000): each text message must be JSON \
                 with type Speak, Flush, Clear or Close."
            }
            Self::SpeakCharacterLimit => {
                "More text than Deepgram voices in its time window (DATA-0001: 2,400 characters a minute): send \
                 text more slowly; the next speak() opens a new connection."
            }
            Self::SpeakTooLarge => {
                "A message was too large for Deepgram (BIG-0000/BIG-0001): keep each Speak under 2,000 characters \
                 (speak() splits longer text itself)."
            }
            Self::SpeakServerError => {
                "Deepgram's speak endpoint had an internal error (NET-0000): retry; the next speak() opens a new \
                 connection."
            }
            Self::SpeakReceiveTimeout => {
                "Deepgram did not receive a message in time (NET-0001): send text soon after the connection opens; \
                 the next speak() opens a new connection."
            }
            Self::SpeakSendFailed => {
                "Deepgram could not send on the connection (NET-0002): check the network; the next speak() opens a \
                 new connection."
            }
            Self::SpeakTimeLimit => {
                "The connection reached Deepgram's time limit (NET-0003: 60 minutes from its start): the next \
                 speak() opens a new connection."
            }
        }
    }
}

/// A finished connection's close, as reported by the socket, with its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The WebSocket close code.
    pub code: u16,
    /// The close reason text.
    pub reason: String,
    /// `CloseEvent.wasClean`.
    pub was_clean: bool,
    /// What it means.
    pub kind: CloseKind,
}

impl CloseInfo {
    /// The close a session records itself when the socket never reported its close after `close()`: 1006,
    /// abnormal. Out of line and cold: both sessions reach it only from a timer.
    #[cold]
    #[inline(never)]
    pub(crate) fn unreported() -> Self {
        Self {
            code: 1006,
            reason: "the socket did not report its close in time".to_owned(),
            was_clean: false,
            kind: CloseKind::Abnormal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET0001: &str =
        "Deepgram did not receive audio data or a text message within the timeout window. \
                           See https://dpgr.am/net0001";
    const NET0000: &str = "Deepgram did not provide a response message within the timeout window. \
                           See https://dpgr.am/net0000";

    #[test]
    fn deepgram_reasons_by_code_and_sentence() {
        assert_eq!(
            CloseKind::classify(1011, NET0001, true, false),
            CloseKind::IdleTimeout
        );
        assert_eq!(
            CloseKind::classify(1011, "NET-0001", true, false),
            CloseKind::IdleTimeout
        );
        assert_eq!(
            CloseKind::classify(1011, "see https://dpgr.am/net0001", true, false),
            CloseKind::IdleTimeout
        );
        assert_eq!(
            CloseKind::classify(1011, NET0000, true, false),
            CloseKind::NoResponseTimeout
        );
        assert_eq!(
            CloseKind::classify(1011, "NET-0000", true, false),
            CloseKind::NoResponseTimeout
        );
        assert_eq!(
            CloseKind::classify(1008, "DATA-0000", true, false),
            CloseKind::DataError
        );
        assert_eq!(
            CloseKind::classify(1008, "", true, false),
            CloseKind::DataError
        );
        assert_eq!(
            CloseKind::classify(1000, "DATA-0000", true, false),
            CloseKind::DataError
        );
    }

    #[test]
    fn speak_closes_are_read_from_the_text_to_speech_table() {
        let cases = [
            (
                1003,
                "MESSAGE-0000",
                CloseKind::SpeakUnsupportedMessage,
                "never binary data",
            ),
            (
                1008,
                "DATA-0000",
                CloseKind::SpeakInvalidCommand,
                "type Speak, Flush, Clear or Close",
            ),
            (
                1008,
                "DATA-0001",
                CloseKind::SpeakCharacterLimit,
                "2,400 characters a minute",
            ),
            (
                1009,
                "BIG-0000",
                CloseKind::SpeakTooLarge,
                "2,000 characters",
            ),
            (
                1009,
                "BIG-0001",
                CloseKind::SpeakTooLarge,
                "2,000 characters",
            ),
            (
                1011,
                "NET-0000",
                CloseKind::SpeakServerError,
                "internal error",
            ),
            (
                1011,
                "NET-0001",
                CloseKind::SpeakReceiveTimeout,
                "did not receive a message in time",
            ),
            (
                1011,
                "NET-0002",
                CloseKind::SpeakSendFailed,
                "could not send",
            ),
            (1011, "net0003", CloseKind::SpeakTimeLimit, "60 minutes"),
            (1009, "", CloseKind::SpeakTooLarge, "BIG-0000"),
        ];
        for (code, reason, kind, words) in cases {
            let k = CloseKind::classify_speak(code, reason, true, false);
            assert_eq!(k, kind, "{code} {reason}");
            assert!(
                k.explain().contains(words),
                "{code} {reason}: {}",
                k.explain()
            );
            assert!(
                !k.explain().contains("audio"),
                "{code} {reason}: a listen explanation"
            );
        }
        assert_eq!(
            CloseKind::classify_speak(1000, "", true, true),
            CloseKind::Normal
        );
        assert_eq!(
            CloseKind::classify_speak(1006, "", false, false),
            CloseKind::HandshakeRefused
        );
        assert_eq!(
            CloseKind::classify_speak(1006, "", true, false),
            CloseKind::Abnormal
        );
    }

    #[test]
    fn generic_codes() {
        assert_eq!(
            CloseKind::classify(1000, "", true, false),
            CloseKind::Normal
        );
        assert_eq!(
            CloseKind::classify(1006, "", false, false),
            CloseKind::HandshakeRefused
        );
        assert_eq!(
            CloseKind::classify(1015, "", false, false),
            CloseKind::HandshakeRefused
        );
        assert_eq!(
            CloseKind::classify(1006, "", true, false),
            CloseKind::Abnormal
        );
        assert_eq!(
            CloseKind::classify(1006, "", false, true),
            CloseKind::Normal
        );
        assert_eq!(CloseKind::classify(1005, "", true, true), CloseKind::Normal);
        assert_eq!(
            CloseKind::classify(1011, "internal", true, false),
            CloseKind::Other
        );
        assert_eq!(CloseKind::classify(1001, "", true, false), CloseKind::Other);
    }

    #[test]
    fn explanations_are_distinct_sentences() {
        let all = [
            CloseKind::Normal,
            CloseKind::DataError,
            CloseKind::NoResponseTimeout,
            CloseKind::IdleTimeout,
            CloseKind::HandshakeRefused,
            CloseKind::Abnormal,
            CloseKind::Other,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.explain().ends_with('.'));
            for b in &all[i + 1..] {
                assert_ne!(a.explain(), b.explain());
                assert_ne!(a.as_str(), b.as_str());
            }
        }
        assert!(CloseKind::DataError.explain().contains("sample_rate"));
        assert!(CloseKind::IdleTimeout.explain().contains("KeepAlive"));
    }
}
