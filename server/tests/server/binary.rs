//! The built `enclave-server` binary: command line, the `listening on` line, shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use enclave_test_support::files::TempDir;
use hyper::{Method, StatusCode};
use serde_json::json;

use super::support::{send, write_dist};

const BINARY: &str = env!("CARGO_BIN_EXE_enclave-server");
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Kills the child if a test fails before it stops on its own.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test]
async fn serves_on_an_ephemeral_port_and_stops_on_sigterm() {
    let dir = TempDir::new("server-binary");
    let dist = dir.path().join("dist");
    write_dist(&dist);
    let db = dir.path().join("not/yet/there/enclave.sqlite3");

    let mut child = Running(
        Command::new(BINARY)
            .arg("--dist")
            .arg(&dist)
            .arg("--db")
            .arg(&db)
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let (line_tx, line_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line_tx.send(line).unwrap();
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        rest
    });
    let line = line_rx
        .recv_timeout(STARTUP_TIMEOUT)
        .expect("the server printed its address");
    let url = line
        .strip_suffix('\n')
        .and_then(|line| line.strip_prefix("listening on http://"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr: SocketAddr = url.parse().unwrap();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    assert!(
        db.exists(),
        "the database and its parent directories were created"
    );

    let reply = send(addr, Method::GET, "/api/v1/health", None, Vec::new()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ok"}));
    let index = send(addr, Method::GET, "/", None, Vec::new()).await;
    assert_eq!(index.status, StatusCode::OK);

    let pid = child.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    assert_eq!(reader.join().unwrap(), "", "exactly one line on stdout");
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    let output = Command::new(BINARY).args(["--dist", "x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("--db is required"), "{stderr}");
    assert!(
        stderr.contains("usage: enclave-server --dist DIR --db PATH"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_dist_directory_is_reported() {
    let dir = TempDir::new("server-binary");
    let output = Command::new(BINARY)
        .arg("--dist")
        .arg(dir.path().join("no-dist"))
        .arg("--db")
        .arg(dir.path().join("db"))
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is not a directory"), "{stderr}");
}
