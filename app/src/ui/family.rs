//! The Family panel (issue 14, CLINICAL.md §1–2): the pedigree tied to the shown file, a
//! checkbox per inheritance mode, the quality gates and the lenient switch, and "why / why not"
//! for one row (shown by the table, under that row).
//!
//! [`Family`] (context: [`provide_family_context`] / [`use_family`]) keeps the PED text on this
//! page (picked with the data and recognised by its content in [`super::open`], written by the
//! [`builder`], or bundled with `/?demo=family`) and the modes, gates and strictness chosen. It
//! sends the PED to the workers holding the file ([`WorkerClient::pedigree`]) — never to the
//! server — and the ticked modes ([`WorkerClient::inheritance`]), whose answer is the filter's
//! report with one clause per mode: it becomes the [`Selection`]'s report, so `filtered-count`,
//! the "removed by" list and the table's pages follow it. A bad PED is shown with its line and
//! the previous pedigree (if any) stays; the page keeps working.
//!
//! Components: [`FamilyPanel`] (notices, errors, the pedigree drawing and check of
//! [`super::pedigree_drawing`] / [`super::pedigree_check`], modes, gates),
//! [`builder::PedigreeBuilder`]
//! (roles for a file without a PED), [`reasons::Reasons`] (one row's explanations). The table
//! ([`super::table`]) orders and names its sample columns by role, offers "why" per row and
//! shows [`reasons::Reasons`] in a row of its own under the row explained ([`Family::explained`],
//! one at a time). A compound het's partner link asks the table to reach the partner
//! ([`Family::reach`]): the table finds the partner's place in its order
//! ([`WorkerClient::locate`]), pages there and explains it; a partner the filter or modes leave
//! out is marked so beside its link ([`Family::missing`]).

pub mod builder;
pub mod reasons;

use std::sync::Arc;

use leptos::prelude::*;
use wasm_core::inheritance::{Explanation, Gates, InheritanceError, Mode, Notice, Options};
use wasm_core::pedigree::Role;

use super::latest::Latest;
use super::selection::Selection;
use super::state::LoadedFile;
use crate::protocol::PedigreeInfo;
use crate::worker_client::{CallError, WorkerClient};

/// seqr's "recessive": recessive ∪ comp-het ∪ x-recessive, offered as one choice.
pub const RECESSIVE_UNION: [Mode; 3] = [Mode::Recessive, Mode::CompHet, Mode::XRecessive];

/// Why the last pedigree was not used.
#[derive(Debug, Clone, PartialEq)]
pub enum PedigreeProblem {
    /// The engine's verdict on the PED called `.0`, naming the PED line.
    Rejected(String, InheritanceError),
    /// The worker could not run it.
    Failed(String),
}

/// One row's explanations, asked for by "why".
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The record's index in file order.
    pub record: u64,
    /// `CHROM:POS REF>ALT`, for the heading.
    pub label: String,
    pub explanations: Vec<Explanation>,
}

/// The family analysis' state. `Copy`: every field is a handle.
#[derive(Clone, Copy)]
pub struct Family {
    client: StoredValue<WorkerClient, LocalStorage>,
    selection: Selection,
    /// The PED in force or being tried: its name and text. It stays on this page.
    pub ped: RwSignal<Option<(String, String)>>,
    /// A PED picked or bundled with a file being opened, applied once the file is shown.
    pub pending: RwSignal<Option<(String, String)>>,
    /// The pedigree as the workers tied it to the file.
    pub info: RwSignal<Option<PedigreeInfo>>,
    pub problem: RwSignal<Option<PedigreeProblem>>,
    /// The ticked modes, in [`Mode::ALL`] order.
    pub modes: RwSignal<Vec<Mode>>,
    pub gates: RwSignal<Gates>,
    pub no_gates: RwSignal<bool>,
    pub lenient: RwSignal<bool>,
    pub explained: RwSignal<Option<Explained>>,
    /// A compound het's partner (record, label) the table is asked to page to and explain.
    pub reaching: RwSignal<Option<(u64, String)>>,
    /// A partner asked for that the filter and modes in force leave out of the table.
    pub missing: RwSignal<Option<u64>>,
    task: Latest,
    why: Latest,
}

/// Makes the family state available (inside [`super::App`], after the selection).
pub fn provide_family_context(client: WorkerClient, selection: Selection) -> Family {
    let family = Family {
        client: StoredValue::new_local(client),
        selection,
        ped: RwSignal::new(None),
        pending: RwSignal::new(None),
        info: RwSignal::new(None),
        problem: RwSignal::new(None),
        modes: RwSignal::new(Vec::new()),
        gates: RwSignal::new(Gates::default()),
        no_gates: RwSignal::new(false),
        lenient: RwSignal::new(false),
        explained: RwSignal::new(None),
        reaching: RwSignal::new(None),
        missing: RwSignal::new(None),
        task: Latest::new(),
        why: Latest::new(),
    };
    provide_context(family);
    family
}

/// The family state, inside [`super::App`].
pub fn use_family() -> Family {
    use_context().expect("the family state is provided by App")
}

/// The family state, where a component may be mounted without it (tests of the table).
pub fn try_use_family() -> Option<Family> {
    use_context()
}

impl Family {
    fn client(self) -> WorkerClient {
        self.client.get_value()
    }

    /// The options the modes are evaluated under.
    pub fn options(self) -> Options {
        Options {
            gates: if self.no_gates.get_untracked() {
                Gates::off()
            } else {
                self.gates.get_untracked()
            },
            lenient: self.lenient.get_untracked(),
            build: None,
        }
    }

    /// A new file is shown: the previous file's pedigree and modes go; a PED picked or bundled
    /// with this one is applied.
    pub fn file_shown(self) {
        self.task.abort();
        self.why.abort();
        self.info.set(None);
        self.problem.set(None);
        self.modes.set(Vec::new());
        self.close();
        self.ped.set(None);
        if let Some((name, text)) = self.pending.try_update(Option::take).flatten() {
            self.apply_ped(name, text);
        }
    }

    /// Ties a PED (its text; `name` for messages) to the shown file. A PED the engine refuses
    /// leaves the one in force.
    pub fn apply_ped(self, name: String, text: String) {
        self.send(Some((name, text)));
    }

    /// Lets go of the pedigree: no mode applies any more.
    pub fn clear(self) {
        self.send(None);
    }

    /// Sends the PED in force again with the options chosen (a gate or the lenient switch
    /// changed), then the ticked modes.
    pub fn send_pedigree(self) {
        self.send(self.ped.get_untracked());
    }

    /// Ties `ped` to the shown file with the options chosen, then sends the ticked modes.
    fn send(self, ped: Option<(String, String)>) {
        let text = ped.as_ref().map(|(_, text)| text.clone());
        let options = self.options();
        let client = self.client();
        self.close();
        self.task.run(async move {
            match client.pedigree(text.clone(), options).await {
                Ok(Ok(info)) => {
                    self.problem.set(None);
                    self.ped.set(ped);
                    let has = info.is_some();
                    self.info.set(info);
                    let modes = if has {
                        self.modes.get_untracked()
                    } else {
                        Vec::new()
                    };
                    self.modes.set(modes.clone());
                    // The worker dropped the modes and re-applied the filter without them.
                    match client.inheritance(modes).await {
                        Ok(report) => self.selection.show(report),
                        Err(CallError::Dropped) => {}
                        Err(e) => self
                            .problem
                            .set(Some(PedigreeProblem::Failed(e.to_string()))),
                    }
                }
                Ok(Err(error)) => {
                    let name = ped.map(|(name, _)| name).unwrap_or_default();
                    self.problem
                        .set(Some(PedigreeProblem::Rejected(name, error)));
                }
                Err(CallError::Dropped) => {}
                Err(e) => self
                    .problem
                    .set(Some(PedigreeProblem::Failed(e.to_string()))),
            }
        });
    }

    /// Ticks or unticks `modes` together.
    pub fn toggle(self, modes: &[Mode], on: bool) {
        self.modes.update(|chosen| {
            for &m in modes {
                chosen.retain(|c| *c != m);
                if on {
                    chosen.push(m);
                }
            }
            chosen.sort_by_key(|m| Mode::ALL.iter().position(|a| a == m));
        });
        self.send_modes();
    }

    /// Sends the ticked modes; the filter's report with their clauses comes back.
    pub fn send_modes(self) {
        let modes = self.modes.get_untracked();
        let client = self.client();
        self.task.run(async move {
            match client.inheritance(modes).await {
                Ok(report) => {
                    self.problem.set(None);
                    self.selection.show(report);
                }
                Err(CallError::Dropped) => {}
                Err(e) => self
                    .problem
                    .set(Some(PedigreeProblem::Failed(e.to_string()))),
            }
        });
    }

    /// Asks why record `record` fits each mode or not: the ticked modes, or all of them.
    pub fn explain(self, record: u64, label: String) {
        let mut modes = self.modes.get_untracked();
        if modes.is_empty() {
            modes = Mode::ALL.to_vec();
        }
        let client = self.client();
        self.why.run(async move {
            match client.explain(record, modes).await {
                Ok(explanations) => {
                    self.missing.set(None);
                    self.explained.set(Some(Explained {
                        record,
                        label,
                        explanations,
                    }));
                }
                Err(CallError::Dropped) => {}
                Err(e) => self
                    .problem
                    .set(Some(PedigreeProblem::Failed(e.to_string()))),
            }
        });
    }
}

impl Family {
    /// Asks the table to page to record `record` (a compound het's partner, `label` its
    /// `CHROM:POS REF>ALT`), select it and explain it there.
    pub fn reach(self, record: u64, label: String) {
        self.missing.set(None);
        self.reaching.set(Some((record, label)));
    }

    /// Closes the explanation shown.
    pub fn close(self) {
        self.why.abort();
        self.explained.set(None);
        self.missing.set(None);
        self.reaching.set(None);
    }
}

/// The order of a file's sample columns once a pedigree is tied: each family's proband,
/// mother, father, siblings, then the rest of it; samples outside the pedigree last.
pub fn sample_order(info: Option<&PedigreeInfo>, samples: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..samples).collect();
    if let Some(info) = info {
        let rank = |k: usize| match info.roles.get(k).cloned().flatten() {
            Some((family, role)) => {
                let f = info
                    .families
                    .iter()
                    .position(|x| x.id == family)
                    .unwrap_or(usize::MAX);
                let r = match role {
                    Role::Proband => 0,
                    Role::Mother => 1,
                    Role::Father => 2,
                    Role::Sibling => 3,
                    _ => 4,
                };
                (0, f, r)
            }
            None => (1, 0, 0),
        };
        order.sort_by_key(|&k| rank(k));
    }
    order
}

/// The role heading of sample `k` (`proband`, `mother`, …), when it has one.
pub fn role_of(info: Option<&PedigreeInfo>, k: usize) -> Option<(String, Role)> {
    info.and_then(|i| i.roles.get(k).cloned().flatten())
}

/// What kind of notice, for `data-kind`.
fn notice_kind(n: &Notice) -> &'static str {
    use wasm_core::pedigree::Notice as P;
    match n {
        Notice::Pedigree(P::NotSequenced { .. }) => "not-sequenced",
        Notice::Pedigree(P::Unrelated { .. }) => "unrelated",
        Notice::Pedigree(P::ParentsOfUnknownPhenotype { .. }) => "parents-unknown-phenotype",
        Notice::Pedigree(P::ImpliedParents { .. }) => "implied-parents",
        Notice::GateSkipped(_) => "gate-skipped",
        Notice::NoGeneAnnotation => "no-gene-annotation",
    }
}

#[component]
pub fn FamilyPanel(file: Arc<LoadedFile>) -> impl IntoView {
    let family = use_family();
    let samples = file.loaded.summary.samples.clone();
    let streaming = file.loaded.streaming.is_some();
    view! {
        <section class="panel family-panel" aria-label="Family analysis" data-testid="family-panel">
            <div class="panel-head">
                <h2>"Family"</h2>
                <span class="muted small">
                    "The pedigree, the modes and their results stay in this browser."
                </span>
            </div>
            {streaming.then(|| view! {
                <p class="muted">"This file is too large to hold: family analysis needs it loaded."</p>
            })}
            <PedigreeStatus />
            {move || {
                family.info.with(Option::is_none).then(|| {
                    view! { <builder::PedigreeBuilder samples=samples.clone() /> }
                })
            }}
            {move || family.info.get().map(|info| view! {
                <super::pedigree_drawing::PedigreeDrawing pedigree=info.pedigree.clone() sequenced=info.sequenced.clone() />
                <PedigreeCheck pedigree=info.pedigree />
                <Modes />
                <GatesForm />
            })}
        </section>
    }
}

/// The pedigree in force, its notices, and why the last one was refused.
#[component]
fn PedigreeStatus() -> impl IntoView {
    let family = use_family();
    let problem = move || {
        family.problem.get().map(|p| {
            let (name, kind, line, message) = match &p {
                PedigreeProblem::Rejected(name, e) => (
                    name.clone(),
                    format!("{:?}", e.kind()),
                    match e {
                        InheritanceError::Pedigree(p) => p.line(),
                        _ => None,
                    },
                    e.report().to_string(),
                ),
                PedigreeProblem::Failed(m) => (
                    family.ped.get().map(|(n, _)| n).unwrap_or_default(),
                    "Failed".to_string(),
                    None,
                    m.clone(),
                ),
            };
            view! {
                <div class="banner error" role="alert" data-testid="pedigree-error"
                    data-kind=kind data-line=line.map(|l| l.to_string())>
                    <strong>"The pedigree “" {name} "” cannot be used. "</strong>
                    <span class="message">{message}</span>
                </div>
            }
        })
    };
    let summary = move || {
        family.info.get().map(|info| {
            let name = family.ped.get().map(|(n, _)| n).unwrap_or_default();
            view! {
                <div class="pedigree-summary">
                    <p>
                        "Pedigree “" {name} "”: "
                        <span class="num" data-testid="pedigree-families" data-value=info.families.len().to_string()>
                            {info.families.len()}
                        </span>
                        " famil" {if info.families.len() == 1 { "y" } else { "ies" }} ". "
                        <button type="button" class="button small" data-testid="pedigree-clear"
                            on:click=move |_| family.clear()>"Remove"</button>
                    </p>
                    <ul class="families">
                        {info.families.iter().map(|f| view! {
                            <li data-testid="pedigree-family" data-family=f.id.clone()>
                                <strong>{f.id.clone()}</strong> ": "
                                {f.members.iter().map(|(id, role, sequenced)| view! {
                                    <span class="member" class:not-sequenced=!*sequenced data-role=role.name()>
                                        {id.clone()} " (" {role.name()} ")"
                                    </span> " "
                                }).collect_view()}
                            </li>
                        }).collect_view()}
                    </ul>
                    <ul class="notices">
                        {info.notices.iter().map(|n| view! {
                            <li class="notice" data-testid="pedigree-notice" data-kind=notice_kind(n)>{n.to_string()}</li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    view! { {problem} {summary} }
}

/// The pedigree check (sex, relatedness against the PED) on request: every worker holding the
/// file counts, the page finishes it with the pedigree it keeps.
#[component]
fn PedigreeCheck(pedigree: wasm_core::pedigree::Pedigree) -> impl IntoView {
    let family = use_family();
    let report = RwSignal::new(None::<crate::protocol::PedigreeCheckReport>);
    let failure = RwSignal::new(None::<String>);
    let task = Latest::new();
    let run = move |_| {
        let client = family.client();
        let pedigree = pedigree.clone();
        task.run(async move {
            match client.pedigree_check(Some(pedigree)).await {
                Ok(r) => report.set(Some(r)),
                Err(CallError::Dropped) => {}
                Err(e) => failure.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <button type="button" class="button small" data-testid="pedigree-check-run" on:click=run>
            "Check the pedigree against the genotypes"
        </button>
        {move || failure.get().map(|m| view! { <p class="table-error" role="alert">{m}</p> })}
        {move || report.get().map(|r| view! { <super::pedigree_check::PedigreeCheckPanel report=r /> })}
    }
}

/// A checkbox per mode, and seqr's recessive union.
#[component]
fn Modes() -> impl IntoView {
    let family = use_family();
    let ticked = move |m: Mode| family.modes.with(|c| c.contains(&m));
    let union_ticked = move || RECESSIVE_UNION.iter().all(|&m| ticked(m));
    view! {
        <fieldset class="modes">
            <legend>"Inheritance modes (a record is kept when it fits any ticked mode in some family)"</legend>
            {Mode::ALL.iter().map(|&m| view! {
                <label class="mode">
                    <input type="checkbox" data-testid=format!("inheritance-{}", m.name())
                        prop:checked=move || ticked(m)
                        on:change=move |ev| family.toggle(&[m], event_target_checked(&ev)) />
                    " " {m.name()}
                </label>
            }).collect_view()}
            <label class="mode union" title="seqr's recessive: recessive, comp-het and x-recessive together">
                <input type="checkbox" data-testid="inheritance-recessive-union"
                    prop:checked=union_ticked
                    on:change=move |ev| family.toggle(&RECESSIVE_UNION, event_target_checked(&ev)) />
                " recessive (any: recessive ∪ comp-het ∪ x-recessive)"
            </label>
        </fieldset>
    }
}

/// The quality gates (CLINICAL.md §2: GQ ≥ 20, DP ≥ 10, het allele balance 0.2–0.8, fewer than
/// 2 alternate reads in a de novo's parents), "no gates" and the lenient switch. A change
/// re-ties the pedigree: the calls' states depend on the gates.
#[component]
fn GatesForm() -> impl IntoView {
    let family = use_family();
    let number = |ev: &leptos::ev::Event| event_target_value(ev).trim().parse::<f64>().ok();
    let set = move |edit: &dyn Fn(&mut Gates)| {
        family.gates.update(|g| edit(g));
        family.send_pedigree();
    };
    let gate = move |read: fn(&Gates) -> Option<f64>| {
        move || {
            family
                .gates
                .with(|g| read(g).map(|v| v.to_string()).unwrap_or_default())
        }
    };
    view! {
        <fieldset class="gates" prop:disabled=move || family.no_gates.get()>
            <legend>"Quality gates (a call failing one is unknown)"</legend>
            <label>"GQ ≥ " <input type="number" min="0" data-testid="gate-gq"
                prop:value=gate(|g| g.min_gq)
                on:change=move |ev| { let v = number(&ev); set(&|g| g.min_gq = v) } /></label>
            <label>"DP ≥ " <input type="number" min="0" data-testid="gate-dp"
                prop:value=gate(|g| g.min_dp)
                on:change=move |ev| { let v = number(&ev); set(&|g| g.min_dp = v) } /></label>
            <label>"het allele balance " <input type="number" step="0.05" min="0" max="1" data-testid="gate-ab-low"
                prop:value=gate(|g| g.het_ab.map(|(lo, _)| lo))
                on:change=move |ev| { let v = number(&ev); set(&|g| g.het_ab = v.map(|lo| (lo, g.het_ab.map_or(1.0, |(_, hi)| hi)))) } />
                " – " <input type="number" step="0.05" min="0" max="1" data-testid="gate-ab-high"
                prop:value=gate(|g| g.het_ab.map(|(_, hi)| hi))
                on:change=move |ev| { let v = number(&ev); set(&|g| g.het_ab = v.map(|hi| (g.het_ab.map_or(0.0, |(lo, _)| lo), hi))) } /></label>
            <label>"a de novo's parents: at most " <input type="number" min="0" data-testid="gate-parent-alt"
                prop:value=gate(|g| g.parent_max_alt_reads.map(|v| v as f64))
                on:change=move |ev| { let v = number(&ev); set(&|g| g.parent_max_alt_reads = v.map(|v| v as i64)) } />
                " alternate reads"</label>
        </fieldset>
        <label class="switch"><input type="checkbox" data-testid="gates-off"
            prop:checked=move || family.no_gates.get()
            on:change=move |ev| { family.no_gates.set(event_target_checked(&ev)); family.send_pedigree(); } />
            " no gates"</label>
        <label class="switch"><input type="checkbox" data-testid="inheritance-lenient"
            prop:checked=move || family.lenient.get()
            on:change=move |ev| { family.lenient.set(event_target_checked(&ev)); family.send_pedigree(); } />
            " lenient (a missing genotype keeps a record as “possible”)"</label>
    }
}
