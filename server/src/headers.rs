//! Security headers that go on every response the server sends: static files, API answers, errors
//! and 404s alike. `lib.rs` applies [`add_security_headers`] as the outermost layer of the router.
//!
//! The policy lets the app run its own scripts and WebAssembly (`'wasm-unsafe-eval'`) and talk only to
//! its own origin; it forbids inline script and style, plugins, `<base>`, and framing. COOP/COEP make
//! the page cross-origin isolated; CORP keeps other sites from embedding our files.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;

/// `Content-Security-Policy` (DESIGN.md, "server").
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Every security header, as (lowercase name, value).
pub const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// Sets every security header on `response`, replacing any value an inner layer chose.
pub async fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn replaces_weaker_values() {
        let mut response = Response::new(axum::body::Body::empty());
        response.headers_mut().insert(
            "content-security-policy",
            HeaderValue::from_static("default-src *"),
        );
        let response = add_security_headers(response).await;
        for (name, value) in SECURITY_HEADERS {
            let values: Vec<_> = response.headers().get_all(name).iter().collect();
            assert_eq!(values, [value], "{name}");
        }
    }

    #[test]
    fn policy_has_no_unsafe_inline() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(!CONTENT_SECURITY_POLICY.contains(" 'unsafe-eval'"));
    }
}
