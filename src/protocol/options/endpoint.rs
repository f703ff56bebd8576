//! The server address a session connects to: scheme, host, port and an optional path prefix for proxies.
//!
//! Owns parsing and validating the user's base URL and joining it with an API path and a query. It does not know
//! the options (they render their own query) and never echoes the URL in an error, since a user may have put
//! credentials in it.

use std::fmt;

use super::super::error::OptionsError;

/// A parsed base URL: `ws`/`wss` (`http`/`https` are mapped to them), host, optional port and path prefix.
///
/// `https://example.com/deepgram` becomes `wss://example.com/deepgram` and yields
/// `wss://example.com/deepgram/v1/listen?...`: the prefix is kept for reverse proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    secure: bool,
    host: String,
    port: Option<u16>,
    path_prefix: String,
}

impl Default for Endpoint {
    /// Deepgram's cloud: `wss://api.deepgram.com`.
    fn default() -> Self {
        Self {
            secure: true,
            host: "api.deepgram.com".to_owned(),
            port: None,
            path_prefix: String::new(),
        }
    }
}

#[cold]
#[inline(never)]
fn bad(problem: &str) -> OptionsError {
    OptionsError::BadBaseUrl {
        problem: problem.to_owned(),
    }
}

impl Endpoint {
    /// Parses a base URL such as `wss://api.deepgram.com`, `http://127.0.0.1:8080` or
    /// `https://example.com/deepgram`.
    ///
    /// Accepted schemes: `ws`, `wss`, `http` (→ `ws`), `https` (→ `wss`). Rejected: credentials (`user@`), a query
    /// or fragment, whitespace, a path that already ends in `/v1/listen` or `/v1/speak`.
    pub fn parse(base_url: &str) -> Result<Self, OptionsError> {
        if base_url.is_empty() {
            return Err(bad(
                "it is empty: give the server root such as wss://api.deepgram.com",
            ));
        }
        if base_url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(
                "it contains whitespace or control characters: remove them",
            ));
        }
        // Split at the first "://" by hand: a string pattern would link core's two-way searcher (see close_reason).
        let (scheme, rest) = base_url
            .split_once(':')
            .and_then(|(scheme, rest)| Some((scheme, rest.strip_prefix("//")?)))
            .ok_or_else(|| {
                bad("it has no scheme: start it with wss://, ws://, https:// or http://")
            })?;
        let is = |name: &str| scheme.eq_ignore_ascii_case(name);
        let secure = if is("wss") || is("https") {
            true
        } else if is("ws") || is("http") {
            false
        } else {
            return Err(bad("the scheme must be wss, ws, https or http"));
        };
        if rest.contains(['?', '#']) {
            return Err(bad(
                "it has a query (?) or fragment (#): give only the server root and an optional path, and put \
                 parameters in the options (or extra_query)",
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at_checked(i).unwrap_or((rest, "")),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(
                "it contains credentials (user@host): remove them and pass credentials in auth",
            ));
        }
        let (host, port) = split_host_port(authority)?;
        let path_prefix = parse_path(path)?;
        Ok(Self {
            secure,
            host,
            port,
            path_prefix,
        })
    }

    /// `"wss"` or `"ws"`.
    pub fn scheme(&self) -> &'static str {
        if self.secure {
            "wss"
        } else {
            "ws"
        }
    }

    /// The host (lowercase; IPv6 literals keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, if the URL gave one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path prefix without a trailing slash (`""` or e.g. `"/deepgram"`).
    pub fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    /// The full URL for an API path (`"/v1/listen"`) and an already-encoded query (may be empty).
    pub fn url(&self, api_path: &str, query: &str) -> String {
        let mut out = self.base();
        out.push_str(api_path);
        if !query.is_empty() {
            out.push('?');
            out.push_str(query);
        }
        out
    }

    /// `scheme://host[:port][prefix]`.
    fn base(&self) -> String {
        let mut out = String::with_capacity(self.host.len() + self.path_prefix.len() + 12);
        out.push_str(self.scheme());
        out.push_str("://");
        out.push_str(&self.host);
        if let Some(p) = self.port {
            out.push(':');
            out.push_str(&p.to_string());
        }
        out.push_str(&self.path_prefix);
        out
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base())
    }
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), OptionsError> {
    if authority.is_empty() {
        return Err(bad(
            "it has no host: write e.g. wss://api.deepgram.com or ws://127.0.0.1:8080",
        ));
    }
    let (host, port) = if let Some(inner_and_rest) = authority.strip_prefix('[') {
        let (inner, after) = inner_and_rest
            .split_once(']')
            .ok_or_else(|| bad("an IPv6 host must be written in brackets such as [::1]"))?;
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(bad("the IPv6 host in brackets is not valid"));
        }
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| bad("unexpected text after the IPv6 host"))?,
            ),
        };
        let mut host = String::with_capacity(inner.len() + 2);
        host.push('[');
        host.push_str(inner);
        host.push(']');
        host.make_ascii_lowercase();
        (host, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(bad(
                "it has no host: write e.g. wss://api.deepgram.com or ws://127.0.0.1:8080",
            ));
        }
        if !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(bad(
                "the host may only hold letters, digits, '-', '.' and '_' (use punycode for IDNs)",
            ));
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => None,
        Some(p) => {
            Some(parse_port(p).ok_or_else(|| bad("the port must be a number from 1 to 65535"))?)
        }
    };
    Ok((host, port))
}

/// Decimal digits only (leading zeros allowed, no sign), 1 to 65535. By hand rather than `str::parse`, which
/// would also accept a `+` sign and links the generic integer parser.
fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() {
        return None;
    }
    let mut n: u16 = 0;
    for b in p.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u16::from(b - b'0'))?;
    }
    (n > 0).then_some(n)
}

fn parse_path(path: &str) -> Result<String, OptionsError> {
    let trimmed = path.trim_end_matches('/');
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
            )
            || matches!(c, ':' | '@' | '/' | '%')
    };
    if !trimmed.chars().all(allowed) {
        return Err(bad(
            "the path has characters that must be percent-encoded: encode them",
        ));
    }
    for api_path in ["/v1/listen", "/v1/speak"] {
        if trimmed.ends_with(api_path) {
            return Err(bad(
                "the path already ends in /v1/listen or /v1/speak: give the server root (or proxy prefix) only; \
                 the library adds the API path",
            ));
        }
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(base: &str) -> String {
        Endpoint::parse(base)
            .unwrap()
            .url("/v1/listen", "model=nova-3")
    }

    #[test]
    fn schemes_map_to_websocket() {
        assert_eq!(
            url("wss://api.deepgram.com"),
            "wss://api.deepgram.com/v1/listen?model=nova-3"
        );
        assert_eq!(
            url("ws://127.0.0.1:8080"),
            "ws://127.0.0.1:8080/v1/listen?model=nova-3"
        );
        assert_eq!(
            url("http://localhost:3000/"),
            "ws://localhost:3000/v1/listen?model=nova-3"
        );
        assert_eq!(
            url("HTTPS://API.Deepgram.com"),
            "wss://api.deepgram.com/v1/listen?model=nova-3"
        );
    }

    #[test]
    fn path_prefix_is_preserved_for_proxies() {
        assert_eq!(
            url("https://example.com/deepgram"),
            "wss://example.com/deepgram/v1/listen?model=nova-3"
        );
        assert_eq!(
            url("https://example.com/a/b//"),
            "wss://example.com/a/b/v1/listen?model=nova-3"
        );
        let e = Endpoint::parse("https://example.com/deepgram").unwrap();
        assert_eq!(e.path_prefix(), "/deepgram");
        assert_eq!(
            e.url("/v1/speak", ""),
            "wss://example.com/deepgram/v1/speak"
        );
    }

    #[test]
    fn ipv6_and_ports() {
        let e = Endpoint::parse("ws://[::1]:8080").unwrap();
        assert_eq!(e.host(), "[::1]");
        assert_eq!(e.port(), Some(8080));
        assert_eq!(e.to_string(), "ws://[::1]:8080");
        assert!(Endpoint::parse("ws://[::1").is_err());
        assert!(Endpoint::parse("ws://[zz]").is_err());
    }

    #[test]
    fn default_is_deepgram_cloud() {
        assert_eq!(Endpoint::default().to_string(), "wss://api.deepgram.com");
    }

    #[test]
    fn rejects_bad_urls_without_echoing_them() {
        let cases = [
            "",
            "api.deepgram.com",
            "ftp://example.com",
            "wss://example.com/?a=b",
            "wss://example.com#frag",
            "wss://user:secretpass@example.com",
            "wss://",
            "wss://:80",
            "wss://example.com:0",
            "wss://example.com:99999",
            "wss://example.com:8o",
            "wss://exa mple.com",
            "wss://example.com/v1/listen",
            "wss://example.com/proxy/v1/speak/",
            "wss://exam!ple.com",
            "wss://example.com/pa\"th",
        ];
        for case in cases {
            let err = Endpoint::parse(case).unwrap_err();
            assert_eq!(err.field(), "baseUrl", "{case}");
            let msg = err.to_string();
            assert!(msg.starts_with("invalid baseUrl: "), "{msg}");
            assert!(!msg.contains("secretpass"), "{msg}");
        }
    }
}
