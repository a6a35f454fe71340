//! The typed, versioned messages between the UI and an engine worker.
//!
//! The UI sends a [`Request`], the worker answers with [`Event`]s; every request and every event
//! but [`Event::Ready`] carries the `job` id the UI assigned, so answers can be routed. Both are
//! converted with `serde-wasm-bindgen` and wrapped in an [`Envelope`]: a plain JS object
//! `{v, msg, file?}` where `v` is [`PROTOCOL_VERSION`]. A `Blob` cannot go through serde, so it
//! travels beside the message as `file`: `postMessage` hands the worker a handle to it, never
//! its bytes.
//!
//! Data flow: `worker_client` → `postMessage(envelope)` → `worker` → engine → events back.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_core::store::{Row, SortKey};
use wasm_core::{Location, Summary};

/// Bumped whenever a message changes shape; both ends refuse other versions.
pub const PROTOCOL_VERSION: u32 = 1;

/// Work the UI asks of a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    /// Read the `Blob` posted beside this message into the worker's dataset.
    Open {
        job: u32,
        /// The browser's fingerprint salt; it goes to the worker and nowhere else.
        salt: Vec<u8>,
        /// The file's name, for messages shown on this page only; never sent to the server.
        name_hint: String,
    },
    /// One page of the loaded dataset's rows, in a sort order.
    Rows {
        job: u32,
        offset: u64,
        limit: u32,
        sort: SortKey,
        descending: bool,
    },
}

impl Request {
    pub fn job(&self) -> u32 {
        match self {
            Self::Open { job, .. } | Self::Rows { job, .. } => *job,
        }
    }
}

/// What a worker reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The worker's wasm instance is initialised and listens; sent once, first.
    Ready { version: u32 },
    /// `done` raw bytes of `total` read.
    Progress {
        job: u32,
        done: u64,
        total: Option<u64>,
    },
    /// The file is loaded; the worker now holds its dataset.
    Loaded {
        job: u32,
        summary: Summary,
        /// INFO keys the table shows as columns.
        info_keys: Vec<String>,
        /// FORMAT keys shown beside each genotype.
        format_keys: Vec<String>,
        /// The salted fingerprint (`wasm_core::fingerprint`).
        fingerprint: String,
        /// `vcf`, `vcf.gz`, `vcf.bgzf` or `bcf`: the descriptor's format name.
        format: String,
        /// Time to read the file, in milliseconds.
        millis: f64,
    },
    /// A page of rows.
    Rows {
        job: u32,
        total: u64,
        offset: u64,
        rows: Vec<Row>,
    },
    /// The job failed; `message` says what and where.
    Failed {
        job: u32,
        message: String,
        location: Option<Location>,
    },
}

impl Event {
    /// The job this event answers; `None` for [`Event::Ready`].
    pub fn job(&self) -> Option<u32> {
        match self {
            Self::Ready { .. } => None,
            Self::Progress { job, .. }
            | Self::Loaded { job, .. }
            | Self::Rows { job, .. }
            | Self::Failed { job, .. } => Some(*job),
        }
    }

    /// Whether this event ends its job (no more events follow for it).
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Ready { .. } | Self::Progress { .. })
    }
}

/// The descriptor format name for a file's container and payload.
pub fn format_name(summary: &Summary) -> &'static str {
    use wasm_core::formats::{Compression, Payload};
    match (summary.payload, summary.compression) {
        (Payload::Bcf, _) => "bcf",
        (Payload::Vcf, Compression::None) => "vcf",
        (Payload::Vcf, Compression::Gzip) => "vcf.gz",
        (Payload::Vcf, Compression::Bgzf) => "vcf.bgzf",
    }
}

/// Why a posted message could not be understood.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtocolError {
    NotAnEnvelope,
    Version(Option<f64>),
    Message(String),
    MissingFile,
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnEnvelope => f.write_str("the message is not an Enclave envelope"),
            Self::Version(Some(v)) => {
                write!(
                    f,
                    "the message has protocol version {v}, expected {PROTOCOL_VERSION}: reload the page"
                )
            }
            Self::Version(None) => f.write_str("the message has no protocol version"),
            Self::Message(e) => write!(f, "the message is malformed: {e}"),
            Self::MissingFile => f.write_str("the message carries no file"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// A message as posted: `{v, msg, file?}`.
pub struct Envelope<T> {
    pub msg: T,
    pub file: Option<web_sys::Blob>,
}

impl<T: Serialize> Envelope<T> {
    pub fn new(msg: T) -> Self {
        Self { msg, file: None }
    }

    pub fn with_file(msg: T, file: web_sys::Blob) -> Self {
        Self {
            msg,
            file: Some(file),
        }
    }

    /// The JS object to hand to `postMessage`.
    pub fn to_js(&self) -> Result<JsValue, ProtocolError> {
        let msg = serde_wasm_bindgen::to_value(&self.msg)
            .map_err(|e| ProtocolError::Message(e.to_string()))?;
        let obj = js_sys::Object::new();
        let set =
            |k: &str, v: &JsValue| js_sys::Reflect::set(&obj, &JsValue::from_str(k), v).map(|_| ());
        set("v", &JsValue::from(PROTOCOL_VERSION))
            .and_then(|_| set("msg", &msg))
            .and_then(|_| match &self.file {
                Some(file) => set("file", file.as_ref()),
                None => Ok(()),
            })
            .map_err(|_| ProtocolError::NotAnEnvelope)?;
        Ok(obj.into())
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads a posted envelope, checking its version.
    pub fn from_js(data: &JsValue) -> Result<Self, ProtocolError> {
        if !data.is_object() {
            return Err(ProtocolError::NotAnEnvelope);
        }
        let get = |k: &str| {
            js_sys::Reflect::get(data, &JsValue::from_str(k))
                .map_err(|_| ProtocolError::NotAnEnvelope)
        };
        let v = get("v")?.as_f64();
        if v != Some(f64::from(PROTOCOL_VERSION)) {
            return Err(ProtocolError::Version(v));
        }
        let msg = serde_wasm_bindgen::from_value(get("msg")?)
            .map_err(|e| ProtocolError::Message(e.to_string()))?;
        let file = get("file")?.dyn_into::<web_sys::Blob>().ok();
        Ok(Self { msg, file })
    }
}
