//! Faults a test can inject through `POST /_control/faults`, as JSON.
//!
//! Owns the fault vocabulary and its validation. It must not apply faults: `connection_io.rs` does for open
//! connections and `handshake.rs` for `refuse_handshake`.

use std::fmt;

use serde::Deserialize;

/// One fault.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Drop the TCP connection without a close frame, after a delay or after some audio bytes.
    Abort {
        /// Milliseconds after the fault is applied.
        after_ms: Option<u64>,
        /// Binary bytes received after the fault is applied.
        after_audio_bytes: Option<u64>,
    },
    /// Send a close frame with this code and reason.
    Close {
        /// Close code (1000-1003, 1007-1014, 3000-4999).
        code: u16,
        /// Close reason (at most 123 bytes).
        #[serde(default)]
        reason: String,
        /// Milliseconds after the fault is applied.
        #[serde(default)]
        after_ms: u64,
    },
    /// Send a text frame that is not valid JSON, then carry on.
    Malformed {
        /// Milliseconds after the fault is applied.
        #[serde(default)]
        after_ms: u64,
        /// The frame (default: a truncated Results object).
        text: Option<String>,
    },
    /// Delay every server-to-client message by this much, keeping order.
    DelayReplies {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Stop reading the socket (a slow reader).
    StopReading {
        /// Milliseconds after the fault is applied.
        #[serde(default)]
        after_ms: u64,
    },
    /// Answer the next upgrade with this HTTP status and a Deepgram-style body.
    RefuseHandshake {
        /// HTTP status (400-599).
        status: u16,
    },
}

/// The default text of a `malformed` fault: a Results object cut short.
pub const DEFAULT_MALFORMED: &str =
    r#"{"type":"Results","channel_index":[0,1],"duration":1.0,"start":0.0,"is_final":tr"#;

/// A fault that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultError {
    /// A close code a peer must not send.
    BadCloseCode(u16),
    /// A close reason over 123 bytes.
    ReasonTooLong(usize),
    /// A `refuse_handshake` status outside 400-599.
    BadStatus(u16),
    /// `abort` needs exactly one trigger.
    AbortTrigger,
    /// `refuse_handshake` aimed at an open connection.
    RefuseOpenConnection,
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::BadCloseCode(c) => write!(
                f,
                "fault.code {c} cannot be sent in a close frame; use 1000-1003, 1007-1014 or 3000-4999"
            ),
            FaultError::ReasonTooLong(n) => write!(
                f,
                "fault.reason is {n} bytes; a close reason holds at most 123 bytes"
            ),
            FaultError::BadStatus(s) => {
                write!(f, "fault.status {s} is not an error status; use 400-599")
            }
            FaultError::AbortTrigger => f.write_str(
                "fault of kind abort needs exactly one of after_ms or after_audio_bytes",
            ),
            FaultError::RefuseOpenConnection => f.write_str(
                "refuse_handshake applies to the next handshake; use \"connection\":\"next\"",
            ),
        }
    }
}

impl std::error::Error for FaultError {}

impl Fault {
    /// Checks values the JSON shape cannot.
    pub fn validate(&self) -> Result<(), FaultError> {
        match self {
            Fault::Close { code, reason, .. } => {
                let sendable = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
                if !sendable {
                    return Err(FaultError::BadCloseCode(*code));
                }
                if reason.len() > 123 {
                    return Err(FaultError::ReasonTooLong(reason.len()));
                }
                Ok(())
            }
            Fault::RefuseHandshake { status } if !(400..=599).contains(status) => {
                Err(FaultError::BadStatus(*status))
            }
            Fault::Abort {
                after_ms,
                after_audio_bytes,
            } if after_ms.is_some() == after_audio_bytes.is_some() => Err(FaultError::AbortTrigger),
            _ => Ok(()),
        }
    }
}

/// Which connection a fault is for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum FaultTarget {
    /// An open connection by id.
    Id(u64),
    /// `"next"`: the next connection (on `path` if given).
    Named(String),
}

/// The body of `POST /_control/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    /// `"next"` or a connection id.
    pub connection: FaultTarget,
    /// `/v1/listen`, `/v1/speak` or null (any path), for `"next"`.
    #[serde(default)]
    pub path: Option<String>,
    /// The fault.
    pub fault: Fault,
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

    fn parse(s: &str) -> FaultRequest {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn every_kind_parses() {
        let r = parse(
            r#"{"connection":"next","path":"/v1/listen","fault":{"kind":"abort","after_ms":5}}"#,
        );
        assert_eq!(r.connection, FaultTarget::Named("next".into()));
        assert_eq!(
            r.fault,
            Fault::Abort {
                after_ms: Some(5),
                after_audio_bytes: None
            }
        );
        let r = parse(
            r#"{"connection":3,"fault":{"kind":"close","code":4000,"reason":"x","after_ms":1}}"#,
        );
        assert_eq!(r.connection, FaultTarget::Id(3));
        assert!(r.fault.validate().is_ok());
        for f in [
            r#"{"kind":"abort","after_audio_bytes":100}"#,
            r#"{"kind":"malformed","after_ms":0}"#,
            r#"{"kind":"malformed","text":"{"}"#,
            r#"{"kind":"delay_replies","ms":200}"#,
            r#"{"kind":"stop_reading"}"#,
            r#"{"kind":"refuse_handshake","status":429}"#,
        ] {
            let r = parse(&format!(
                r#"{{"connection":"next","path":null,"fault":{f}}}"#
            ));
            assert!(r.fault.validate().is_ok(), "{f}");
        }
    }

    #[test]
    fn invalid_faults_are_explained() {
        let bad = |f: &str| {
            parse(&format!(r#"{{"connection":"next","fault":{f}}}"#))
                .fault
                .validate()
                .unwrap_err()
        };
        assert_eq!(
            bad(r#"{"kind":"close","code":1006}"#),
            FaultError::BadCloseCode(1006)
        );
        assert_eq!(
            bad(r#"{"kind":"refuse_handshake","status":200}"#),
            FaultError::BadStatus(200)
        );
        assert_eq!(bad(r#"{"kind":"abort"}"#), FaultError::AbortTrigger);
        assert!(serde_json::from_str::<FaultRequest>(
            r#"{"connection":"next","fault":{"kind":"explode"}}"#
        )
        .is_err());
    }
}
