//! A small hand-written wrapper over the browser's IndexedDB (web-sys), holding one thing: each
//! case's JSON under its dataset's salted fingerprint, in the object store `cases` of the
//! database `enclave` (version 1). IndexedDB rather than `localStorage`: a case with many notes
//! outgrows `localStorage`'s few megabytes, and IndexedDB does not block the page.
//!
//! [`load`], [`save`] and [`remove`] return futures (one request each, in its own transaction),
//! resolved by the request's `success` / `error` events. Nothing here touches the network.

use futures_channel::oneshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "enclave";
const VERSION: u32 = 1;
const STORE: &str = "cases";

/// Why IndexedDB did not answer (private browsing without storage, a quota, a blocked upgrade).
#[derive(Debug, Clone, PartialEq)]
pub struct IdbError(pub String);

impl std::fmt::Display for IdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the browser's storage (IndexedDB) failed: {}", self.0)
    }
}

fn js_error(value: JsValue) -> IdbError {
    IdbError(
        value
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| value.as_string())
            .unwrap_or_else(|| "unknown error".into()),
    )
}

/// The request's result once it succeeds.
async fn finished(request: &IdbRequest) -> Result<JsValue, IdbError> {
    let (send, receive) = oneshot::channel::<Result<(), ()>>();
    let send = std::rc::Rc::new(std::cell::RefCell::new(Some(send)));
    let on_success = {
        let send = send.clone();
        Closure::once(move |_: web_sys::Event| {
            if let Some(s) = send.borrow_mut().take() {
                let _ = s.send(Ok(()));
            }
        })
    };
    let on_error = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = send.borrow_mut().take() {
            let _ = s.send(Err(()));
        }
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let outcome = receive.await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(Ok(())) => request.result().map_err(js_error),
        _ => Err(match request.error() {
            Ok(Some(e)) => IdbError(e.message()),
            _ => IdbError("the request failed".into()),
        }),
    }
}

/// Opens the database, creating the store on first use.
async fn open() -> Result<IdbDatabase, IdbError> {
    let factory = web_sys::window()
        .ok_or_else(|| IdbError("no window".into()))?
        .indexed_db()
        .map_err(js_error)?
        .ok_or_else(|| IdbError("IndexedDB is not available".into()))?;
    let request = factory.open_with_u32(DATABASE, VERSION).map_err(js_error)?;
    let upgrade = {
        let request = request.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>())
                && !db.object_store_names().contains(STORE)
            {
                let _ = db.create_object_store(STORE);
            }
        })
    };
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = finished(&request).await;
    request.set_onupgradeneeded(None);
    db?.dyn_into::<IdbDatabase>().map_err(js_error)
}

/// The case JSON kept for `fingerprint`, if any.
pub async fn load(fingerprint: &str) -> Result<Option<String>, IdbError> {
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)
            .map_err(js_error)?;
        let store = tx.object_store(STORE).map_err(js_error)?;
        let request = store
            .get(&JsValue::from_str(fingerprint))
            .map_err(js_error)?;
        Ok(finished(&request).await?.as_string())
    }
    .await;
    db.close();
    result
}

/// Keeps `json` as the case of `fingerprint`, replacing the one before.
pub async fn save(fingerprint: &str, json: &str) -> Result<(), IdbError> {
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        let store = tx.object_store(STORE).map_err(js_error)?;
        let request = store
            .put_with_key(&JsValue::from_str(json), &JsValue::from_str(fingerprint))
            .map_err(js_error)?;
        finished(&request).await.map(drop)
    }
    .await;
    db.close();
    result
}

/// Forgets the case of `fingerprint`.
pub async fn remove(fingerprint: &str) -> Result<(), IdbError> {
    let db = open().await?;
    let result = async {
        let tx = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        let store = tx.object_store(STORE).map_err(js_error)?;
        let request = store
            .delete(&JsValue::from_str(fingerprint))
            .map_err(js_error)?;
        finished(&request).await.map(drop)
    }
    .await;
    db.close();
    result
}
