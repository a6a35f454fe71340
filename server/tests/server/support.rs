//! Test support: a server on an ephemeral port over a temp directory, and a minimal HTTP/1.1 client.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use enclave_server::store::sqlite::SqliteStore;
use enclave_test_support::files::TempDir;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HOST, HeaderMap};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const INDEX_HTML: &str =
    "<!doctype html><title>Enclave</title><script type=\"module\" src=\"/main.js\"></script>";
/// The first bytes of a real wasm module: magic and version 1.
pub const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

pub const FINGERPRINT_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const FINGERPRINT_B: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Writes a small built app into `dist`.
pub fn write_dist(dist: &Path) {
    std::fs::create_dir_all(dist.join("pkg")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(dist.join("main.js"), "import init from './pkg/app.js';\n").unwrap();
    std::fs::write(dist.join("worker.mjs"), "self.onmessage = () => {};\n").unwrap();
    std::fs::write(dist.join("style.css"), "body { margin: 0 }\n").unwrap();
    std::fs::write(dist.join("pkg/app_bg.wasm"), WASM_BYTES).unwrap();
}

/// A valid descriptor as JSON.
pub fn descriptor(fingerprint: &str) -> serde_json::Value {
    serde_json::json!({
        "format": "vcf.gz",
        "size_bytes": 275_000_000u64,
        "record_count": 5_000_000u64,
        "sample_count": 3,
        "contig_count": 25,
        "reference_build": "GRCh38",
        "fingerprint": fingerprint,
    })
}

/// An `enclave-server` router on 127.0.0.1:0, serving `dir/dist` with its database at `dir/data/`.
pub struct TestServer {
    pub addr: SocketAddr,
    dir: TempDir,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = TempDir::new("server");
        write_dist(&dir.path().join("dist"));
        Self::start_in(dir).await
    }

    /// Starts on an existing directory (to reopen the same database file).
    pub async fn start_in(dir: TempDir) -> Self {
        let store = SqliteStore::open(db_path(dir.path())).unwrap();
        let router = enclave_server::router(dir.path().join("dist"), Arc::new(store));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(enclave_server::serve(listener, router, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            dir,
            shutdown,
            task,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        db_path(self.dir.path())
    }

    /// Shuts the server down gracefully and hands back its directory.
    pub async fn stop(self) -> TempDir {
        self.shutdown.send(()).unwrap();
        self.task.await.unwrap().unwrap();
        self.dir
    }

    pub async fn get(&self, path: &str) -> Reply {
        send(self.addr, Method::GET, path, None, Vec::new()).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        let body = serde_json::to_vec(body).unwrap();
        send(
            self.addr,
            Method::POST,
            path,
            Some("application/json"),
            body,
        )
        .await
    }
}

fn db_path(dir: &Path) -> PathBuf {
    dir.join("data/metadata/enclave.sqlite3")
}

/// A response read to its end.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The single value of header `name`; panics if absent or repeated.
    pub fn header(&self, name: &str) -> &str {
        let values: Vec<_> = self.headers.get_all(name).iter().collect();
        assert_eq!(
            values.len(),
            1,
            "expected one {name} header in {:?}",
            self.headers
        );
        values[0].to_str().unwrap()
    }

    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.header("content-type"), "application/json", "{self:?}");
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The `error` message of a JSON error reply.
    pub fn error(&self) -> String {
        let json = self.json();
        let object = json.as_object().expect("error body is an object");
        assert_eq!(object.len(), 1, "error body has only `error`: {json}");
        object["error"]
            .as_str()
            .expect("error is a string")
            .to_owned()
    }
}

/// Sends one HTTP/1.1 request on a fresh connection.
pub async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string());
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    let response = sender
        .send_request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}
