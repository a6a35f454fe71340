//! The security headers are on every kind of response.

use enclave_server::headers::CONTENT_SECURITY_POLICY;
use hyper::{Method, StatusCode};

use super::support::{Reply, TestServer, send};

const EXPECTED: [(&str, &str); 6] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
];

fn assert_security_headers(reply: &Reply, what: &str) {
    for (name, value) in EXPECTED {
        assert_eq!(reply.header(name), value, "{name} on {what}");
    }
}

#[test]
fn policy_constant_is_the_documented_one() {
    assert_eq!(CONTENT_SECURITY_POLICY, EXPECTED[0].1);
}

#[tokio::test]
async fn on_every_kind_of_response() {
    let server = TestServer::start().await;
    let cases = [
        ("/", StatusCode::OK),
        ("/?demo=trio", StatusCode::OK),
        ("/main.js", StatusCode::OK),
        ("/pkg/app_bg.wasm", StatusCode::OK),
        ("/api/v1/health", StatusCode::OK),
        ("/api/v1/datasets", StatusCode::OK),
        ("/no-such-file.txt", StatusCode::NOT_FOUND),
        ("/api/v1/no-such-route", StatusCode::NOT_FOUND),
        ("/api", StatusCode::NOT_FOUND),
    ];
    for (path, status) in cases {
        let reply = server.get(path).await;
        assert_eq!(reply.status, status, "{path}");
        assert_security_headers(&reply, path);
    }

    let errors = [
        send(
            server.addr,
            Method::POST,
            "/api/v1/datasets",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await,
        send(
            server.addr,
            Method::POST,
            "/api/v1/datasets",
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await,
        send(
            server.addr,
            Method::DELETE,
            "/api/v1/health",
            None,
            Vec::new(),
        )
        .await,
        send(
            server.addr,
            Method::POST,
            "/api/v1/datasets",
            Some("application/json"),
            vec![b' '; 20_000],
        )
        .await,
    ];
    for reply in &errors {
        assert!(reply.status.is_client_error(), "{reply:?}");
        assert_security_headers(reply, &format!("a {} error", reply.status));
    }
    server.stop().await;
}
