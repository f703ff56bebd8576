//! Access tokens minted by `POST /v1/auth/grant`: JWTs (`header.payload.signature`, base64url, HS256)
//! with `iat` and `exp` claims, as Deepgram's grant returns a JWT (reference/auth/tokens/grant).
//!
//! Owns minting and reading tokens back: a token is this server's when its signature matches the
//! per-process secret, and valid until `exp`. Verification is stateless, so nothing grows with the number
//! of tokens. Deepgram's own header and claims are not documented: these are this server's choice. It must
//! not decide who may mint (that is `server.rs`) or what an expired token means for an open stream (the
//! handshake checks tokens only when a connection opens).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a bearer secret is, as far as this server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Not a token minted here (any other string).
    NotMinted,
    /// Minted here and not expired.
    Valid,
    /// Minted here, and `exp` has passed.
    Expired,
}

/// A freshly minted token.
#[derive(Clone, PartialEq, Eq)]
pub struct MintedToken {
    /// The JWT.
    pub token: String,
    /// Its `iat` claim (whole seconds since the Unix epoch).
    pub iat: u64,
    /// Its `exp` claim: `now + ttl` rounded up to the next whole second.
    pub exp: u64,
}

impl fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedToken")
            .field("token", &"<redacted>")
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .finish()
    }
}

/// Mints and checks tokens with one secret (random per server process).
pub struct AccessTokens {
    secret: [u8; 64],
}

impl fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessTokens(<secret>)")
    }
}

impl Default for AccessTokens {
    fn default() -> Self {
        AccessTokens::new()
    }
}

type HmacSha256 = Hmac<Sha256>;

/// The MAC of `message`: the secret is exactly one SHA-256 block, HMAC's own key size, so no length can fail.
fn mac(key: &[u8; 64], message: &[u8]) -> HmacSha256 {
    let mut mac = <HmacSha256 as KeyInit>::new(key.into());
    mac.update(message);
    mac
}

/// Base64url without padding (RFC 7515 §2), as JWTs are written.
pub fn base64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; `None` for anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
}

impl AccessTokens {
    /// A minter with a fresh random secret.
    pub fn new() -> AccessTokens {
        let mut secret = [0u8; 64];
        let random = std::iter::repeat_with(uuid::Uuid::new_v4).take(4);
        for (s, r) in secret.iter_mut().zip(random.flat_map(|u| u.into_bytes())) {
            *s = r;
        }
        AccessTokens { secret }
    }

    /// Mints a token valid for `ttl_seconds` from `now` (rounded up to whole seconds for `exp`).
    pub fn mint(&self, now: SystemTime, ttl_seconds: f64) -> MintedToken {
        let now_s = unix_seconds(now);
        let iat = now_s.floor() as u64;
        let exp = (now_s + ttl_seconds.max(0.0)).ceil() as u64;
        let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iss": "deepgram-live-server",
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": iat,
            "exp": exp,
        });
        let payload = base64url_encode(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{payload}");
        let signature = base64url_encode(
            &mac(&self.secret, signing_input.as_bytes())
                .finalize()
                .into_bytes(),
        );
        MintedToken {
            token: format!("{signing_input}.{signature}"),
            iat,
            exp,
        }
    }

    /// Whether `token` was minted here, and whether it has expired at `now`.
    pub fn status(&self, token: &str, now: SystemTime) -> TokenStatus {
        let Some((signing_input, signature)) = token.rsplit_once('.') else {
            return TokenStatus::NotMinted;
        };
        let Some((_, payload)) = signing_input.split_once('.') else {
            return TokenStatus::NotMinted;
        };
        let Some(given) = base64url_decode(signature) else {
            return TokenStatus::NotMinted;
        };
        // `verify_slice` compares in constant time.
        if mac(&self.secret, signing_input.as_bytes())
            .verify_slice(&given)
            .is_err()
        {
            return TokenStatus::NotMinted;
        }
        let exp = base64url_decode(payload)
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|claims| claims.get("exp").and_then(serde_json::Value::as_u64));
        match exp {
            Some(exp) if unix_seconds(now) < exp as f64 => TokenStatus::Valid,
            Some(_) => TokenStatus::Expired,
            None => TokenStatus::NotMinted,
        }
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

    fn at(secs: f64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs_f64(secs)
    }

    #[test]
    fn base64url_round_trips_without_padding() {
        for (raw, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"\xfb\xff\xfe", "-__-"),
        ] {
            assert_eq!(base64url_encode(raw), text);
            assert_eq!(base64url_decode(text).unwrap(), raw);
        }
        assert!(base64url_decode("Zm9v=").is_none());
        assert!(base64url_decode("Z").is_none());
    }

    #[test]
    fn a_minted_token_is_a_jwt_with_iat_and_exp() {
        let tokens = AccessTokens::new();
        let m = tokens.mint(at(1_000.4), 30.0);
        assert_eq!((m.iat, m.exp), (1_000, 1_031));
        let parts: Vec<_> = m.token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&base64url_decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg": "HS256", "typ": "JWT"}));
        let claims: serde_json::Value =
            serde_json::from_slice(&base64url_decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iat"], 1_000);
        assert_eq!(claims["exp"], 1_031);
        assert!(!format!("{m:?}").contains(&m.token));
    }

    #[test]
    fn tokens_are_valid_until_exp_and_foreign_ones_are_not_minted() {
        let tokens = AccessTokens::new();
        let m = tokens.mint(at(100.0), 1.5);
        assert_eq!(m.exp, 102);
        assert_eq!(tokens.status(&m.token, at(100.0)), TokenStatus::Valid);
        assert_eq!(tokens.status(&m.token, at(101.9)), TokenStatus::Valid);
        assert_eq!(tokens.status(&m.token, at(102.0)), TokenStatus::Expired);
        // Another server's token, a tampered one, and junk.
        let other = AccessTokens::new().mint(at(100.0), 30.0);
        assert_eq!(
            tokens.status(&other.token, at(100.0)),
            TokenStatus::NotMinted
        );
        let (head, _) = m.token.rsplit_once('.').unwrap();
        let forged_payload = base64url_encode(br#"{"exp":99999999999}"#);
        let forged = format!(
            "{}.{forged_payload}.{}",
            head.split('.').next().unwrap(),
            m.token.rsplit('.').next().unwrap()
        );
        assert_eq!(tokens.status(&forged, at(100.0)), TokenStatus::NotMinted);
        for junk in ["", "abc", "a.b", "a.b.c", "..", "dglocal.1234"] {
            assert_eq!(tokens.status(junk, at(100.0)), TokenStatus::NotMinted);
        }
    }
}
