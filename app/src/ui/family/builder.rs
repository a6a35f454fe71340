//! A pedigree built on the page for a file picked without a PED: per sample its family, father,
//! mother, sex and whether affected. Several families are possible (a family column). The rows
//! become a PED text ([`ped_text`]) tied to the file like a picked PED, so its checks and
//! messages are the same (a father of sex 2 names the sample's line).

use leptos::prelude::*;

use super::use_family;

/// One sample's row of the builder.
#[derive(Debug, Clone, PartialEq)]
pub struct BuilderRow {
    pub sample: String,
    pub family: String,
    /// Another sample's name, or empty.
    pub father: String,
    pub mother: String,
    /// PED codes: `0` unknown, `1` male, `2` female.
    pub sex: String,
    /// PED codes: `0` unknown, `1` unaffected, `2` affected.
    pub phenotype: String,
}

/// The PED text of the rows: a header comment, then one line per sample (line `k + 2` is
/// sample `k`'s).
pub fn ped_text(rows: &[BuilderRow]) -> String {
    let mut out = String::from("#family\tindividual\tfather\tmother\tsex\tphenotype\n");
    let or_zero = |s: &str| {
        if s.is_empty() {
            "0".to_string()
        } else {
            s.to_string()
        }
    };
    for r in rows {
        let family = if r.family.trim().is_empty() {
            "family"
        } else {
            r.family.trim()
        };
        out.push_str(&format!(
            "{family}\t{}\t{}\t{}\t{}\t{}\n",
            r.sample,
            or_zero(&r.father),
            or_zero(&r.mother),
            r.sex,
            r.phenotype
        ));
    }
    out
}

#[component]
pub fn PedigreeBuilder(samples: Vec<String>) -> impl IntoView {
    let family = use_family();
    let rows = RwSignal::new(
        samples
            .iter()
            .map(|s| BuilderRow {
                sample: s.clone(),
                family: "family".into(),
                father: String::new(),
                mother: String::new(),
                sex: "0".into(),
                phenotype: "0".into(),
            })
            .collect::<Vec<_>>(),
    );
    let edit = move |k: usize, f: fn(&mut BuilderRow, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            rows.update(|r| f(&mut r[k], v));
        }
    };
    let options = |samples: &[String], own: &str| {
        std::iter::once(view! { <option value="">"—"</option> }.into_any())
            .chain(
                samples
                    .iter()
                    .filter(|s| s.as_str() != own)
                    .map(|s| view! { <option value=s.clone()>{s.clone()}</option> }.into_any()),
            )
            .collect_view()
    };
    view! {
        <details class="pedigree-builder" data-testid="pedigree-builder">
            <summary>"No PED file: give the samples their family, parents, sex and phenotype"</summary>
            <p class="muted small">"Or pick the PED file together with the data: it is recognised by its content."</p>
            <table>
                <thead><tr><th>"sample"</th><th>"family"</th><th>"father"</th><th>"mother"</th><th>"sex"</th><th>"affected"</th></tr></thead>
                <tbody>
                    {samples.iter().enumerate().map(|(k, s)| view! {
                        <tr data-testid="builder-row" data-sample=s.clone()>
                            <td>{s.clone()}</td>
                            <td><input type="text" value="family" data-testid="builder-family"
                                on:change=edit(k, |r, v| r.family = v) /></td>
                            <td><select data-testid="builder-father" on:change=edit(k, |r, v| r.father = v)>{options(&samples, s)}</select></td>
                            <td><select data-testid="builder-mother" on:change=edit(k, |r, v| r.mother = v)>{options(&samples, s)}</select></td>
                            <td><select data-testid="builder-sex" on:change=edit(k, |r, v| r.sex = v)>
                                <option value="0">"unknown"</option><option value="1">"male"</option><option value="2">"female"</option>
                            </select></td>
                            <td><select data-testid="builder-phenotype" on:change=edit(k, |r, v| r.phenotype = v)>
                                <option value="0">"unknown"</option><option value="1">"unaffected"</option><option value="2">"affected"</option>
                            </select></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <button type="button" class="button" data-testid="builder-apply"
                on:click=move |_| family.apply_ped("built on this page".into(), ped_text(&rows.get_untracked()))>
                "Use this pedigree"
            </button>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn rows_become_a_ped_the_engine_reads() {
        let row = |s: &str, fa: &str, mo: &str, sex: &str, ph: &str| BuilderRow {
            sample: s.into(),
            family: "f1".into(),
            father: fa.into(),
            mother: mo.into(),
            sex: sex.into(),
            phenotype: ph.into(),
        };
        let text = ped_text(&[
            row("KID", "DAD", "MUM", "1", "2"),
            row("DAD", "", "", "1", "1"),
            row("MUM", "", "", "2", "1"),
        ]);
        let ped = wasm_core::pedigree::Pedigree::parse(text.as_bytes()).unwrap();
        let kid = &ped.individuals()[ped.find("KID").unwrap()];
        assert_eq!(ped.individuals()[kid.father.unwrap()].id, "DAD");
        assert_eq!(ped.individuals()[kid.mother.unwrap()].id, "MUM");
        // A father of sex 2 is refused on the sample's line (header is line 1).
        let bad = ped_text(&[
            row("KID", "DAD", "", "1", "2"),
            row("DAD", "", "", "2", "1"),
        ]);
        let e = wasm_core::pedigree::Pedigree::parse(bad.as_bytes()).unwrap_err();
        assert_eq!(
            e.kind(),
            wasm_core::pedigree::PedigreeErrorKind::FatherNotMale
        );
        assert!(matches!(e.line(), Some(2 | 3)));
    }
}
