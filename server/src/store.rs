//! The metadata store: where dataset descriptors and audit events live.
//!
//! [`MetadataStore`] is the boundary between the HTTP API (`api`) and a database. The embedded default
//! is [`sqlite::SqliteStore`] (one file, WAL, numbered migrations); a PostgreSQL store can implement the
//! same trait when one machine is outgrown. Methods are synchronous and may block: the API calls them
//! from `tokio::task::spawn_blocking`.

pub mod sqlite;

use std::error::Error as StdError;
use std::path::PathBuf;

use serde::Serialize;
use time::OffsetDateTime;

use crate::descriptor::DatasetDescriptor;

/// The audit event recorded each time a browser reports opening a dataset.
pub const EVENT_DATASET_OPENED: &str = "dataset_opened";

/// A boxed backend error, kept as the typed source of a [`StoreError`].
pub type BackendError = Box<dyn StdError + Send + Sync + 'static>;

/// Persistent metadata: dataset descriptors and the audit trail of their openings.
pub trait MetadataStore: Send + Sync + 'static {
    /// Records that a dataset was opened at `at`: stores the descriptor if its fingerprint is new
    /// (an existing descriptor is kept as first seen) and appends a `dataset_opened` audit event,
    /// both in one transaction.
    fn record_dataset_opened(
        &self,
        descriptor: &DatasetDescriptor,
        at: OffsetDateTime,
    ) -> Result<DatasetOpened, StoreError>;

    /// Every known dataset, most recently opened first.
    fn list_datasets(&self) -> Result<Vec<StoredDataset>, StoreError>;
}

/// A dataset's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DatasetId(pub i64);

/// The outcome of [`MetadataStore::record_dataset_opened`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatasetOpened {
    pub id: DatasetId,
    /// False when a descriptor with the same fingerprint was already stored.
    pub first_seen: bool,
}

/// A stored descriptor with its audit summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDataset {
    pub id: DatasetId,
    pub descriptor: DatasetDescriptor,
    /// When the dataset was last opened (UTC).
    pub opened_at: OffsetDateTime,
    /// How many `dataset_opened` events it has.
    pub open_count: u64,
}

/// Errors of a metadata store. Messages say what failed and where; the backend's own text is the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database directory {path}")]
    CreateDirectory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the metadata database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: BackendError,
    },
    #[error(
        "the metadata database has schema version {found}, which this server (schema version {known}) does not know; run a newer server"
    )]
    UnknownSchema { found: i64, known: i64 },
    #[error("migrating the metadata database to schema version {version} failed")]
    Migrate {
        version: i64,
        #[source]
        source: BackendError,
    },
    #[error("metadata query failed")]
    Query(#[source] BackendError),
    #[error("stored dataset {id} is invalid: {reason}")]
    InvalidRow { id: i64, reason: String },
}
