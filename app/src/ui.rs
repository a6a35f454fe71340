//! The page: Leptos components on the main thread.
//!
//! [`App`] provides the page's shared state as context, each with its `provide_*_context` /
//! `use_*` pair: the [`WorkerClient`] ([`state::use_client`]), [`state::AppState`]
//! ([`state::use_app`]: the load in progress, the shown file, the error banner, the key panel's
//! file and key), the
//! [`Selection`](selection::Selection) ([`selection::use_selection`]: the filter and what the
//! table shows) and the [`Opener`](open::Opener) ([`open::use_opener`]: opening files, demos
//! and encrypted files). Components take what is theirs as props (the shown file as
//! [`state::LoadedFile`]) and the rest from context.
//!
//! Every request whose answer replaces something on screen runs in a [`latest::Latest`]: a
//! newer one aborts the older, whose answer then lands nowhere.
//!
//! Opening a file (input, drop or demo) goes through the [`Opener`](open::Opener) →
//! [`WorkerClient::open`]; its notes (an index's overview, progress) and its answer update the
//! state. A Crypt4GH-encrypted file is answered with `KeyRequired`: the page keeps the file's
//! handle and [`unlock::UnlockPanel`] asks for the secret key and passphrase, then opens the
//! same file again with them. A file too large for the memory budget (`?memory-budget=MB`)
//! opens in streaming mode ([`streaming`]).
//!
//! Components: [`open::OpenPanel`] (file input, demos, progress, cancel),
//! [`unlock::UnlockPanel`], [`overview::OverviewPanel`], [`summary::Summary`],
//! [`streaming::StreamingPanel`], [`region::RegionBox`], [`filter::FilterPanel`] (expression,
//! builder, presets, gene and region lists), [`family::FamilyPanel`] (pedigree, inheritance
//! modes, gates, why / why not), [`case::panel::CasePanel`] (the case kept in this browser,
//! its export and import), [`export::ExportControl`] (the records shown as VCF, TSV, JSON),
//! [`table::VariantTable`], [`qc::QcPanel`] (the QC statistics, plots and badges),
//! [`egress::EgressLog`];
//! shared SVG plots in [`plot`]. Everything derived from a file is shown on this page only;
//! what goes to the server is listed by [`egress::EgressLog`].
//!
//! Adding a panel: a component in its own module taking the shown file as a prop (or reading
//! context), added to [`App`]'s view; its own state in signals inside it, state other panels
//! share behind a `provide_*_context` / `use_*` pair; requests through [`state::use_client`] in
//! a `Latest`; drawings from [`plot`].

pub mod case;
pub mod detail;
pub mod download;
pub mod egress;
pub mod export;
pub mod family;
pub mod filter;
pub mod format;
pub mod keys;
pub mod latest;
pub mod open;
pub mod overview;
pub mod pedigree_check;
pub mod pedigree_drawing;
pub mod plot;
pub mod qc;
pub mod region;
pub mod selection;
pub mod state;
pub mod streaming;
pub mod summary;
pub mod table;
pub mod unlock;

use leptos::prelude::*;

use crate::worker_client::WorkerClient;
use state::{pool_size, provide_app_context, provide_client_context, query_param, use_app};

/// Mounts the app on `document.body`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let client = provide_client_context(WorkerClient::new(pool_size()));
    let state = provide_app_context();
    case::provide_case_context();
    let selection = selection::provide_selection_context(client.clone());
    let family = family::provide_family_context(client.clone(), selection);
    case::keep_case(selection, family);
    // The QC panel's trio numbers use the pedigree the workers accepted, never one being tried.
    let accepted_ped = Signal::derive(move || {
        family
            .info
            .with(Option::is_some)
            .then(|| family.ped.get().map(|(_, text)| text))
            .flatten()
    });
    let opener = open::provide_opener_context();
    client.set_on_lost(move |message| {
        state.loaded.set(None);
        state.fail("The loaded file was lost", message, None);
    });

    // Drag and drop anywhere on the page.
    let dragging = RwSignal::new(false);
    let on_dragover = window_event_listener(leptos::ev::dragover, move |event| {
        event.prevent_default();
        dragging.set(true);
    });
    let on_dragleave = window_event_listener(leptos::ev::dragleave, move |event| {
        // Leaving the window has no related target.
        if event.related_target().is_none() {
            dragging.set(false);
        }
    });
    let on_drop = window_event_listener(leptos::ev::drop, move |event| {
        event.prevent_default();
        dragging.set(false);
        let files = event
            .data_transfer()
            .and_then(|d| d.files())
            .map(open::file_list)
            .unwrap_or_default();
        opener.files(files);
    });
    on_cleanup(move || {
        on_dragover.remove();
        on_dragleave.remove();
        on_drop.remove();
    });

    // `/?demo=NAME` opens a bundled demo on start.
    if let Some(name) = query_param("demo") {
        opener.demo(name);
    }

    view! {
        <div class="app" class:dragging=move || dragging.get()>
            <header class="masthead">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <h1>"Enclave"</h1>
                    <span class="tagline">"private genome explorer"</span>
                </div>
                <p class="privacy">
                    "Your files are read in this browser only: nothing of their content is ever sent."
                </p>
            </header>
            <main>
                <open::OpenPanel />
                <unlock::UnlockPanel />
                <ErrorBanner />
                <Notice />
                <overview::OverviewPanel />
                {move || {
                    state
                        .loaded
                        .get()
                        .map(|file| {
                            view! {
                                <summary::Summary file=file.clone() />
                                <streaming::StreamingPanel file=file.clone() />
                                <filter::FilterPanel file=file.clone() />
                                <family::FamilyPanel file=file.clone() />
                                <case::panel::CasePanel file=file.clone() />
                                <region::RegionBox file=file.clone() />
                                <export::ExportControl file=file.clone() />
                                <table::VariantTable file=file.clone() />
                                <qc::QcPanel file=file ped=accepted_ped />
                            }
                        })
                }}
                <egress::EgressLog />
            </main>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop a VCF, bgzipped VCF or BCF file (Crypt4GH-encrypted or not, with its key) to open it here"</p>
            </div>
        </div>
    }
}

/// The failure of the last attempt; it stays until a file loads.
#[component]
fn ErrorBanner() -> impl IntoView {
    let state = use_app();
    move || {
        state.error.get().map(|error| {
            let location = error.location.clone().unwrap_or_default();
            view! {
                <div
                    class="banner error"
                    role="alert"
                    data-testid="error-banner"
                    data-line=location.line.map(|v| v.to_string())
                    data-record=location.record.map(|v| v.to_string())
                    data-offset=location.offset.map(|v| v.to_string())
                >
                    <strong>{error.title} ". "</strong>
                    <span class="message">{error.message}</span>
                    <button
                        class="dismiss"
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| state.error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}

#[component]
fn Notice() -> impl IntoView {
    let state = use_app();
    move || {
        state.notice.get().map(|notice| {
            view! {
                <div class="banner notice" role="status" data-testid="notice">
                    <span class="message">{notice}</span>
                    <button
                        class="dismiss"
                        type="button"
                        aria-label="Dismiss"
                        on:click=move |_| state.notice.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
