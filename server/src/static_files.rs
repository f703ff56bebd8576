//! Serving the demo: `--www DIR` at `/` (with `index.html` for directories) and `--pkg DIR` at `/pkg/`,
//! with the MIME types browsers insist on (`application/wasm` for streaming compilation, `text/javascript`
//! for modules and worklets).
//!
//! Owns path resolution (no `..`, no absolute escapes) and the extension → MIME table. It must not serve
//! anything outside the configured folders.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::HeaderValue;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::server::AppState;

/// The MIME type for a file name.
pub fn mime_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "ts" | "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "webm" => "audio/webm",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Percent-decodes a URL path (no `+` rule: that belongs to query strings).
fn decode_path(raw: &str) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = bytes.next().and_then(hex)?;
            let lo = bytes.next().and_then(hex)?;
            out.push(hi * 16 + lo);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves a URL path below `root`; `None` for paths that try to leave it.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = decode_path(url_path)?;
    let mut path = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." || segment == "." || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

fn not_found(what: &str) -> Response {
    let mut r = (StatusCode::NOT_FOUND, format!("not found: {what}\n")).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

const NO_WWW: &str = "deepgram-live-server\n\nWebSockets: /v1/listen, /v1/speak\nControl API: /_control/health\nStart with --www DIR (and --pkg DIR) to serve the demo here.\n";

/// The fallback route: static files for GET/HEAD, 404/405 otherwise.
pub async fn serve(State(app): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n").into_response();
    }
    let path = uri.path();
    let (root, rest) = match (path.strip_prefix("/pkg/"), &app.config.pkg, &app.config.www) {
        (Some(rest), Some(pkg), _) => (pkg, rest),
        (_, _, Some(www)) => (www, path),
        (_, _, None) if path == "/" => {
            return (StatusCode::OK, NO_WWW).into_response();
        }
        _ => return not_found(path),
    };
    let Some(mut file) = resolve(root, rest) else {
        return not_found(path);
    };
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        file.push("index.html");
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mut r = if method == Method::HEAD {
                let mut r = StatusCode::OK.into_response();
                if let Ok(v) = HeaderValue::from_str(&bytes.len().to_string()) {
                    r.headers_mut()
                        .insert(axum::http::header::CONTENT_LENGTH, v);
                }
                r
            } else {
                (StatusCode::OK, bytes).into_response()
            };
            let headers = r.headers_mut();
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(mime_for(&file)),
            );
            // A dev server: always revalidate so a rebuilt pkg/ is picked up.
            headers.insert("cache-control", HeaderValue::from_static("no-cache"));
            r
        }
        Err(_) => not_found(path),
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

    #[test]
    fn mime_types_browsers_need() {
        assert_eq!(mime_for(Path::new("a/b.wasm")), "application/wasm");
        assert!(mime_for(Path::new("x.js")).starts_with("text/javascript"));
        assert!(mime_for(Path::new("x.MJS")).starts_with("text/javascript"));
        assert!(mime_for(Path::new("index.html")).starts_with("text/html"));
        assert_eq!(mime_for(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn traversal_is_refused() {
        let root = Path::new("/srv/www");
        assert_eq!(
            resolve(root, "/a/b.js"),
            Some(PathBuf::from("/srv/www/a/b.js"))
        );
        assert_eq!(
            resolve(root, "/a%20b.js"),
            Some(PathBuf::from("/srv/www/a b.js"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(resolve(root, "/a\\..\\x"), None);
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv/www")));
    }
}
