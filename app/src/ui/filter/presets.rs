//! Filter presets: the shipped catalogue (`static/presets/presets.v1.json`, compiled into the
//! app) and the reader's own, kept in this browser's `localStorage` (`enclave.presets.v1`) and
//! never sent anywhere.
//!
//! A shipped preset names the fields it needs (`FILTER/PASS`, `INFO/AF`, `FORMAT/GQ`,
//! `CSQ/IMPACT`, …) and may offer alternatives for files annotated differently; the first
//! variant whose fields the file has is used, and a preset with none is shown disabled with the
//! reason. Applying a preset fills the expression box, where the reader can edit it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_core::filter::Mode;

use crate::protocol::FilterSchema;
use crate::ui::selection::use_selection;

/// The catalogue's format version this app reads.
pub const CATALOGUE_VERSION: u32 = 1;
const CATALOGUE: &str = include_str!("../../../../static/presets/presets.v1.json");
/// Where the reader's presets live.
const STORAGE_KEY: &str = "enclave.presets.v1";
const STORAGE_VERSION: u32 = 1;
/// Longest preset name kept.
const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Catalogue {
    pub version: u32,
    pub presets: Vec<Preset>,
}

/// A shipped preset.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub description: String,
    pub expression: String,
    #[serde(default)]
    pub mode: Mode,
    /// Fields the expression reads: `FILTER/PASS`, `QUAL`, `INFO/KEY`, `FORMAT/KEY`, `TAG/Subfield`.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Tried in order when the file lacks a field of `requires`.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Alternative {
    pub expression: String,
    pub requires: Vec<String>,
}

impl Preset {
    /// The expression for this file, or why the preset does not apply to it.
    pub fn resolve(&self, schema: &FilterSchema) -> Result<&str, String> {
        let missing = |requires: &[String]| -> Vec<String> {
            requires
                .iter()
                .filter(|r| !satisfied(r, schema))
                .cloned()
                .collect()
        };
        let first = missing(&self.requires);
        if first.is_empty() {
            return Ok(&self.expression);
        }
        for alternative in &self.alternatives {
            if missing(&alternative.requires).is_empty() {
                return Ok(&alternative.expression);
            }
        }
        // Name the variants that lack the fewest fields: "needs CSQ/IMPACT or ANN/Annotation_Impact".
        let all: Vec<Vec<String>> = std::iter::once(first)
            .chain(self.alternatives.iter().map(|a| missing(&a.requires)))
            .collect();
        let fewest = all.iter().map(Vec::len).min().unwrap_or(0);
        let mut options: Vec<String> = Vec::new();
        for m in all.iter().filter(|m| m.len() == fewest) {
            let text = m.join(" and ");
            if !options.contains(&text) {
                options.push(text);
            }
        }
        Err(format!("Needs {}: not in this file.", options.join(" or ")))
    }
}

/// Parses JSON with `serde_json`, which the page links already for the server's API.
fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}

/// The shipped catalogue. A catalogue that does not parse is a build defect; it shows empty.
pub fn catalogue() -> Catalogue {
    from_json::<Catalogue>(CATALOGUE)
        .filter(|c| c.version == CATALOGUE_VERSION)
        .unwrap_or(Catalogue {
            version: CATALOGUE_VERSION,
            presets: Vec::new(),
        })
}

/// Whether the file has what a requirement names.
pub fn satisfied(requirement: &str, schema: &FilterSchema) -> bool {
    match requirement.split_once('/') {
        None if requirement == "QUAL" => schema.has_qual,
        None if requirement == "SAMPLES" => !schema.samples.is_empty(),
        None => false,
        Some(("FILTER", name)) => schema.filters.iter().any(|f| f == name),
        Some(("INFO", key)) => schema.info_field(key).is_some(),
        Some(("FORMAT" | "FMT", key)) => {
            !schema.samples.is_empty() && schema.format_field(key).is_some()
        }
        Some((tag, sub)) => schema.has_subfield(tag, sub),
    }
}

/// A preset the reader saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPreset {
    pub id: String,
    pub name: String,
    pub expression: String,
    #[serde(default)]
    pub mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stored {
    version: u32,
    presets: Vec<UserPreset>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The reader's presets from `localStorage` (none when storage is off or the entry is not ours).
pub fn load_user_presets() -> Vec<UserPreset> {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| from_json::<Stored>(&text))
        .filter(|stored| stored.version == STORAGE_VERSION)
        .map(|stored| stored.presets)
        .unwrap_or_default()
}

/// Writes the reader's presets; says why when the browser refuses.
pub fn store_user_presets(presets: &[UserPreset]) -> Result<(), String> {
    let storage = storage().ok_or("this browser does not allow saving here (storage is off)")?;
    let text = serde_json::to_string(&Stored {
        version: STORAGE_VERSION,
        presets: presets.to_vec(),
    })
    .map_err(|e| format!("the presets could not be written as JSON: {e}"))?;
    storage
        .set_item(STORAGE_KEY, &text)
        .map_err(|_| "the browser refused to save (storage full or disabled)".to_string())
}

/// The preset buttons, the reader's presets, and saving the current filter as one. A preset
/// fills the expression box and applies it.
#[component]
pub fn Presets(schema: FilterSchema) -> impl IntoView {
    let f = use_selection();
    let choose = move |expression: String, mode: Mode| {
        f.draft.set(expression);
        f.mode.set(mode);
        f.apply();
    };
    let shipped = catalogue()
        .presets
        .into_iter()
        .map(|p| {
            let resolved = p.resolve(&schema).map(str::to_string);
            let (title, reason) = match &resolved {
                Ok(expression) => (format!("{}\n\n{expression}", p.description), None),
                Err(reason) => (
                    format!("{}\n\n{reason}", p.description),
                    Some(reason.clone()),
                ),
            };
            let mode = p.mode;
            let on_click = move || {
                if let Ok(expression) = &resolved {
                    choose(expression.clone(), mode);
                }
            };
            view! { <PresetButton id=p.id name=p.name title=title unavailable=reason on_click=on_click /> }
        })
        .collect_view();

    let saved = RwSignal::new(load_user_presets());
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let save = move || {
        let title: String = name
            .get_untracked()
            .trim()
            .chars()
            .take(MAX_NAME_CHARS)
            .collect();
        let expression = f.draft.get_untracked().trim().to_string();
        if title.is_empty() {
            problem.set(Some("Give the preset a name.".into()));
            return;
        }
        if expression.is_empty() {
            problem.set(Some("Type an expression to save.".into()));
            return;
        }
        let mut presets = load_user_presets();
        let mode = f.mode.get_untracked();
        // Saving under an existing name replaces that preset.
        match presets.iter_mut().find(|p| p.name == title) {
            Some(existing) => {
                existing.expression = expression;
                existing.mode = mode;
            }
            None => presets.push(UserPreset {
                id: format!("user-{}", js_sys::Date::now() as u64),
                name: title,
                expression,
                mode,
            }),
        }
        match store_user_presets(&presets) {
            Ok(()) => {
                problem.set(None);
                name.set(String::new());
                saved.set(presets);
            }
            Err(e) => problem.set(Some(format!("Not saved: {e}."))),
        }
    };
    let delete = move |id: String| {
        let mut presets = load_user_presets();
        presets.retain(|p| p.id != id);
        match store_user_presets(&presets) {
            Ok(()) => saved.set(presets),
            Err(e) => problem.set(Some(format!("Not deleted: {e}."))),
        }
    };
    let mine = move || {
        saved
            .get()
            .into_iter()
            .map(|p| {
                let mode = if p.mode == Mode::Exclude {
                    " (remove matching)"
                } else {
                    ""
                };
                let title = format!("Your preset{mode}\n\n{}", p.expression);
                let UserPreset {
                    id,
                    name,
                    expression,
                    mode,
                } = p;
                let label = format!("Delete preset {name}");
                let on_click = move || choose(expression.clone(), mode);
                view! {
                    <PresetButton id=format!("user:{id}") name=name title=title on_click=on_click>
                        <button type="button" class="dismiss" data-testid="preset-delete"
                            aria-label=label title="Delete this preset"
                            on:click=move |_| delete(id.clone())>"×"</button>
                    </PresetButton>
                }
            })
            .collect_view()
    };

    view! {
        <div class="presets">
            <span class="presets-label">"Presets"</span>
            <ul class="preset-list">{shipped}</ul>
            <ul class="preset-list user" data-testid="user-presets">{mine}</ul>
            <form
                class="preset-save"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <input
                    type="text"
                    data-testid="preset-name"
                    placeholder="Name this filter"
                    aria-label="Name for a new preset"
                    maxlength=MAX_NAME_CHARS.to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <button type="submit" class="button small" data-testid="preset-save"
                    title="Save the expression as your own preset, in this browser only">
                    "Save preset"
                </button>
            </form>
            {move || problem.get().map(|p| view! { <p class="preset-problem" role="alert">{p}</p> })}
        </div>
    }
}

/// One preset button; a disabled one says why beside it, a saved one has its delete button as
/// `children`.
#[component]
fn PresetButton(
    id: String,
    name: String,
    title: String,
    /// Why the preset does not apply to this file.
    #[prop(default = None)]
    unavailable: Option<String>,
    #[prop(into)] on_click: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let disabled = unavailable.is_some();
    let mine = children.is_some();
    view! {
        <li class="preset" class:unavailable=disabled class:mine=mine>
            <button type="button" class="button small" data-testid="preset" data-preset-id=id
                title=title disabled=disabled on:click=move |_| on_click.run(())>
                {name}
            </button>
            {unavailable.map(|r| view! { <span class="preset-reason">{r}</span> })}
            {children.map(|c| c())}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{AnnotationSchema, FieldSchema};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn field(key: &str) -> FieldSchema {
        FieldSchema {
            key: key.into(),
            number: "1".into(),
            ty: "Integer".into(),
            description: String::new(),
        }
    }

    #[wasm_bindgen_test]
    fn the_catalogue_parses_with_the_required_presets() {
        let c = catalogue();
        assert_eq!(c.version, 1);
        let ids: Vec<&str> = c.presets.iter().map(|p| p.id.as_str()).collect();
        for id in [
            "quality",
            "rare",
            "high-impact",
            "rare-high-impact",
            "clinvar-plp",
        ] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        for p in &c.presets {
            assert!(!p.name.is_empty() && !p.description.is_empty() && !p.expression.is_empty());
            assert!(!p.requires.is_empty(), "{}", p.id);
        }
    }

    #[wasm_bindgen_test]
    fn presets_resolve_against_the_fields_present() {
        let c = catalogue();
        let get = |id: &str| c.presets.iter().find(|p| p.id == id).unwrap();
        let mut schema = FilterSchema {
            info: vec![field("DP"), field("AF")],
            format: vec![field("GQ"), field("DP")],
            samples: vec!["a".into()],
            filters: vec!["PASS".into()],
            has_qual: true,
            annotations: vec![],
        };
        assert_eq!(
            get("quality").resolve(&schema),
            Ok(r#"FILTER="PASS" && FMT/GQ>=20 && FMT/DP>=10"#)
        );
        assert_eq!(
            get("rare").resolve(&schema),
            Ok(r#"(INFO/AF<0.01 || INFO/AF=".")"#)
        );
        assert_eq!(
            get("high-impact").resolve(&schema),
            Err("Needs CSQ/IMPACT or ANN/Annotation_Impact: not in this file.".into())
        );
        // The rare part resolves through INFO/AF; only the impact is missing.
        assert_eq!(
            get("rare-high-impact").resolve(&schema),
            Err("Needs CSQ/IMPACT or ANN/Annotation_Impact: not in this file.".into())
        );
        schema.annotations.push(AnnotationSchema {
            tag: "ANN".into(),
            subfields: vec!["Allele".into(), "Annotation_Impact".into()],
        });
        assert_eq!(
            get("high-impact").resolve(&schema),
            Ok(r#"ANN/Annotation_Impact="HIGH""#)
        );
        // Without PASS in the records the quality preset does not apply.
        schema.filters = vec!["LowQual".into()];
        assert!(get("quality").resolve(&schema).is_err());
    }
}
