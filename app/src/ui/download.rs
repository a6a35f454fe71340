//! Offering bytes the page made as a file: a `Blob`, a `blob:` URL, a hidden anchor clicked, the
//! URL revoked a minute later. Nothing is sent. Used by the QC panel's TSVs, the export and the
//! encrypted case file.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Offers the concatenation of `parts` as a file named `name` of type `mime`.
pub fn offer(name: &str, parts: &[&[u8]], mime: &str) {
    let array = js_sys::Array::new();
    for p in parts {
        array.push(&js_sys::Uint8Array::from(*p));
    }
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &bag) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Some(a) = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    if let Some(body) = document().body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}
