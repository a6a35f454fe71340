//! The built app is served with the types and caching the browser needs.

use hyper::StatusCode;

use super::support::{INDEX_HTML, TestServer, WASM_BYTES};

#[tokio::test]
async fn index_at_root_with_no_cache_and_any_query() {
    let server = TestServer::start().await;
    for path in ["/", "/?demo=trio", "/index.html"] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(&reply.body[..], INDEX_HTML.as_bytes(), "{path}");
        assert!(
            reply.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(reply.header("cache-control"), "no-cache", "{path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn wasm_and_javascript_types() {
    let server = TestServer::start().await;

    let wasm = server.get("/pkg/app_bg.wasm").await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.header("content-type"), "application/wasm");
    assert_eq!(&wasm.body[..], WASM_BYTES);

    for path in ["/main.js", "/worker.mjs"] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.header("content-type"), "text/javascript", "{path}");
        assert!(reply.headers.get("cache-control").is_none(), "{path}");
    }

    let css = server.get("/style.css").await;
    assert!(css.header("content-type").starts_with("text/css"));
    server.stop().await;
}

#[tokio::test]
async fn missing_files_and_escapes_are_404() {
    let server = TestServer::start().await;
    for path in [
        "/missing.js",
        "/../Cargo.toml",
        "/%2e%2e/data/metadata/enclave.sqlite3",
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    server.stop().await;
}
