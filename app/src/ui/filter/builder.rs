//! The filter builder: form controls for the common clauses, editing the same expression as the
//! expression box.
//!
//! Every control shows the value its clause has in the expression text ([`clauses::split`]); a
//! change rewrites only that clause ([`clauses::set`]) and applies the filter. What the builder
//! cannot represent stays in the expression as "custom" clauses, ANDed in. Only controls whose
//! fields the file has are shown. The builder writes `-i` expressions, so it rests while the
//! mode is "remove matching".
//!
//! The controls are data: [`groups`] lists them for the file's fields as [`Control`]s, each with
//! the [`Key`] of what it edits ([`Key::value`] reads its clause, [`Key::edit`] writes it). One
//! reactive view draws them all from the expression: when it changes they are drawn again with
//! their new values, and Leptos keeps the same elements, so a control keeps its focus while the
//! filter applies. Size, measured with `cargo xtask build`'s gzip of the page (BENCHMARKS.md):
//! these views cost 21.0 KiB; a component per control with a reactive binding per value cost
//! 34–40 KiB; the same controls made with `web_sys` by hand would be 3.8 KiB smaller (the
//! builder was hand-made before: kept as views for one way of drawing on every panel). Each
//! control carries `data-slot` (`qual`, `gt:1`, `af:INFO/AF`, `impact:HIGH`, …) for tests.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use wasm_core::filter::Mode;

use super::clauses::{
    self, CONSEQUENCES, Clause, DepthSource, Genotype, IMPACTS, Piece, Slot, is_frequency_name,
};
use crate::protocol::FilterSchema;
use crate::ui::selection::{Selection, use_selection};

/// Samples with a genotype control; files with more samples use `GT[k]` in the expression.
const MAX_GENOTYPE_SAMPLES: usize = 12;
/// Frequency fields shown before "more".
const FREQUENCIES_SHOWN: usize = 3;

/// What the controls are drawn from: the file's fields, resolved once.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    filter_pass: bool,
    qual: bool,
    depth: Vec<DepthSource>,
    gq: bool,
    samples: Vec<String>,
    frequencies: Vec<String>,
    impact: Option<String>,
    consequence: Option<String>,
    clinvar: Option<String>,
}

impl Fields {
    fn of(schema: &FilterSchema) -> Self {
        let has_samples = !schema.samples.is_empty();
        Self {
            filter_pass: schema.filters.iter().any(|f| f == "PASS"),
            qual: schema.has_qual,
            depth: [
                (
                    has_samples && schema.format_field("DP").is_some(),
                    DepthSource::Format,
                ),
                (schema.info_field("DP").is_some(), DepthSource::Info),
            ]
            .into_iter()
            .filter_map(|(has, s)| has.then_some(s))
            .collect(),
            gq: has_samples && schema.format_field("GQ").is_some(),
            samples: schema.samples.clone(),
            frequencies: frequency_fields(schema),
            impact: annotation_field(schema, &["IMPACT", "Annotation_Impact"]),
            consequence: annotation_field(schema, &["Consequence", "Annotation"]),
            clinvar: if schema.info_field("CLNSIG").is_some() {
                Some("INFO/CLNSIG".to_string())
            } else {
                annotation_field(schema, &["CLIN_SIG"])
            },
        }
    }
}

/// Frequency fields the file has, as expression paths, most useful first.
fn frequency_fields(schema: &FilterSchema) -> Vec<String> {
    let fields: Vec<String> = schema
        .info
        .iter()
        .filter(|f| is_frequency_name(&f.key) && f.ty != "Flag")
        .map(|f| format!("INFO/{}", f.key))
        .chain(schema.annotations.iter().flat_map(|a| {
            a.subfields
                .iter()
                .filter(|s| is_frequency_name(s))
                .map(move |s| format!("{}/{s}", a.tag))
        }))
        .collect();
    let rank = |field: &String| {
        let name = field.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        match name.as_str() {
            "max_af" => 0,
            "gnomad_af" | "gnomade_af" | "gnomadg_af" => 1,
            n if n.starts_with("gnomad") => 2,
            n if n.starts_with("exac") => 3,
            n if n.starts_with("1000g") => 4,
            _ => 5,
        }
    };
    // Grouped by rank, header order within a rank (no sort: it would add code for little).
    (0..=5)
        .flat_map(|r| fields.iter().filter(move |f| rank(f) == r).cloned())
        .collect()
}

/// The first annotation field path with one of the sub-fields `names` (`CSQ/IMPACT`, …).
fn annotation_field(schema: &FilterSchema, names: &[&str]) -> Option<String> {
    ["CSQ", "ANN"]
        .iter()
        .copied()
        .chain(schema.annotations.iter().map(|a| a.tag.as_str()))
        .find_map(|tag| {
            names
                .iter()
                .find(|n| schema.has_subfield(tag, n))
                .map(|n| format!("{tag}/{n}"))
        })
}

/// What a control edits.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    FilterPass,
    Qual,
    Depth,
    /// Which depth the depth clause reads.
    DepthSource,
    GenotypeQuality,
    /// ClinVar's clause on this field.
    ClinVar(String),
    /// Sample `k`'s genotype.
    Genotype(usize),
    /// A population frequency field.
    Frequency(String),
    /// One impact level of the impact clause on `field`.
    Impact {
        field: String,
        level: &'static str,
    },
    /// The consequence clause on this field.
    Consequence(String),
}

/// A control's input: a box's or a select's text, or a checkbox.
enum Input {
    Text(String),
    Checked(bool),
}

impl Key {
    /// `data-slot`, for tests.
    fn slot_name(&self) -> String {
        match self {
            Self::FilterPass => "pass".into(),
            Self::Qual => "qual".into(),
            Self::Depth => "depth".into(),
            Self::DepthSource => "depth-source".into(),
            Self::GenotypeQuality => "gq".into(),
            Self::ClinVar(_) => "clinvar".into(),
            Self::Genotype(k) => format!("gt:{k}"),
            Self::Frequency(field) => format!("af:{field}"),
            Self::Impact { level, .. } => format!("impact:{level}"),
            Self::Consequence(_) => "consequence".into(),
        }
    }

    fn testid(&self) -> &'static str {
        match self {
            Self::FilterPass => "builder-pass",
            Self::Qual => "builder-qual",
            Self::Depth => "builder-depth",
            Self::DepthSource => "builder-depth-source",
            Self::GenotypeQuality => "builder-gq",
            Self::ClinVar(_) => "builder-clinvar",
            Self::Genotype(_) => "builder-gt",
            Self::Frequency(_) => "builder-af",
            Self::Impact { .. } => "builder-impact",
            Self::Consequence(_) => "builder-consequence",
        }
    }

    /// The clause slot it edits.
    fn slot(&self) -> Slot {
        match self {
            Self::FilterPass => Slot::FilterPass,
            Self::Qual => Slot::Qual,
            Self::Depth | Self::DepthSource => Slot::Depth,
            Self::GenotypeQuality => Slot::GenotypeQuality,
            Self::ClinVar(_) => Slot::ClinVar,
            Self::Genotype(k) => Slot::Genotype(*k),
            Self::Frequency(field) => Slot::Frequency(field.clone()),
            Self::Impact { .. } => Slot::Impact,
            Self::Consequence(_) => Slot::Consequence,
        }
    }

    /// The control's value in the expression: a box's number, a select's option, `"on"` for a
    /// ticked checkbox; empty without a clause.
    fn value(&self, pieces: &[Piece], depth: DepthSource) -> String {
        let on = |yes: bool| if yes { "on" } else { "" }.to_string();
        match (self, clauses::find(pieces, &self.slot())) {
            (
                Self::Qual | Self::GenotypeQuality | Self::Depth | Self::Frequency(_),
                Some(
                    Clause::Qual(v)
                    | Clause::GenotypeQuality(v)
                    | Clause::Depth(_, v)
                    | Clause::Frequency { value: v, .. },
                ),
            ) => v.clone(),
            (Self::DepthSource, Some(Clause::Depth(source, _))) => source_name(*source).into(),
            (Self::DepthSource, _) => source_name(depth).into(),
            (Self::Genotype(_), Some(Clause::Genotype(_, g))) => g.keyword().into(),
            (Self::Impact { level, .. }, Some(Clause::Impact { levels, .. })) => {
                on(levels.iter().any(|l| l == level))
            }
            (Self::Consequence(_), Some(Clause::Consequence { term, .. })) => term.clone(),
            (Self::FilterPass | Self::ClinVar(_), clause) => on(clause.is_some()),
            _ => String::new(),
        }
    }

    /// The comparison a number box shows.
    fn op(&self, pieces: &[Piece]) -> &'static str {
        match clauses::find(pieces, &self.slot()) {
            Some(Clause::Frequency { strict: true, .. }) => "<",
            _ if matches!(self, Self::Frequency(_)) => "≤",
            _ => "≥",
        }
    }

    /// The clause the control's new `input` makes (`None`: drop it); `Err` for a box holding
    /// something other than a number. `depth` is the depth source picked while there is no
    /// depth clause.
    fn edit(
        &self,
        pieces: &[Piece],
        input: Input,
        depth: DepthSource,
    ) -> Result<Option<Clause>, ()> {
        let found = clauses::find(pieces, &self.slot());
        let (text, checked) = match input {
            Input::Text(text) => (text, false),
            Input::Checked(checked) => (String::new(), checked),
        };
        // A number box: blank drops the clause, a number sets it, anything else is invalid.
        let number = || -> Result<Option<String>, ()> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                clauses::number(&text).map(Some).ok_or(())
            }
        };
        Ok(match self {
            Self::FilterPass => checked.then_some(Clause::FilterPass),
            Self::Qual => number()?.map(Clause::Qual),
            Self::GenotypeQuality => number()?.map(Clause::GenotypeQuality),
            Self::Depth => {
                let source = match found {
                    Some(Clause::Depth(source, _)) => *source,
                    _ => depth,
                };
                number()?.map(|n| Clause::Depth(source, n))
            }
            Self::DepthSource => match found {
                Some(Clause::Depth(_, n)) => Some(Clause::Depth(source_of(&text), n.clone())),
                _ => return Err(()),
            },
            Self::ClinVar(field) => checked.then(|| Clause::ClinVar {
                field: field.clone(),
            }),
            Self::Genotype(k) => Genotype::from_keyword(&text).map(|g| Clause::Genotype(*k, g)),
            Self::Frequency(field) => {
                let strict = matches!(found, Some(Clause::Frequency { strict: true, .. }));
                number()?.map(|value| Clause::Frequency {
                    field: field.clone(),
                    strict,
                    value,
                })
            }
            Self::Impact { field, level } => {
                let mut levels = match found {
                    Some(Clause::Impact { levels, .. }) => levels.clone(),
                    _ => Vec::new(),
                };
                levels.retain(|l| l != level);
                if checked {
                    levels.push(level.to_string());
                }
                // Most severe first, as the levels are listed.
                let levels: Vec<String> = IMPACTS
                    .iter()
                    .filter(|i| levels.iter().any(|l| l == *i))
                    .map(|i| i.to_string())
                    .collect();
                (!levels.is_empty()).then(|| Clause::Impact {
                    field: field.clone(),
                    levels,
                })
            }
            Self::Consequence(field) => (!text.is_empty()).then(|| Clause::Consequence {
                field: field.clone(),
                term: text,
            }),
        })
    }
}

fn source_name(source: DepthSource) -> &'static str {
    match source {
        DepthSource::Info => "info",
        DepthSource::Format => "format",
    }
}

fn source_of(name: &str) -> DepthSource {
    if name == "info" {
        DepthSource::Info
    } else {
        DepthSource::Format
    }
}

/// One control of the builder.
#[derive(Debug, Clone, PartialEq)]
enum Control {
    /// A checkbox; `detail` (the field it reads) shows beside the label.
    Check {
        key: Key,
        label: String,
        detail: Option<String>,
    },
    /// A number box, after its comparison.
    Number {
        key: Key,
        label: String,
        suffix: Option<&'static str>,
    },
    /// A select among `(value, label)` options.
    Choice {
        key: Key,
        label: String,
        options: Vec<(&'static str, &'static str)>,
    },
    /// A remark.
    Note(String),
}

/// A fieldset of controls, with more of them under "more".
#[derive(Debug, Clone, PartialEq)]
struct Group {
    legend: Option<String>,
    controls: Vec<Control>,
    /// Controls shown on demand: the summary's text and the controls.
    more: Option<(String, Vec<Control>)>,
}

impl Group {
    fn new(legend: Option<String>, controls: Vec<Control>) -> Self {
        Self {
            legend,
            controls,
            more: None,
        }
    }
}

/// The builder's controls for the file's fields, in groups.
fn groups(fields: &Fields) -> Vec<Group> {
    let mut basics = Vec::new();
    if fields.filter_pass {
        basics.push(Control::Check {
            key: Key::FilterPass,
            label: "FILTER is PASS".into(),
            detail: None,
        });
    }
    let number = |key: Key, label: &str| Control::Number {
        key,
        label: label.into(),
        suffix: None,
    };
    if fields.qual {
        basics.push(number(Key::Qual, "QUAL"));
    }
    if let Some(first) = fields.depth.first() {
        basics.push(number(Key::Depth, "Depth"));
        basics.push(if fields.depth.len() > 1 {
            Control::Choice {
                key: Key::DepthSource,
                label: "of".into(),
                options: vec![
                    ("format", "FMT/DP (per sample)"),
                    ("info", "INFO/DP (site)"),
                ],
            }
        } else {
            Control::Note(first.field().into())
        });
    }
    if fields.gq {
        basics.push(number(Key::GenotypeQuality, "Genotype quality FMT/GQ"));
    }
    if let Some(field) = &fields.clinvar {
        basics.push(Control::Check {
            key: Key::ClinVar(field.clone()),
            label: "ClinVar pathogenic or likely pathogenic".into(),
            detail: Some(field.clone()),
        });
    }
    let mut groups = vec![Group::new(None, basics)];

    if !fields.samples.is_empty() {
        let mut options = vec![("", "any")];
        for g in Genotype::ALL {
            options.push((g.keyword(), g.label()));
        }
        let shown = fields.samples.len().min(MAX_GENOTYPE_SAMPLES);
        let mut controls: Vec<Control> = fields.samples[..shown]
            .iter()
            .enumerate()
            .map(|(k, name)| Control::Choice {
                key: Key::Genotype(k),
                label: name.clone(),
                options: options.clone(),
            })
            .collect();
        if fields.samples.len() > shown {
            controls.push(Control::Note(format!(
                "{} more samples: type GT[k]=\"het\" (k counts from 0) in the expression.",
                fields.samples.len() - shown
            )));
        }
        groups.push(Group::new(Some("Genotype".into()), controls));
    }

    if !fields.frequencies.is_empty() {
        let row = |field: &String| Control::Number {
            key: Key::Frequency(field.clone()),
            label: field.clone(),
            suffix: Some("or missing"),
        };
        let (first, rest) = fields
            .frequencies
            .split_at(fields.frequencies.len().min(FREQUENCIES_SHOWN));
        let mut group = Group::new(
            Some("Population frequency".into()),
            first.iter().map(row).collect(),
        );
        if !rest.is_empty() {
            group.more = Some((
                format!("{} more frequency fields", rest.len()),
                rest.iter().map(row).collect(),
            ));
        }
        groups.push(group);
    }

    if let Some(field) = &fields.impact {
        let controls = IMPACTS
            .iter()
            .map(|&level| Control::Check {
                key: Key::Impact {
                    field: field.clone(),
                    level,
                },
                label: level.into(),
                detail: None,
            })
            .collect();
        groups.push(Group::new(Some(format!("Impact ({field})")), controls));
    }

    if let Some(field) = &fields.consequence {
        let mut options = vec![("", "any")];
        for term in CONSEQUENCES {
            options.push((*term, *term));
        }
        let control = Control::Choice {
            key: Key::Consequence(field.clone()),
            label: "In any transcript".into(),
            options,
        };
        groups.push(Group::new(
            Some(format!("Consequence ({field})")),
            vec![control],
        ));
    }
    groups
}

/// What the controls read and write besides the expression: the depth source picked while
/// there is no depth clause yet (per-sample depth by default), and the box last given something
/// other than a number, with the expression it was given for.
#[derive(Clone, Copy)]
struct Ctx {
    f: Selection,
    depth: RwSignal<DepthSource>,
    invalid: RwSignal<Option<(Key, String)>>,
}

impl Ctx {
    /// Applies a control's new input: rewrites its clause and applies the filter. A box holding
    /// something other than a number changes nothing and is marked.
    fn edit(self, key: &Key, input: Input) {
        if let (Key::DepthSource, Input::Text(name)) = (key, &input) {
            self.depth.set(source_of(name));
        }
        let f = self.f;
        let draft = f.draft.get_untracked();
        let mut pieces = clauses::split(&draft);
        let clause = match key.edit(&pieces, input, self.depth.get_untracked()) {
            Ok(clause) => clause,
            // The depth source without a depth clause only remembers the choice.
            Err(()) if *key == Key::DepthSource => return,
            Err(()) => return self.invalid.set(Some((key.clone(), draft))),
        };
        self.invalid.set(None);
        clauses::set(&mut pieces, &key.slot(), clause);
        let text = clauses::join(&pieces);
        // Enter then leaving the box reports the same value twice; apply it once.
        let applied = f
            .report
            .with_untracked(|r| r.as_ref().map(|r| r.expression.clone()));
        if text != draft || applied.as_deref() != Some(text.as_str()) {
            f.draft.set(text);
            f.apply();
        }
    }
}

/// What one drawing of the controls shows.
struct Shown {
    pieces: Vec<Piece>,
    depth: DepthSource,
    /// The box marked as not holding a number.
    invalid: Option<Key>,
}

impl Shown {
    fn value(&self, key: &Key) -> String {
        key.value(&self.pieces, self.depth)
    }
}

#[component]
pub fn Builder(schema: FilterSchema) -> impl IntoView {
    let f = use_selection();
    let fields = Fields::of(&schema);
    let ctx = Ctx {
        f,
        depth: RwSignal::new(fields.depth.first().copied().unwrap_or(DepthSource::Info)),
        invalid: RwSignal::new(None),
    };
    let groups = groups(&fields);
    // Drawn again whenever the expression, the mode or a marked box change: the elements stay
    // (only their values change), so a control keeps its focus while the filter applies.
    let controls = move || {
        let resting = f.mode.get() == Mode::Exclude;
        let draft = f.draft.get();
        let shown = Shown {
            pieces: clauses::split(&draft),
            depth: ctx.depth.get(),
            invalid: ctx
                .invalid
                .get()
                .filter(|(_, at)| *at == draft)
                .map(|(key, _)| key),
        };
        let mut drawn = Vec::with_capacity(groups.len());
        for group in &groups {
            drawn.push(group_view(ctx, &shown, group));
        }
        let mut custom = Vec::new();
        for piece in shown.pieces.iter().filter(|p| p.clause.is_none()) {
            custom.push(view! { <li><code>{piece.text.clone()}</code></li> });
        }
        view! {
            {resting.then(|| view! {
                <p class="muted small">
                    "The builder writes “keep matching” expressions; switch the mode back to use it."
                </p>
            })}
            <fieldset class="builder-fields" disabled=resting>{drawn}</fieldset>
            {(!custom.is_empty()).then(|| view! {
                <div class="custom" data-testid="builder-custom">
                    <span class="muted small">"Also required (typed; edit it in the expression box):"</span>
                    <ul>{custom}</ul>
                </div>
            })}
        }
    };
    view! {
        <details class="builder" open=true>
            <summary>"Build a filter"</summary>
            <div class="builder-body">{controls}</div>
        </details>
    }
}

fn group_view(ctx: Ctx, shown: &Shown, group: &Group) -> impl IntoView + use<> {
    let class = if group.legend.is_some() {
        "group"
    } else {
        "group plain"
    };
    let controls = |list: &[Control]| {
        let mut drawn = Vec::with_capacity(list.len());
        for control in list {
            drawn.push(control_view(ctx, shown, control));
        }
        drawn
    };
    let more = group.more.as_ref().map(|(summary, hidden)| {
        // Open when one of the hidden fields has a clause.
        let open = hidden
            .iter()
            .filter_map(Control::key)
            .any(|k| !shown.value(k).is_empty());
        view! {
            <details class="more" open=open>
                <summary>{summary.clone()}</summary>
                {controls(hidden)}
            </details>
        }
    });
    view! {
        <fieldset class=class>
            {group.legend.clone().map(|l| view! { <legend>{l}</legend> })}
            {controls(&group.controls)}
            {more}
        </fieldset>
    }
}

impl Control {
    fn key(&self) -> Option<&Key> {
        match self {
            Self::Check { key, .. } | Self::Number { key, .. } | Self::Choice { key, .. } => {
                Some(key)
            }
            Self::Note(_) => None,
        }
    }
}

/// One control, showing its value in the expression.
fn control_view(
    ctx: Ctx,
    shown: &Shown,
    control: &Control,
) -> EitherOf4<
    impl IntoView + use<>,
    impl IntoView + use<>,
    impl IntoView + use<>,
    impl IntoView + use<>,
> {
    match control.clone() {
        Control::Check { key, label, detail } => {
            let (testid, slot) = (key.testid(), key.slot_name());
            let on = !shown.value(&key).is_empty();
            EitherOf4::A(view! {
                <label class="control check">
                    <input type="checkbox" data-testid=testid data-slot=slot prop:checked=on
                        on:change=move |ev| ctx.edit(&key, Input::Checked(event_target_checked(&ev))) />
                    <span>{label}</span>
                    {detail.map(|d| view! { <span class="muted small mono">{d}</span> })}
                </label>
            })
        }
        Control::Number { key, label, suffix } => {
            let (testid, slot) = (key.testid(), key.slot_name());
            let op = key.op(&shown.pieces);
            let value = shown.value(&key);
            let invalid = (shown.invalid.as_ref() == Some(&key)).then_some("true");
            let on_key = key.clone();
            EitherOf4::B(view! {
                <label class="control">
                    <span class="control-label">{label}</span>
                    <span class="op">{op}</span>
                    <input type="text" inputmode="decimal" class="num-input" data-testid=testid
                        data-slot=slot placeholder="any" aria-invalid=invalid prop:value=value
                        on:change=move |ev| ctx.edit(&key, Input::Text(event_target_value(&ev)))
                        on:keydown=move |ev| {
                            // Enter commits the box at once.
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                ctx.edit(&on_key, Input::Text(event_target_value(&ev)));
                            }
                        } />
                    {suffix.map(|s| view! { <span class="muted small">{s}</span> })}
                </label>
            })
        }
        Control::Choice {
            key,
            label,
            options,
        } => {
            let (testid, slot) = (key.testid(), key.slot_name());
            let value = shown.value(&key);
            let mut drawn = Vec::with_capacity(options.len());
            for (option, text) in options {
                drawn.push(
                    view! { <option value=option prop:selected=value == option>{text}</option> },
                );
            }
            EitherOf4::C(view! {
                <label class="control">
                    <span class="control-label">{label}</span>
                    <select data-testid=testid data-slot=slot
                        on:change=move |ev| ctx.edit(&key, Input::Text(event_target_value(&ev)))>
                        {drawn}
                    </select>
                </label>
            })
        }
        Control::Note(text) => EitherOf4::D(view! { <span class="muted small">{text}</span> }),
    }
}
