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
