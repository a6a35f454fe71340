//! Opening files: the file input (data, index and key files together), the demo buttons, the
//! drop hint, and the load in progress (a progress bar in bytes and a Cancel button).

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::format::{bytes, group};
use super::{cancel, file_list, open_demo, open_files, use_app_state};

#[component]
pub fn OpenPanel() -> impl IntoView {
    let state = use_app_state();
    let on_change = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        let files = input.files().map(file_list).unwrap_or_default();
        // Cleared so that choosing the same file again opens it again.
        input.set_value("");
        open_files(state, files);
    };
    view! {
        <section class="panel open-panel" aria-label="Open a file">
            <div class="open-actions">
                <label class="button primary file-button">
                    <input
                        type="file"
                        multiple=true
                        data-testid="open-file"
                        on:change=on_change
                    />
                    "Open files…"
                </label>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo"
                    on:click=move |_| open_demo(state, "trio".into())
                >
                    "Open demo: trio"
                </button>
                <button
                    type="button"
                    class="button"
                    data-testid="open-demo-encrypted"
                    on:click=move |_| open_demo(state, "trio-encrypted".into())
                >
                    "Demo: trio, Crypt4GH-encrypted"
                </button>
                <p class="hint">
                    "VCF, bgzipped VCF or BCF, optionally Crypt4GH-encrypted (pick your secret key "
                    "with it) and with its .tbi or .csi index — or drop files anywhere on this page. "
                    "The format is recognised from the file's bytes."
                </p>
            </div>
            <LoadStatus />
        </section>
    }
}

/// The load in progress: bytes done of total, and Cancel.
///
/// The frame renders once per load; only the numbers follow progress, so the Cancel button is
/// never replaced under the pointer.
#[component]
fn LoadStatus() -> impl IntoView {
    let state = use_app_state();
    let active = Memo::new(move |_| state.load.with(Option::is_some));
    let done = move || state.load.with(|l| l.as_ref().map_or(0, |l| l.done));
    let total = move || state.load.with(|l| l.as_ref().map_or(0, |l| l.total));
    let name = move || {
        state
            .load
            .with(|l| l.as_ref().map(|l| l.name.clone()).unwrap_or_default())
    };
    let known = move || total() > 0;
    view! {
        <Show when=move || active.get()>
            <div class="load-status" role="status" aria-live="polite">
                <div class="load-line">
                    <span class="load-name">"Reading “" {name} "”"</span>
                    <span class="load-bytes" data-testid="progress-text">
                        <span class="num" data-value=move || done().to_string()>
                            {move || bytes(done())}
                        </span>
                        " of "
                        <span class="num" data-value=move || known().then(|| total().to_string())>
                            {move || if known() { bytes(total()) } else { "unknown size".into() }}
                        </span>
                        {move || {
                            known()
                                .then(|| {
                                    format!(" ({:.0} %)", (done() as f64 / total() as f64 * 100.0).min(100.0))
                                })
                        }}
                    </span>
                    <button
                        type="button"
                        class="button danger"
                        data-testid="cancel"
                        on:click=move |_| cancel(state)
                    >
                        "Cancel"
                    </button>
                </div>
                <progress
                    data-testid="progress"
                    value=move || known().then(|| done().to_string())
                    max=move || known().then(|| total().to_string())
                    data-value=move || done().to_string()
                    aria-label=move || format!("{} bytes read of {}", group(done()), group(total()))
                ></progress>
            </div>
        </Show>
    }
}
