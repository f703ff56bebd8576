//! Credentials of a WebSocket upgrade: where they came from and whether the policy accepts them.
//!
//! Owns the reading of `Authorization: Token|Bearer ...` and of the `token`/`bearer` subprotocol pairs, and
//! the choice of the subprotocol to echo (the scheme word, never the secret). It must not build HTTP
//! responses or log: a secret found here is only compared, never copied into a message.

use std::fmt;

use crate::access_token::TokenStatus;
use crate::config::AuthPolicy;

/// How the client presented its credentials (the control API's `auth` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Sec-WebSocket-Protocol: token, KEY`.
    SubprotocolToken,
    /// `Sec-WebSocket-Protocol: bearer, TOKEN`.
    SubprotocolBearer,
    /// `Authorization: Token KEY`.
    HeaderToken,
    /// `Authorization: Bearer TOKEN`.
    HeaderBearer,
    /// No credentials at all.
    None,
}

impl AuthMethod {
    /// The control API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::SubprotocolToken => "subprotocol-token",
            AuthMethod::SubprotocolBearer => "subprotocol-bearer",
            AuthMethod::HeaderToken => "header-token",
            AuthMethod::HeaderBearer => "header-bearer",
            AuthMethod::None => "none",
        }
    }

    fn is_bearer(self) -> bool {
        matches!(
            self,
            AuthMethod::SubprotocolBearer | AuthMethod::HeaderBearer
        )
    }
}

/// The credentials found in one upgrade request.
#[derive(Clone)]
pub struct Credentials {
    /// Where they came from.
    pub method: AuthMethod,
    secret: Option<String>,
    /// The subprotocol to echo (`token` or `bearer`, spelled as the client offered it), if any was offered.
    pub subprotocol: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("method", &self.method)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("subprotocol", &self.subprotocol)
            .finish()
    }
}

/// Why credentials were refused. Messages never contain the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header and no `token`/`bearer` subprotocol.
    Missing,
    /// An `Authorization` header without a `Token ` or `Bearer ` scheme.
    UnknownScheme,
    /// The scheme was present but the secret after it was empty or absent.
    EmptySecret,
    /// The secret does not match `--api-key` (or a token minted from it).
    Rejected,
    /// A bearer token minted by this server's `/v1/auth/grant` whose `exp` has passed.
    Expired,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthError::Missing => {
                "no credentials: send `Authorization: Token <key>` or the subprotocols `token, <key>`"
            }
            AuthError::UnknownScheme => {
                "Authorization header needs a scheme: `Token <key>` or `Bearer <token>`"
            }
            AuthError::EmptySecret => "the key or token after the scheme is empty",
            AuthError::Rejected => "the key or token is not accepted by this server (--api-key)",
            AuthError::Expired => "the access token has expired; mint a new one from /v1/auth/grant",
        })
    }
}

impl std::error::Error for AuthError {}

/// Splits every `Sec-WebSocket-Protocol` value into its items, in order, as strictly as Deepgram: items are
/// separated by a comma **and a space** (`token, KEY`, which is what browsers send). `token,KEY` stays one
/// item, so it carries no credentials and the upgrade is refused with 401, as the real service did
/// (deepgram-js-sdk#321).
pub fn subprotocol_items<'a, I>(values: I) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    values
        .into_iter()
        .flat_map(|v| v.split(", "))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads credentials from the `Authorization` header value (if any) and the subprotocol items.
///
/// The header wins when both are present; the subprotocol to echo is chosen from the offer either way,
/// because a browser that offered protocols fails the connection when none is selected.
pub fn read_credentials(
    authorization: Option<&str>,
    protocols: &[String],
) -> Result<Credentials, AuthError> {
    let mut offered = None;
    let mut from_protocol = None;
    let mut items = protocols.iter().peekable();
    while let Some(item) = items.next() {
        let method = if item.eq_ignore_ascii_case("token") {
            AuthMethod::SubprotocolToken
        } else if item.eq_ignore_ascii_case("bearer") {
            AuthMethod::SubprotocolBearer
        } else {
            continue;
        };
        offered = Some(item.clone());
        from_protocol = Some((method, items.peek().map(|s| s.to_string())));
        break;
    }

    if let Some(header) = authorization {
        let header = header.trim();
        let (scheme, rest) = header
            .split_once(char::is_whitespace)
            .unwrap_or((header, ""));
        let method = if scheme.eq_ignore_ascii_case("token") {
            AuthMethod::HeaderToken
        } else if scheme.eq_ignore_ascii_case("bearer") {
            AuthMethod::HeaderBearer
        } else {
            return Err(AuthError::UnknownScheme);
        };
        let secret = rest.trim();
        if secret.is_empty() {
            return Err(AuthError::EmptySecret);
        }
        return Ok(Credentials {
            method,
            secret: Some(secret.to_string()),
            subprotocol: offered,
        });
    }

    match from_protocol {
        Some((method, Some(secret))) if !secret.is_empty() => Ok(Credentials {
            method,
            secret: Some(secret),
            subprotocol: offered,
        }),
        Some(_) => Err(AuthError::EmptySecret),
        None => Ok(Credentials {
            method: AuthMethod::None,
            secret: None,
            subprotocol: None,
        }),
    }
}

impl Credentials {
    /// Checks the credentials against the policy. `is_granted` says whether a bearer token was minted by
    /// this server's `/v1/auth/grant`.
    pub fn check(
        &self,
        policy: &AuthPolicy,
        is_granted: impl Fn(&str) -> bool,
    ) -> Result<(), AuthError> {
        match policy {
            AuthPolicy::Open => Ok(()),
            AuthPolicy::AnyNonEmpty => match &self.secret {
                Some(s) if !s.is_empty() => Ok(()),
                Some(_) => Err(AuthError::EmptySecret),
                None => Err(AuthError::Missing),
            },
            AuthPolicy::Key(key) => match &self.secret {
                None => Err(AuthError::Missing),
                Some(s) if s == key => Ok(()),
                Some(s) if self.method.is_bearer() && is_granted(s) => Ok(()),
                Some(_) => Err(AuthError::Rejected),
            },
        }
    }

    /// Like [`Credentials::check`], with the status of bearer tokens minted by this server: a valid one is
    /// accepted under every policy, an expired one refused under every policy but `Open` (credentials
    /// sent anyway are accepted there), any other secret is judged by the policy alone.
    pub fn check_with_tokens(
        &self,
        policy: &AuthPolicy,
        status: impl Fn(&str) -> TokenStatus,
    ) -> Result<(), AuthError> {
        if *policy == AuthPolicy::Open {
            return Ok(());
        }
        if let (true, Some(secret)) = (self.method.is_bearer(), &self.secret) {
            match status(secret) {
                TokenStatus::Valid => return Ok(()),
                TokenStatus::Expired => return Err(AuthError::Expired),
                TokenStatus::NotMinted => {}
            }
        }
        self.check(policy, |_| false)
    }

    /// Whether this request carries a usable API key (`Token` scheme) that matches the policy; used by
    /// `/v1/auth/grant`, which only API keys may call.
    pub fn is_api_key_for(&self, policy: &AuthPolicy) -> bool {
        if self.method.is_bearer() {
            return false;
        }
        self.check(policy, |_| false).is_ok() && self.secret.is_some()
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

    fn items(s: &str) -> Vec<String> {
        subprotocol_items([s])
    }

    #[test]
    fn subprotocol_needs_the_comma_and_space_browsers_send() {
        for header in ["token, KEY", "Token ,  KEY", "token,  KEY"] {
            let c = read_credentials(None, &items(header)).unwrap();
            assert_eq!(c.method, AuthMethod::SubprotocolToken, "{header}");
            assert_eq!(c.secret.as_deref(), Some("KEY"));
            assert!(c
                .subprotocol
                .as_deref()
                .unwrap()
                .eq_ignore_ascii_case("token"));
        }
        // Without the space it is one item, `token,KEY`: no credentials at all (401 at the handshake).
        for header in [
            "token,KEY",
            "bearer,JWT",
            "x-deepgram-session-id,1,token,KEY",
        ] {
            let c = read_credentials(None, &items(header)).unwrap();
            assert_eq!(c.method, AuthMethod::None, "{header}");
            assert_eq!(
                c.check(&AuthPolicy::AnyNonEmpty, |_| false),
                Err(AuthError::Missing),
                "{header}"
            );
        }
    }

    #[test]
    fn extra_pairs_are_tolerated_in_any_position() {
        let c = read_credentials(
            None,
            &items("x-deepgram-session-id, 1234, bearer, JWT, other"),
        )
        .unwrap();
        assert_eq!(c.method, AuthMethod::SubprotocolBearer);
        assert_eq!(c.secret.as_deref(), Some("JWT"));
        assert_eq!(c.subprotocol.as_deref(), Some("bearer"));
    }

    #[test]
    fn header_schemes_are_case_insensitive() {
        let c = read_credentials(Some("token abc"), &[]).unwrap();
        assert_eq!(c.method, AuthMethod::HeaderToken);
        let c = read_credentials(Some("BEARER  xyz "), &[]).unwrap();
        assert_eq!(c.method, AuthMethod::HeaderBearer);
        assert_eq!(c.secret.as_deref(), Some("xyz"));
        assert_eq!(
            read_credentials(Some("abc"), &[]).unwrap_err(),
            AuthError::UnknownScheme
        );
        assert_eq!(
            read_credentials(Some("Token "), &[]).unwrap_err(),
            AuthError::EmptySecret
        );
    }

    #[test]
    fn header_wins_but_subprotocol_is_still_echoed() {
        let c = read_credentials(Some("Token h"), &items("token, p")).unwrap();
        assert_eq!(c.method, AuthMethod::HeaderToken);
        assert_eq!(c.secret.as_deref(), Some("h"));
        assert_eq!(c.subprotocol.as_deref(), Some("token"));
    }

    #[test]
    fn missing_secret_after_scheme_word() {
        assert_eq!(
            read_credentials(None, &items("token")).unwrap_err(),
            AuthError::EmptySecret
        );
    }

    #[test]
    fn policies() {
        let tok = read_credentials(Some("Token k"), &[]).unwrap();
        let none = read_credentials(None, &[]).unwrap();
        let bearer = read_credentials(None, &items("bearer, minted")).unwrap();
        assert!(tok.check(&AuthPolicy::AnyNonEmpty, |_| false).is_ok());
        assert_eq!(
            none.check(&AuthPolicy::AnyNonEmpty, |_| false),
            Err(AuthError::Missing)
        );
        assert!(none.check(&AuthPolicy::Open, |_| false).is_ok());
        assert!(tok.check(&AuthPolicy::Key("k".into()), |_| false).is_ok());
        assert_eq!(
            tok.check(&AuthPolicy::Key("other".into()), |_| false),
            Err(AuthError::Rejected)
        );
        assert!(bearer
            .check(&AuthPolicy::Key("k".into()), |t| t == "minted")
            .is_ok());
        assert!(bearer
            .check(&AuthPolicy::Key("k".into()), |_| false)
            .is_err());
        assert!(tok.is_api_key_for(&AuthPolicy::Key("k".into())));
        assert!(!bearer.is_api_key_for(&AuthPolicy::AnyNonEmpty));
    }

    #[test]
    fn secrets_never_in_debug_or_errors() {
        let c = read_credentials(None, &items("token, s3cr3t")).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let e = c
            .check(&AuthPolicy::Key("k".into()), |_| false)
            .unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"));
    }

    #[test]
    fn minted_tokens_by_status_under_every_policy() {
        let bearer = read_credentials(None, &items("bearer, jwt")).unwrap();
        let header = read_credentials(Some("Bearer jwt"), &[]).unwrap();
        let token = read_credentials(None, &items("token, jwt")).unwrap();
        let key = AuthPolicy::Key("k".into());
        for c in [&bearer, &header] {
            let status = |s: &str| {
                assert_eq!(s, "jwt");
                TokenStatus::Valid
            };
            assert!(c.check_with_tokens(&key, status).is_ok());
            let expired = |_: &str| TokenStatus::Expired;
            assert_eq!(c.check_with_tokens(&key, expired), Err(AuthError::Expired));
            assert_eq!(
                c.check_with_tokens(&AuthPolicy::AnyNonEmpty, expired),
                Err(AuthError::Expired)
            );
            assert!(c.check_with_tokens(&AuthPolicy::Open, expired).is_ok());
            let foreign = |_: &str| TokenStatus::NotMinted;
            assert!(c
                .check_with_tokens(&AuthPolicy::AnyNonEmpty, foreign)
                .is_ok());
            assert_eq!(c.check_with_tokens(&key, foreign), Err(AuthError::Rejected));
        }
        // A minted token sent as `token` is not an API key.
        assert_eq!(
            token.check_with_tokens(&key, |_| TokenStatus::Valid),
            Err(AuthError::Rejected)
        );
    }
}
