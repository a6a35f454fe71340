//! Streaming mode: a file too large for this tab's memory stays in its worker unloaded, and
//! filters scan it. [`StreamingPanel`] says so in plain words (how much memory the file would
//! need, how much the tab can hold) and follows the scan: progress, then how many records were
//! kept of how many scanned. Applying a filter in this mode scans
//! ([`Selection::apply`](super::selection::Selection::apply)): the expression and region list
//! go to the worker (never to the server), which checks the expression first (an error shows at
//! once, with its caret) and then reads the whole file, keeping only the matching records; the
//! table then pages over those.

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;

use super::format::{Count, bytes};
use super::selection::{Scan, use_selection};
use super::state::LoadedFile;

/// Why the file is not loaded, what to do, the scan in progress and what it kept.
#[component]
pub fn StreamingPanel(file: Arc<LoadedFile>) -> impl IntoView {
    let f = use_selection();
    file.loaded.streaming.clone().map(|s| {
        let index = if s.indexed {
            "With an index, region queries read only their part of the file."
        } else {
            "Pick the file's .tbi or .csi index with it, and region queries read only their part of the file."
        };
        let scan = move || {
            f.scan.get().map(|scan| match scan {
                Scan::Reading { done, total } => Either::Left(view! {
                    <p class="muted">
                        "Scanning… "
                        <progress data-testid="stream-progress" value=done.to_string()
                            max=total.map(|t| t.to_string())></progress>
                        " " {bytes(done)} {total.map(|t| format!(" of {}", bytes(t)))}
                    </p>
                }),
                Scan::Kept { kept, scanned } => Either::Right(view! {
                    <p>
                        <Count n=kept testid="streaming-kept" /> " records kept of "
                        <Count n=scanned testid="streaming-scanned" /> " scanned."
                    </p>
                }),
            })
        };
        view! {
            <section
                class="panel streaming"
                data-testid="streaming-mode"
                data-value=s.estimate.bytes.to_string()
                aria-label="Streaming mode"
            >
                <h2>"Streaming mode"</h2>
                <p>
                    "This file would need about " {bytes(s.estimate.bytes)} " of memory; this \
                     browser tab can hold " {bytes(s.budget)} ". Enclave switched to streaming \
                     mode: enter a filter or a region and it reads the whole file, keeping only \
                     the matching records. " {index}
                </p>
                {scan}
            </section>
        }
    })
}
