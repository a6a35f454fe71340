//! The SQLite [`MetadataStore`]: one database file in WAL mode, foreign keys on, schema migrations
//! applied in order and tracked with `PRAGMA user_version`.
//!
//! A single [`Connection`] sits behind a [`Mutex`]; callers are expected to be on a blocking thread
//! (`spawn_blocking`), never on the async runtime's workers.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Row, TransactionBehavior, params};
use time::OffsetDateTime;

use super::{
    DatasetId, DatasetOpened, EVENT_DATASET_OPENED, MetadataStore, StoreError, StoredDataset,
};
use crate::descriptor::{DatasetDescriptor, Fingerprint, Format, ReferenceBuild};
use crate::timestamp;

/// Schema migrations; entry `i` moves the schema from version `i` to version `i + 1`.
/// Never edit a released entry: append a new one.
const MIGRATIONS: &[&str] = &[
    // Version 1: dataset descriptors and the audit trail.
    "CREATE TABLE datasets (
        id              INTEGER PRIMARY KEY,
        fingerprint     TEXT    NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
        format          TEXT    NOT NULL CHECK (format IN ('vcf', 'vcf.gz', 'vcf.bgzf', 'bcf')),
        size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
        record_count    INTEGER NOT NULL CHECK (record_count >= 0),
        sample_count    INTEGER NOT NULL CHECK (sample_count >= 0),
        contig_count    INTEGER NOT NULL CHECK (contig_count >= 0),
        reference_build TEXT    CHECK (reference_build IS NULL OR length(reference_build) <= 32),
        first_seen_at   TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE audit_events (
        id          INTEGER PRIMARY KEY,
        event       TEXT    NOT NULL,
        dataset_id  INTEGER REFERENCES datasets (id) ON DELETE RESTRICT,
        occurred_at TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX audit_events_by_dataset ON audit_events (dataset_id, event);",
];

/// The schema version this server writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`MetadataStore`] in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`, creating missing parent directories, switching to
    /// WAL mode and applying pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDirectory {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source: rusqlite::Error| StoreError::Open {
            path: path.clone(),
            source: Box::new(source),
        };
        let mut connection = Connection::open(&path).map_err(open_error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        let journal_mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_error)?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open {
                path,
                source: format!("journal mode is {journal_mode:?}, not WAL").into(),
            });
        }
        connection
            .pragma_update(None, "foreign_keys", true)
            .map_err(open_error)?;
        migrate(&mut connection)?;
        Ok(Self {
            path,
            connection: Mutex::new(connection),
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.connection()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(query_error)
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held dropped any open transaction, which rolls it back, so the
        // connection is still consistent.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Applies every pending migration, each in its own immediate transaction so that two servers
/// starting on the same file never apply one twice.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    loop {
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(query_error)?;
        let current: i64 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(query_error)?;
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        let Some(sql) = usize::try_from(current)
            .ok()
            .and_then(|index| MIGRATIONS.get(index))
        else {
            return Err(StoreError::UnknownSchema {
                found: current,
                known: SCHEMA_VERSION,
            });
        };
        let version = current + 1;
        let migrate_error = |source: rusqlite::Error| StoreError::Migrate {
            version,
            source: Box::new(source),
        };
        tx.execute_batch(sql).map_err(migrate_error)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(migrate_error)?;
        tx.commit().map_err(migrate_error)?;
    }
}

fn query_error(source: rusqlite::Error) -> StoreError {
    StoreError::Query(Box::new(source))
}

/// Converts a validated count for an `INTEGER` column.
fn to_column(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|source| StoreError::Query(Box::new(source)))
}

impl MetadataStore for SqliteStore {
    fn record_dataset_opened(
        &self,
        descriptor: &DatasetDescriptor,
        at: OffsetDateTime,
    ) -> Result<DatasetOpened, StoreError> {
        let at = timestamp::format(at);
        let mut connection = self.connection();
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(query_error)?;
        let inserted = tx
            .execute(
                "INSERT INTO datasets (fingerprint, format, size_bytes, record_count, sample_count,
                                       contig_count, reference_build, first_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (fingerprint) DO NOTHING",
                params![
                    descriptor.fingerprint.as_str(),
                    descriptor.format.as_str(),
                    to_column(descriptor.size_bytes)?,
                    to_column(descriptor.record_count)?,
                    descriptor.sample_count,
                    descriptor.contig_count,
                    descriptor
                        .reference_build
                        .as_ref()
                        .map(ReferenceBuild::as_str),
                    at,
                ],
            )
            .map_err(query_error)?;
        let id: i64 = tx
            .query_row(
                "SELECT id FROM datasets WHERE fingerprint = ?1",
                [descriptor.fingerprint.as_str()],
                |row| row.get(0),
            )
            .map_err(query_error)?;
        tx.execute(
            "INSERT INTO audit_events (event, dataset_id, occurred_at) VALUES (?1, ?2, ?3)",
            params![EVENT_DATASET_OPENED, id, at],
        )
        .map_err(query_error)?;
        tx.commit().map_err(query_error)?;
        Ok(DatasetOpened {
            id: DatasetId(id),
            first_seen: inserted == 1,
        })
    }

    fn list_datasets(&self) -> Result<Vec<StoredDataset>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "WITH opens AS (
                     SELECT dataset_id, COUNT(*) AS open_count, MAX(id) AS last_event_id
                     FROM audit_events
                     WHERE event = ?1
                     GROUP BY dataset_id
                 )
                 SELECT d.id, d.format, d.size_bytes, d.record_count, d.sample_count, d.contig_count,
                        d.reference_build, d.fingerprint, e.occurred_at, o.open_count
                 FROM datasets AS d
                 JOIN opens AS o ON o.dataset_id = d.id
                 JOIN audit_events AS e ON e.id = o.last_event_id
                 ORDER BY o.last_event_id DESC",
            )
            .map_err(query_error)?;
        let rows = statement
            .query_map([EVENT_DATASET_OPENED], RawDataset::from_row)
            .map_err(query_error)?;
        rows.map(|row| row.map_err(query_error)?.into_stored())
            .collect()
    }
}

/// A `datasets` row as SQLite returns it, before its values are checked again.
struct RawDataset {
    id: i64,
    format: String,
    size_bytes: i64,
    record_count: i64,
    sample_count: i64,
    contig_count: i64,
    reference_build: Option<String>,
    fingerprint: String,
    opened_at: String,
    open_count: i64,
}

impl RawDataset {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            format: row.get(1)?,
            size_bytes: row.get(2)?,
            record_count: row.get(3)?,
            sample_count: row.get(4)?,
            contig_count: row.get(5)?,
            reference_build: row.get(6)?,
            fingerprint: row.get(7)?,
            opened_at: row.get(8)?,
            open_count: row.get(9)?,
        })
    }

    /// Re-validates the row: a database edited by hand must not smuggle free text into the API.
    fn into_stored(self) -> Result<StoredDataset, StoreError> {
        let id = self.id;
        let invalid = |reason: String| StoreError::InvalidRow { id, reason };
        let count = |field: &str, value: i64| {
            u64::try_from(value).map_err(|_| invalid(format!("{field} is negative")))
        };
        let small_count = |field: &str, value: i64| {
            u32::try_from(value).map_err(|_| invalid(format!("{field} is out of range")))
        };
        let format: Format = self
            .format
            .parse()
            .map_err(|e: crate::descriptor::ValidationError| invalid(e.to_string()))?;
        let reference_build = self
            .reference_build
            .map(ReferenceBuild::new)
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        let fingerprint = Fingerprint::new(self.fingerprint).map_err(|e| invalid(e.to_string()))?;
        let opened_at = timestamp::parse(&self.opened_at)
            .map_err(|e| invalid(format!("opened_at is not RFC 3339: {e}")))?;
        Ok(StoredDataset {
            id: DatasetId(id),
            descriptor: DatasetDescriptor {
                format,
                size_bytes: count("size_bytes", self.size_bytes)?,
                record_count: count("record_count", self.record_count)?,
                sample_count: small_count("sample_count", self.sample_count)?,
                contig_count: small_count("contig_count", self.contig_count)?,
                reference_build,
                fingerprint,
            },
            opened_at,
            open_count: count("open_count", self.open_count)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::DescriptorRequest;
    use enclave_test_support::files::TempDir;

    fn descriptor(fingerprint_digit: char) -> DatasetDescriptor {
        DatasetDescriptor::try_from(DescriptorRequest {
            format: "vcf.bgzf".to_owned(),
            size_bytes: 275_000_000,
            record_count: 5_000_000,
            sample_count: 1,
            contig_count: 25,
            reference_build: Some("GRCh38".to_owned()),
            fingerprint: fingerprint_digit.to_string().repeat(64),
        })
        .unwrap()
    }

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000 + seconds).unwrap()
    }

    #[test]
    fn open_creates_parent_directories_wal_and_schema() {
        let dir = TempDir::new("sqlite");
        let path = dir.path().join("nested/deeper/enclave.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        assert!(path.exists());
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let connection = store.connection();
        let mode: String = connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let foreign_keys: bool = connection
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert!(foreign_keys);
    }

    #[test]
    fn reopening_keeps_data_and_does_not_remigrate() {
        let dir = TempDir::new("sqlite");
        let path = dir.path().join("enclave.sqlite3");
        let opened = SqliteStore::open(&path)
            .unwrap()
            .record_dataset_opened(&descriptor('a'), at(0))
            .unwrap();
        assert!(opened.first_seen);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let datasets = store.list_datasets().unwrap();
        assert_eq!(datasets.len(), 1);
        assert_eq!(datasets[0].id, opened.id);
        assert_eq!(datasets[0].descriptor, descriptor('a'));
        assert_eq!(datasets[0].opened_at, at(0));
        assert_eq!(datasets[0].open_count, 1);
    }

    #[test]
    fn same_fingerprint_is_one_dataset_with_many_opens() {
        let dir = TempDir::new("sqlite");
        let store = SqliteStore::open(dir.path().join("db")).unwrap();
        let first = store
            .record_dataset_opened(&descriptor('a'), at(0))
            .unwrap();
        let other = store
            .record_dataset_opened(&descriptor('b'), at(1))
            .unwrap();
        let again = store
            .record_dataset_opened(&descriptor('a'), at(2))
            .unwrap();
        assert!(first.first_seen && other.first_seen && !again.first_seen);
        assert_eq!(first.id, again.id);
        assert_ne!(first.id, other.id);

        // Most recently opened first.
        let datasets = store.list_datasets().unwrap();
        let summary: Vec<_> = datasets
            .iter()
            .map(|d| (d.id, d.open_count, d.opened_at))
            .collect();
        assert_eq!(summary, [(first.id, 2, at(2)), (other.id, 1, at(1))]);

        let events: i64 = store
            .connection()
            .query_row(
                "SELECT COUNT(*) FROM audit_events WHERE event = 'dataset_opened'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(events, 3);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = TempDir::new("sqlite");
        let path = dir.path().join("db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let error = SqliteStore::open(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::UnknownSchema { found, known } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
            "{error:?}"
        );
    }

    #[test]
    fn audit_events_need_an_existing_dataset() {
        let dir = TempDir::new("sqlite");
        let store = SqliteStore::open(dir.path().join("db")).unwrap();
        let result = store.connection().execute(
            "INSERT INTO audit_events (event, dataset_id, occurred_at) VALUES ('dataset_opened', 42, 'x')",
            [],
        );
        assert!(result.is_err(), "foreign keys must be enforced");
    }

    #[test]
    fn a_hand_edited_row_is_reported_not_served() {
        let dir = TempDir::new("sqlite");
        let store = SqliteStore::open(dir.path().join("db")).unwrap();
        let opened = store
            .record_dataset_opened(&descriptor('c'), at(0))
            .unwrap();
        store
            .connection()
            .execute(
                "UPDATE datasets SET reference_build = 'Jane Doe' WHERE id = ?1",
                [opened.id.0],
            )
            .unwrap();
        let error = store.list_datasets().unwrap_err();
        assert!(
            matches!(error, StoreError::InvalidRow { id, .. } if id == opened.id.0),
            "{error:?}"
        );
    }
}
