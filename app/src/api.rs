//! Everything the page sends over the network, and the log that shows it.
//!
//! [`Api`] is the only code in the app that makes requests: `GET` of a bundled demo file (from the
//! page's own origin; for the encrypted demo also its public demo key) and `POST /api/v1/datasets` with a [`DatasetDescriptor`]. Every request is
//! appended to the egress log (method, URL, exact body, then its outcome), which the page always
//! shows. A descriptor holds exactly the fields the server accepts: a format name, counts, a
//! reference build label and the salted fingerprint. Never names, samples, positions or content.
//!
//! The fingerprint salt ([`salt`]) lives in `localStorage` and only ever goes to the worker.

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, RequestInit, Response};

/// Where the browser keeps the fingerprint salt (hex).
const SALT_KEY: &str = "enclave.salt";
const SALT_BYTES: usize = 32;
/// The server's limits on a reference build label (`server/src/descriptor.rs`).
const REFERENCE_BUILD_MAX_LEN: usize = 32;

/// A bundled demo, opened by `/?demo=NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demo {
    pub name: &'static str,
    /// The data file, relative to the page.
    pub path: &'static str,
    /// For an encrypted demo: its demo key.
    pub key: Option<DemoKey>,
    /// A family demo's PED file, relative to the page (issue 14).
    pub ped: Option<&'static str>,
}

/// The secret key of an encrypted demo. A public demo key: its passphrase is shown on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoKey {
    /// The `.sec` file, relative to the page.
    pub path: &'static str,
    pub passphrase: &'static str,
}

/// The bundled demos (`static/demo/SOURCE.md`).
pub const DEMOS: &[Demo] = &[
    Demo {
        name: "trio",
        path: "demo/trio.vcf.gz",
        key: None,
        ped: None,
    },
    Demo {
        name: "trio-encrypted",
        path: "demo/trio.vcf.gz.c4gh",
        key: Some(DemoKey {
            path: "demo/demo-key.sec",
            passphrase: "enclave-demo",
        }),
        ped: None,
    },
    // The family demos (issue 14): the synthetic annotated families first, so every mode has
    // hits, then the GIAB trio with unaffected parents.
    Demo {
        name: "family",
        path: "demo/family.vcf",
        key: None,
        ped: Some("demo/family.ped"),
    },
    Demo {
        name: "family-trio",
        path: "demo/trio.vcf.gz",
        key: None,
        ped: Some("demo/trio-affected-kid.ped"),
    },
];

/// The bundled demo called `name`.
pub fn demo(name: &str) -> Result<&'static Demo, String> {
    DEMOS.iter().find(|d| d.name == name).ok_or_else(|| {
        let known: Vec<&str> = DEMOS.iter().map(|d| d.name).collect();
        format!(
            "there is no bundled demo named “{name}”; known: {}",
            known.join(", ")
        )
    })
}

/// The facts about a loaded file that the server records, in its wire shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetDescriptor {
    pub format: String,
    pub size_bytes: u64,
    pub record_count: u64,
    pub sample_count: u32,
    pub contig_count: u32,
    pub reference_build: Option<String>,
    pub fingerprint: String,
}

impl DatasetDescriptor {
    /// Keeps a reference build label only if the server would accept it (a short plain label).
    pub fn reference_build(label: Option<&str>) -> Option<String> {
        label
            .filter(|l| !l.is_empty() && l.len() <= REFERENCE_BUILD_MAX_LEN)
            .filter(|l| {
                l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            })
            .map(str::to_string)
    }
}

/// One request the page made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressEntry {
    pub id: u32,
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// The exact body sent (empty for none).
    pub body: String,
    /// `HTTP 201`, `failed: …`; `None` while in flight.
    pub outcome: Option<String>,
}

/// The network side of the page. `Copy`: it is a handle on the egress log.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    log: RwSignal<Vec<EgressEntry>>,
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    pub fn new() -> Self {
        Self {
            log: RwSignal::new(Vec::new()),
        }
    }

    /// Every request made so far, oldest first.
    pub fn log(&self) -> ReadSignal<Vec<EgressEntry>> {
        self.log.read_only()
    }

    /// Fetches a bundled demo file (`path` as in [`DEMOS`]) from the page's own origin.
    pub async fn fetch_demo_file(&self, path: &str) -> Result<Blob, String> {
        let response = self.send("GET", path, None).await?;
        let blob = response.blob().map_err(|e| js_message(&e))?;
        let blob = JsFuture::from(blob).await.map_err(|e| js_message(&e))?;
        blob.dyn_into::<Blob>()
            .map_err(|_| "the demo download is not a file".to_string())
    }

    /// Records that a dataset was opened: `POST /api/v1/datasets`.
    pub async fn post_descriptor(&self, descriptor: &DatasetDescriptor) -> Result<(), String> {
        let body = serde_json::to_string(descriptor).map_err(|e| e.to_string())?;
        self.send("POST", "/api/v1/datasets", Some(body))
            .await
            .map(drop)
    }

    /// Sends one request, logging it first and its outcome after.
    async fn send(
        &self,
        method: &str,
        url: &str,
        json_body: Option<String>,
    ) -> Result<Response, String> {
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = &json_body {
            init.set_body(&body.into());
        }
        let request =
            web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| js_message(&e))?;
        if json_body.is_some() {
            request
                .headers()
                .set("Content-Type", "application/json")
                .map_err(|e| js_message(&e))?;
        }
        let id = self.log.with_untracked(|log| log.len() as u32);
        self.log.update(|log| {
            log.push(EgressEntry {
                id,
                method: method.to_string(),
                url: request.url(),
                body: json_body.clone().unwrap_or_default(),
                outcome: None,
            })
        });
        let result = async {
            let window = web_sys::window().ok_or("no window")?;
            let response = JsFuture::from(window.fetch_with_request(&request))
                .await
                .map_err(|e| js_message(&e))?;
            let response: Response = response
                .dyn_into()
                .map_err(|_| "not a response".to_string())?;
            Ok::<_, String>(response)
        }
        .await;
        let outcome = match &result {
            Ok(response) => format!("HTTP {}", response.status()),
            Err(e) => format!("failed: {e}"),
        };
        self.log.update(|log| {
            if let Some(entry) = log.iter_mut().find(|e| e.id == id) {
                entry.outcome = Some(outcome);
            }
        });
        let response = result?;
        if !response.ok() {
            return Err(format!(
                "{method} {url} answered HTTP {}",
                response.status()
            ));
        }
        Ok(response)
    }
}

/// The browser's fingerprint salt: 32 random bytes kept in `localStorage`, created on first use.
/// Without storage (private windows may refuse it) the salt lasts as long as the page.
pub fn salt() -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let storage = window.local_storage().ok().flatten();
    if let Some(bytes) = storage
        .as_ref()
        .and_then(|s| s.get_item(SALT_KEY).ok().flatten())
        .and_then(|hex| decode_hex(&hex))
        .filter(|bytes| bytes.len() == SALT_BYTES)
    {
        return Ok(bytes);
    }
    let mut bytes = vec![0u8; SALT_BYTES];
    window
        .crypto()
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes))
        .map_err(|e| {
            format!(
                "the browser cannot make random numbers for the fingerprint salt: {}",
                js_message(&e)
            )
        })?;
    if let Some(storage) = storage {
        // A storage quota error only means the next visit gets a new salt.
        let _ = storage.set_item(SALT_KEY, &encode_hex(&bytes));
    }
    Ok(bytes)
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// The message of a JS exception.
pub(crate) fn js_message(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode_hex(&encode_hex(&bytes)), Some(bytes));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }

    #[wasm_bindgen_test]
    fn descriptor_has_exactly_the_server_fields() {
        let d = DatasetDescriptor {
            format: "vcf.bgzf".into(),
            size_bytes: 10,
            record_count: 2,
            sample_count: 3,
            contig_count: 1,
            reference_build: DatasetDescriptor::reference_build(Some("GRCh37")),
            fingerprint: "ab".repeat(32),
        };
        let json = serde_json::to_value(&d).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "contig_count",
                "fingerprint",
                "format",
                "record_count",
                "reference_build",
                "sample_count",
                "size_bytes"
            ]
        );
        assert_eq!(
            DatasetDescriptor::reference_build(Some("file:///x.fa")),
            None
        );
    }
}
