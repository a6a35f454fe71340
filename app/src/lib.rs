//! Enclave's browser app: the Leptos UI on the main thread and the engine's Web Worker entry.
//!
//! The crate is built into two wasm modules (features `page` and `worker`, see Cargo.toml):
//! `pkg/app.js` for the page, whose `static/main.js` calls [`start_app`], and `pkg/engine.js` for
//! the workers, whose `static/worker.js` calls [`worker_main`]. The page's module holds no parser,
//! inflater or cipher, so the page is usable while each worker fetches and compiles the engine.
//! Nothing starts on its own (there is no `#[wasm_bindgen(start)]`).
//!
//! Data flow: a file chosen in [`ui`] → [`worker_client`] posts it (a `Blob` handle) with a
//! [`protocol::Request`] → [`worker`] reads it through [`blob_reader::BlobReader`] into
//! `wasm_core`, held as a [`session::Session`] (filter, sort orders) → [`protocol::Event`]s back →
//! the client's typed replies, awaited by [`ui`]. A Crypt4GH file is answered with
//! `KeyRequired`; the key panel ([`ui::unlock`]) sends the same `Blob` again with the secret key
//! and passphrase, to the worker only. Only [`api`]
//! talks to the server, and it logs every request it makes; filter expressions, region and gene
//! lists, keys and passphrases stay between the page and its workers.

pub mod api;
pub mod blob_reader;
pub mod protocol;
pub mod session;
pub mod shards;
pub mod ui;
pub mod worker;
pub mod worker_client;

pub use worker::worker_main;

/// Mounts the UI on `document.body`. Called by `static/main.js`; exported by the page module
/// (feature `page`), not by the engine's.
#[cfg_attr(feature = "page", wasm_bindgen::prelude::wasm_bindgen)]
pub fn start_app() {
    console_error_panic_hook::set_once();
    ui::mount();
}
