//! The built app (`--dist DIR`) served with tower-http's `ServeDir`: `index.html` at `/` (query strings
//! such as `/?demo=trio` are the app's business), and the headers the app's loading depends on.
//!
//! `ServeDir` guesses types from extensions; [`asset_headers`] pins the ones that matter — browsers
//! refuse to stream-compile WebAssembly unless it is `application/wasm` and refuse module scripts
//! with a non-JavaScript type — and marks `index.html` `Cache-Control: no-cache` so a new build
//! (with new hashed asset names) is picked up on the next load.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

/// A router that serves `dist` for every path it is given.
pub fn router(dist: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dist))
        .layer(middleware::from_fn(asset_headers))
}

/// The content type the app needs for `path`, where `ServeDir`'s guess must not be trusted.
pub fn content_type_for(path: &str) -> Option<&'static str> {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let (_, extension) = file_name.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "wasm" => Some("application/wasm"),
        "js" | "mjs" => Some("text/javascript"),
        _ => None,
    }
}

/// Whether `path` is answered with `index.html`: a directory (`/`, `/x/`) or the file itself.
pub fn is_index(path: &str) -> bool {
    path.ends_with('/') || path.ends_with("/index.html")
}

async fn asset_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return response;
    }
    let headers = response.headers_mut();
    if status.is_success()
        && let Some(content_type) = content_type_for(&path)
    {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if is_index(&path) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_content_types() {
        assert_eq!(
            content_type_for("/pkg/app_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(content_type_for("/main.js"), Some("text/javascript"));
        assert_eq!(content_type_for("/worker.MJS"), Some("text/javascript"));
        assert_eq!(content_type_for("/style.css"), None);
        assert_eq!(content_type_for("/wasm"), None);
        assert_eq!(content_type_for("/dir.js/file"), None);
    }

    #[test]
    fn index_paths() {
        assert!(is_index("/"));
        assert!(is_index("/index.html"));
        assert!(is_index("/docs/"));
        assert!(!is_index("/main.js"));
        assert!(!is_index("/index.html.bak"));
    }
}
