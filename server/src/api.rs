//! The metadata API under `/api/v1/`: typed JSON in and out, bodies capped at
//! [`BODY_LIMIT_BYTES`], every error a JSON object `{"error": "..."}`.
//!
//! Routes: `GET /api/v1/health`, `POST /api/v1/datasets` (record a dataset opening), `GET
//! /api/v1/datasets` (list them). Handlers validate with `descriptor` and persist through a
//! [`MetadataStore`] on a blocking thread. `lib.rs` nests this router at `/api`.

pub mod datasets;
pub mod error;
pub mod json;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

pub use error::ApiError;

use crate::store::{MetadataStore, StoreError};

/// Largest request body the API reads; larger bodies get 413.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;

/// Shared state of the API handlers.
#[derive(Clone)]
pub struct ApiState {
    pub store: Arc<dyn MetadataStore>,
}

/// The router for everything under `/api` (to be nested there).
pub fn router(store: Arc<dyn MetadataStore>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/datasets", get(datasets::list).post(datasets::create))
        .fallback(not_found)
        .layer(middleware::map_response(json_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(ApiState { store })
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such API route; see /api/v1/health and /api/v1/datasets")
}

/// Turns error responses that axum makes on its own (405 and the like) into JSON errors, so a
/// client of `/api` only ever has to parse one error shape.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = status
        .canonical_reason()
        .unwrap_or("request failed")
        .to_ascii_lowercase();
    let (mut parts, _) = response.into_parts();
    let mut rebuilt = ApiError::new(status, message).into_response();
    // Keep headers such as `Allow` on a 405, but describe the new body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    std::mem::swap(rebuilt.headers_mut(), &mut parts.headers);
    rebuilt
}

/// Runs a store call on a blocking thread.
async fn with_store<T, F>(state: &ApiState, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn MetadataStore) -> Result<T, StoreError> + Send + 'static,
{
    let store = Arc::clone(&state.store);
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|join_error| {
            eprintln!("enclave-server: store task failed: {join_error}");
            ApiError::internal()
        })?
        .map_err(ApiError::from)
}
