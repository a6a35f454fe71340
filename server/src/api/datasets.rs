//! `/api/v1/datasets`: a browser reports that it opened a dataset (`POST`, a descriptor in, the
//! dataset id out) and lists what has been opened (`GET`). Each `POST` appends an audit event.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::json::JsonBody;
use super::{ApiError, ApiState, with_store};
use crate::descriptor::{DatasetDescriptor, DescriptorRequest, Format};
use crate::store::{DatasetId, StoredDataset};
use crate::timestamp;

/// Response of `POST /api/v1/datasets`.
#[derive(Debug, Serialize)]
pub struct Created {
    pub id: DatasetId,
    /// False when a descriptor with the same fingerprint was already stored.
    pub first_seen: bool,
}

/// Response of `GET /api/v1/datasets`.
#[derive(Debug, Serialize)]
pub struct DatasetList {
    pub datasets: Vec<DatasetView>,
}

/// One dataset as listed: its descriptor plus when it was last opened and how often.
#[derive(Debug, Serialize)]
pub struct DatasetView {
    pub id: DatasetId,
    pub format: Format,
    pub size_bytes: u64,
    pub record_count: u64,
    pub sample_count: u32,
    pub contig_count: u32,
    pub reference_build: Option<String>,
    pub fingerprint: String,
    /// RFC 3339, UTC: the most recent opening.
    pub opened_at: String,
    pub open_count: u64,
}

impl From<StoredDataset> for DatasetView {
    fn from(stored: StoredDataset) -> Self {
        let StoredDataset {
            id,
            descriptor,
            opened_at,
            open_count,
        } = stored;
        Self {
            id,
            format: descriptor.format,
            size_bytes: descriptor.size_bytes,
            record_count: descriptor.record_count,
            sample_count: descriptor.sample_count,
            contig_count: descriptor.contig_count,
            reference_build: descriptor
                .reference_build
                .map(|build| build.as_str().to_owned()),
            fingerprint: descriptor.fingerprint.as_str().to_owned(),
            opened_at: timestamp::format(opened_at),
            open_count,
        }
    }
}

/// `POST /api/v1/datasets`.
pub async fn create(
    State(state): State<ApiState>,
    JsonBody(request): JsonBody<DescriptorRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let descriptor = DatasetDescriptor::try_from(request)?;
    let at = timestamp::now();
    let opened = with_store(&state, move |store| {
        store.record_dataset_opened(&descriptor, at)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            id: opened.id,
            first_seen: opened.first_seen,
        }),
    ))
}

/// `GET /api/v1/datasets`: most recently opened first.
pub async fn list(State(state): State<ApiState>) -> Result<Json<DatasetList>, ApiError> {
    let stored = with_store(&state, |store| store.list_datasets()).await?;
    Ok(Json(DatasetList {
        datasets: stored.into_iter().map(DatasetView::from).collect(),
    }))
}
