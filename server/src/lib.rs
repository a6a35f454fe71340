//! `enclave-server`: serves the Enclave app and stores metadata only.
//!
//! The server never sees a genomic file's content: the browser parses files locally and sends at most
//! a [`descriptor::DatasetDescriptor`] (format, counts, reference build label, salted fingerprint).
//!
//! Data flow: [`cli`] parses the command line → [`run`] opens the [`store`] (SQLite by default), binds
//! the address and serves [`router`]: `/api/*` goes to [`api`] (JSON, validated with [`descriptor`],
//! persisted through [`store::MetadataStore`]), everything else to [`static_files`] (`ServeDir` over
//! `--dist`). [`headers`] puts the security headers on every response.

pub mod api;
pub mod cli;
pub mod descriptor;
pub mod headers;
pub mod static_files;
pub mod store;
pub mod timestamp;

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use tokio::net::TcpListener;

use crate::cli::Args;
use crate::store::sqlite::SqliteStore;
use crate::store::{MetadataStore, StoreError};

/// The whole application: the API under `/api`, the app from `dist` everywhere else, and the
/// security headers on every response (including errors and 404s).
pub fn router(dist: impl AsRef<Path>, store: Arc<dyn MetadataStore>) -> Router {
    Router::new()
        .nest("/api", api::router(store))
        .fallback_service(static_files::router(dist.as_ref()))
        .layer(middleware::map_response(headers::add_security_headers))
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("--dist {path} is not a directory; build the app first (cargo xtask build)")]
    Dist { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("cannot write to stdout")]
    Stdout(#[source] io::Error),
    #[error("the server stopped with an error")]
    Serve(#[source] io::Error),
    #[error("opening the metadata store was interrupted")]
    Interrupted(#[source] tokio::task::JoinError),
}

/// Runs the server described by `args` until Ctrl-C or SIGTERM.
///
/// Once the socket is bound, prints exactly one line to stdout, `listening on http://ADDR` with the
/// actual port, and flushes it: harnesses that pass `--addr 127.0.0.1:0` read the port from it.
pub async fn run(args: Args) -> Result<(), ServerError> {
    if !args.dist.is_dir() {
        return Err(ServerError::Dist { path: args.dist });
    }
    let db = args.db.clone();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(db))
        .await
        .map_err(ServerError::Interrupted)??;
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: args.addr,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: args.addr,
        source,
    })?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on http://{local_addr}").map_err(ServerError::Stdout)?;
    stdout.flush().map_err(ServerError::Stdout)?;
    drop(stdout);
    serve(
        listener,
        router(&args.dist, Arc::new(store)),
        shutdown_signal(),
    )
    .await
    .map_err(ServerError::Serve)
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("enclave-server: cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                eprintln!("enclave-server: cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
