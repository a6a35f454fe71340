//! The filter builder: form controls for the common clauses, editing the same expression as the
//! expression box.
//!
//! Every control shows the value its clause has in the expression text ([`clauses::split`]); a
//! change rewrites only that clause ([`clauses::set`]) and applies the filter. What the builder
//! cannot represent stays in the expression as "custom" clauses, ANDed in. Only controls whose
//! fields the file has are shown. The builder writes `-i` expressions, so it rests while the mode
//! is "remove matching".
//!
//! The controls are plain elements redrawn from the expression (made with `web_sys` directly:
//! as reactive views they would cost the download far more), and one listener on their container
//! reads which control changed from its `data-slot` (`qual`, `gt:1`, `af:INFO/AF`, …).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_core::filter::Mode;
use web_sys::Element;

use super::clauses::{
    self, CONSEQUENCES, Clause, DepthSource, Genotype, IMPACTS, Piece, Slot, is_frequency_name,
};
use super::{FilterState, apply};
use crate::protocol::FilterSchema;

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

#[component]
pub fn Builder(filter: FilterState, schema: FilterSchema) -> impl IntoView {
    let fields = Fields::of(&schema);
    let pieces = Memo::new(move |_| filter.draft.with(|d| clauses::split(d)));
    // The depth source picked while there is no depth clause yet; per-sample depth by default.
    let depth_choice = RwSignal::new(fields.depth.first().copied().unwrap_or(DepthSource::Info));
    let on_change = move |ev: leptos::ev::Event| changed(filter, &ev, depth_choice);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Enter in a number box commits it at once.
        let text_box = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| {
                e.tag_name() == "INPUT" && e.get_attribute("type").as_deref() == Some("text")
            });
        if ev.key() == "Enter" && text_box {
            ev.prevent_default();
            changed(filter, &ev, depth_choice);
        }
    };
    let body = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let resting = filter.mode.get() == Mode::Exclude;
        let choice = depth_choice.get();
        if let Some(div) = body.get() {
            pieces.with(|p| draw(&div, &fields, p, resting, choice));
        }
    });
    view! {
        <details class="builder" open=true>
            <summary>"Build a filter"</summary>
            <div class="builder-body" node_ref=body on:change=on_change on:keydown=on_key></div>
        </details>
    }
}

/// Reads the control an event came from and rewrites its clause.
fn changed(filter: FilterState, ev: &web_sys::Event, depth_choice: RwSignal<DepthSource>) {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Some(key) = el.get_attribute("data-slot") else {
        return;
    };
    let prop = |name: &str| {
        js_sys::Reflect::get(&el, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    };
    let value = prop("value").as_string().unwrap_or_default();
    let checked = prop("checked").as_bool().unwrap_or(false);
    let field = el.get_attribute("data-field").unwrap_or_default();
    let pieces = clauses::split(&filter.draft.get_untracked());
    // A number box: blank drops the clause, a number sets it, anything else is marked invalid.
    let number = || -> Result<Option<String>, ()> {
        if value.trim().is_empty() {
            return Ok(None);
        }
        clauses::number(&value).map(Some).ok_or(())
    };
    let (kind, arg) = key.split_once(':').unwrap_or((key.as_str(), ""));
    let edit = match kind {
        "pass" => Ok((Slot::FilterPass, checked.then_some(Clause::FilterPass))),
        "qual" => number().map(|n| (Slot::Qual, n.map(Clause::Qual))),
        "gq" => number().map(|n| (Slot::GenotypeQuality, n.map(Clause::GenotypeQuality))),
        "depth" => {
            let source = match clauses::find(&pieces, &Slot::Depth) {
                Some(Clause::Depth(s, _)) => *s,
                _ => depth_choice.get_untracked(),
            };
            number().map(|n| (Slot::Depth, n.map(|n| Clause::Depth(source, n))))
        }
        "depth-source" => {
            let source = if value == "info" {
                DepthSource::Info
            } else {
                DepthSource::Format
            };
            depth_choice.set(source);
            match clauses::find(&pieces, &Slot::Depth) {
                Some(Clause::Depth(_, n)) => {
                    Ok((Slot::Depth, Some(Clause::Depth(source, n.clone()))))
                }
                _ => return,
            }
        }
        "gt" => {
            let Ok(k) = arg.parse::<usize>() else { return };
            let g = Genotype::from_keyword(&value);
            Ok((Slot::Genotype(k), g.map(|g| Clause::Genotype(k, g))))
        }
        "af" => {
            let slot = Slot::Frequency(arg.to_string());
            let strict = matches!(
                clauses::find(&pieces, &slot),
                Some(Clause::Frequency { strict: true, .. })
            );
            number().map(|n| {
                let clause = n.map(|value| Clause::Frequency {
                    field: arg.to_string(),
                    strict,
                    value,
                });
                (slot, clause)
            })
        }
        "impact" => {
            let mut levels = match clauses::find(&pieces, &Slot::Impact) {
                Some(Clause::Impact { levels, .. }) => levels.clone(),
                _ => Vec::new(),
            };
            levels.retain(|l| l != arg);
            if checked {
                levels.push(arg.to_string());
            }
            // Most severe first, as the levels are listed.
            let levels: Vec<String> = IMPACTS
                .iter()
                .filter(|i| levels.iter().any(|l| l == *i))
                .map(|i| i.to_string())
                .collect();
            Ok((
                Slot::Impact,
                (!levels.is_empty()).then_some(Clause::Impact { field, levels }),
            ))
        }
        "consequence" => Ok((
            Slot::Consequence,
            (!value.is_empty()).then_some(Clause::Consequence {
                field,
                term: value.clone(),
            }),
        )),
        "clinvar" => Ok((Slot::ClinVar, checked.then_some(Clause::ClinVar { field }))),
        _ => return,
    };
    let Ok((slot, clause)) = edit else {
        let _ = el.set_attribute("aria-invalid", "true");
        return;
    };
    let _ = el.remove_attribute("aria-invalid");
    let mut pieces = pieces;
    clauses::set(&mut pieces, &slot, clause);
    let text = clauses::join(&pieces);
    // Enter then leaving the box reports the same value twice; apply it once.
    let applied = filter
        .report
        .with_untracked(|r| r.as_ref().map(|r| r.expression.clone()));
    if text == filter.draft.get_untracked() && applied.as_deref() == Some(text.as_str()) {
        return;
    }
    filter.draft.set(text);
    apply(filter);
}

/// Builds plain elements. The builder's controls are redrawn whole from the expression, so they
/// are made directly rather than as reactive views (much less code in the download).
struct Dom(web_sys::Document);

impl Dom {
    fn el(&self, tag: &str, attrs: &[(&str, &str)]) -> Element {
        let el = self.0.create_element(tag).expect("a valid tag name");
        for (k, v) in attrs {
            let _ = el.set_attribute(k, v);
        }
        el
    }

    /// An element with text content.
    fn text(&self, tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
        let el = self.el(tag, attrs);
        el.set_text_content(Some(text));
        el
    }
}

fn add(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

/// Redraws every control into `root` from the expression's pieces.
fn draw(
    root: &Element,
    fields: &Fields,
    pieces: &[Piece],
    resting: bool,
    depth_choice: DepthSource,
) {
    let Some(document) = root.owner_document() else {
        return;
    };
    let d = Dom(document);
    root.set_text_content(None);
    let find = |slot: &Slot| clauses::find(pieces, slot);

    if resting {
        add(
            root,
            &d.text(
                "p",
                &[("class", "muted small")],
                "The builder writes “keep matching” expressions; switch the mode back to use it.",
            ),
        );
    }
    let all = d.el("fieldset", &[("class", "builder-fields")]);
    if resting {
        let _ = all.set_attribute("disabled", "");
    }
    add(root, &all);

    let basics = group(&d, &all, "", "group plain");
    if fields.filter_pass {
        check(
            &d,
            &basics,
            "builder-pass",
            "pass",
            "",
            "FILTER is PASS",
            None,
            find(&Slot::FilterPass).is_some(),
        );
    }
    if fields.qual {
        let v = match find(&Slot::Qual) {
            Some(Clause::Qual(v)) => v.as_str(),
            _ => "",
        };
        number_box(&d, &basics, "builder-qual", "qual", "QUAL", "≥", v, None);
    }
    if !fields.depth.is_empty() {
        let (source, v) = match find(&Slot::Depth) {
            Some(Clause::Depth(s, v)) => (*s, v.as_str()),
            _ => (depth_choice, ""),
        };
        number_box(&d, &basics, "builder-depth", "depth", "Depth", "≥", v, None);
        if fields.depth.len() > 1 {
            let selected = if source == DepthSource::Info {
                "info"
            } else {
                "format"
            };
            let options = [
                ("format", "FMT/DP (per sample)"),
                ("info", "INFO/DP (site)"),
            ];
            select(
                &d,
                &basics,
                "builder-depth-source",
                "depth-source",
                "",
                "of",
                &options,
                selected,
            );
        } else {
            add(
                &basics,
                &d.text("span", &[("class", "muted small")], fields.depth[0].field()),
            );
        }
    }
    if fields.gq {
        let v = match find(&Slot::GenotypeQuality) {
            Some(Clause::GenotypeQuality(v)) => v.as_str(),
            _ => "",
        };
        number_box(
            &d,
            &basics,
            "builder-gq",
            "gq",
            "Genotype quality FMT/GQ",
            "≥",
            v,
            None,
        );
    }
    if let Some(field) = &fields.clinvar {
        let on = find(&Slot::ClinVar).is_some();
        check(
            &d,
            &basics,
            "builder-clinvar",
            "clinvar",
            field,
            "ClinVar pathogenic or likely pathogenic",
            Some(field),
            on,
        );
    }

    if !fields.samples.is_empty() {
        let g = group(&d, &all, "Genotype", "group");
        let shown = fields.samples.len().min(MAX_GENOTYPE_SAMPLES);
        let mut options = vec![("", "any")];
        options.extend(Genotype::ALL.iter().map(|g| (g.keyword(), g.label())));
        for (k, name) in fields.samples[..shown].iter().enumerate() {
            let current = match find(&Slot::Genotype(k)) {
                Some(Clause::Genotype(_, g)) => g.keyword(),
                _ => "",
            };
            select(
                &d,
                &g,
                "builder-gt",
                &format!("gt:{k}"),
                "",
                name,
                &options,
                current,
            );
        }
        if fields.samples.len() > shown {
            let more = format!(
                "{} more samples: type GT[k]=\"het\" (k counts from 0) in the expression.",
                fields.samples.len() - shown
            );
            add(&g, &d.text("span", &[("class", "muted small")], &more));
        }
    }

    if !fields.frequencies.is_empty() {
        let g = group(&d, &all, "Population frequency", "group");
        let row = |parent: &Element, field: &String| {
            let (strict, v) = match find(&Slot::Frequency(field.clone())) {
                Some(Clause::Frequency { strict, value, .. }) => (*strict, value.as_str()),
                _ => (false, ""),
            };
            let op = if strict { "<" } else { "≤" };
            number_box(
                &d,
                parent,
                "builder-af",
                &format!("af:{field}"),
                field,
                op,
                v,
                Some("or missing"),
            );
        };
        let (first, rest) = fields
            .frequencies
            .split_at(fields.frequencies.len().min(FREQUENCIES_SHOWN));
        for field in first {
            row(&g, field);
        }
        if !rest.is_empty() {
            let more = d.el("details", &[("class", "more")]);
            // Open when one of the hidden fields has a clause.
            if rest
                .iter()
                .any(|f| find(&Slot::Frequency(f.clone())).is_some())
            {
                let _ = more.set_attribute("open", "");
            }
            add(
                &more,
                &d.text(
                    "summary",
                    &[],
                    &format!("{} more frequency fields", rest.len()),
                ),
            );
            for field in rest {
                row(&more, field);
            }
            add(&g, &more);
        }
    }

    if let Some(field) = &fields.impact {
        let g = group(&d, &all, &format!("Impact ({field})"), "group");
        let levels: &[String] = match find(&Slot::Impact) {
            Some(Clause::Impact { levels, .. }) => levels,
            _ => &[],
        };
        for level in IMPACTS {
            let on = levels.iter().any(|l| l == level);
            check(
                &d,
                &g,
                "builder-impact",
                &format!("impact:{level}"),
                field,
                level,
                None,
                on,
            );
        }
    }

    if let Some(field) = &fields.consequence {
        let g = group(&d, &all, &format!("Consequence ({field})"), "group");
        let current = match find(&Slot::Consequence) {
            Some(Clause::Consequence { term, .. }) => term.as_str(),
            _ => "",
        };
        let mut options = vec![("", "any")];
        options.extend(CONSEQUENCES.iter().map(|t| (*t, *t)));
        select(
            &d,
            &g,
            "builder-consequence",
            "consequence",
            field,
            "In any transcript",
            &options,
            current,
        );
    }

    let custom: Vec<&Piece> = pieces.iter().filter(|p| p.clause.is_none()).collect();
    if !custom.is_empty() {
        let block = d.el(
            "div",
            &[("class", "custom"), ("data-testid", "builder-custom")],
        );
        add(
            &block,
            &d.text(
                "span",
                &[("class", "muted small")],
                "Also required (typed; edit it in the expression box):",
            ),
        );
        let list = d.el("ul", &[]);
        for p in custom {
            let li = d.el("li", &[]);
            add(&li, &d.text("code", &[], &p.text));
            add(&list, &li);
        }
        add(&block, &list);
        add(root, &block);
    }
}

/// A fieldset in `parent`, with a legend unless it is empty.
fn group(d: &Dom, parent: &Element, legend: &str, class: &str) -> Element {
    let g = d.el("fieldset", &[("class", class)]);
    if !legend.is_empty() {
        add(&g, &d.text("legend", &[], legend));
    }
    add(parent, &g);
    g
}

#[allow(clippy::too_many_arguments)]
fn check(
    d: &Dom,
    parent: &Element,
    testid: &str,
    slot: &str,
    field: &str,
    label: &str,
    detail: Option<&str>,
    checked: bool,
) {
    let l = d.el("label", &[("class", "control check")]);
    let input = d.el(
        "input",
        &[
            ("type", "checkbox"),
            ("data-testid", testid),
            ("data-slot", slot),
            ("data-field", field),
        ],
    );
    if checked {
        let _ = input.set_attribute("checked", "");
    }
    add(&l, &input);
    add(&l, &d.text("span", &[], label));
    if let Some(detail) = detail {
        add(
            &l,
            &d.text("span", &[("class", "muted small mono")], detail),
        );
    }
    add(parent, &l);
}

#[allow(clippy::too_many_arguments)]
fn number_box(
    d: &Dom,
    parent: &Element,
    testid: &str,
    slot: &str,
    label: &str,
    op: &str,
    value: &str,
    suffix: Option<&str>,
) {
    let l = d.el("label", &[("class", "control")]);
    add(&l, &d.text("span", &[("class", "control-label")], label));
    add(&l, &d.text("span", &[("class", "op")], op));
    add(
        &l,
        &d.el(
            "input",
            &[
                ("type", "text"),
                ("inputmode", "decimal"),
                ("class", "num-input"),
                ("data-testid", testid),
                ("data-slot", slot),
                ("placeholder", "any"),
                ("value", value),
            ],
        ),
    );
    if let Some(suffix) = suffix {
        add(&l, &d.text("span", &[("class", "muted small")], suffix));
    }
    add(parent, &l);
}

#[allow(clippy::too_many_arguments)]
fn select(
    d: &Dom,
    parent: &Element,
    testid: &str,
    slot: &str,
    field: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
) {
    let l = d.el("label", &[("class", "control")]);
    add(&l, &d.text("span", &[("class", "control-label")], label));
    let s = d.el(
        "select",
        &[
            ("data-testid", testid),
            ("data-slot", slot),
            ("data-field", field),
        ],
    );
    for (value, text) in options {
        let o = d.text("option", &[("value", value)], text);
        if *value == selected {
            let _ = o.set_attribute("selected", "");
        }
        add(&s, &o);
    }
    add(&l, &s);
    add(parent, &l);
}
