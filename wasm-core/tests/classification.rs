//! The classification engine over the synthetic demo family (`static/demo/family.vcf`, VEP
//! `CSQ`; `family.ped`): every pre-fill names a field the file declares and the value the
//! record holds; and the versioned case shape as JSON.

use enclave_test_support::engine::read_from;
use enclave_test_support::files;
use wasm_core::annotation::{Schema, schemas};
use wasm_core::classification::{
    Basis, Class, Classification, ClassifyError, Criterion, FamilyEvidence, Prefill, PrefillParams,
    Strength, prefill,
};
use wasm_core::inheritance::{Analysis, Build, Mode, Options};
use wasm_core::pedigree::Pedigree;
use wasm_core::store::VariantStore;

struct Demo {
    store: VariantStore,
    schema: Schema,
    analysis: Analysis,
}

fn demo(vcf: &[u8]) -> Demo {
    let root = files::workspace_root().join("static/demo");
    let ds = read_from("family.vcf", vcf, None).expect("the demo reads");
    let pedigree = Pedigree::parse(&files::read(&root.join("family.ped"))).expect("PED");
    let analysis = Analysis::new(
        &ds.store,
        &pedigree,
        Options {
            build: Build::of_summary(&ds.summary),
            ..Options::default()
        },
    )
    .expect("the analysis starts");
    let schema = schemas(&ds.store)
        .into_iter()
        .find(|s| s.tag == "CSQ")
        .expect("the demo has CSQ");
    Demo {
        store: ds.store,
        schema,
        analysis,
    }
}

fn demo_bytes() -> Vec<u8> {
    files::read(&files::workspace_root().join("static/demo/family.vcf"))
}

impl Demo {
    fn record(&self, id: &str) -> usize {
        (0..self.store.len())
            .find(|&i| &*self.store.id(i) == id.as_bytes())
            .unwrap_or_else(|| panic!("no record {id}"))
    }

    fn prefill(&self, i: usize, parentage_confirmed: bool) -> Vec<Prefill> {
        let explanations =
            self.analysis
                .explain_row(&self.store, i, &[Mode::DeNovo, Mode::XDeNovo]);
        let family = FamilyEvidence::from_explanations(&explanations, parentage_confirmed);
        prefill(
            &self.store,
            i,
            Some(&self.schema),
            &family,
            &PrefillParams::default(),
        )
    }

    /// The record's raw INFO/CSQ text.
    fn csq(&self, i: usize) -> String {
        let row = self.store.row(i, &[], &[]);
        row.info_text
            .split(';')
            .find_map(|kv| kv.strip_prefix("CSQ="))
            .unwrap_or_default()
            .to_string()
    }
}

fn value<'a>(p: &'a Prefill, field: &str) -> Option<&'a str> {
    p.evidence
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.value.as_str())
}

/// The planted stop-gained de novo in SCN1A: a PVS1 candidate read from CSQ, and PS2 (parentage
/// confirmed) or PM6 (not) read from the family analysis.
#[test]
fn the_planted_de_novo_stop_gained() {
    let d = demo(&demo_bytes());
    let i = d.record("demo-de-novo-2");
    let got = d.prefill(i, true);
    let names: Vec<String> = got.iter().map(|p| p.applied.to_string()).collect();
    assert_eq!(names, ["PVS1", "PS2"], "{got:?}");
    let pvs1 = &got[0];
    assert!(pvs1.candidate);
    assert_eq!(value(pvs1, "INFO/CSQ:Consequence"), Some("stop_gained"));
    assert_eq!(value(pvs1, "INFO/CSQ:IMPACT"), Some("HIGH"));
    assert_eq!(value(pvs1, "INFO/CSQ:SYMBOL"), Some("SCN1A"));
    let ps2 = &got[1];
    assert!(!ps2.candidate);
    assert_eq!(
        value(ps2, "inheritance:de-novo"),
        Some("fits in family quartet (allele 1)")
    );
    assert_eq!(value(ps2, "pedigree-check"), Some("no parentage warning"));

    let got = d.prefill(i, false);
    assert_eq!(got[1].applied, Criterion::PM6.applied());

    // Ticked as suggested, the points scheme gives 8 + 4 = 12: pathogenic.
    let mut c = Classification::from_prefills(d.prefill(i, true));
    let outcome = c.combine().unwrap();
    assert_eq!(
        (outcome.points.total, outcome.class),
        (12, Class::Pathogenic)
    );
    assert_eq!(c.class, Some(Class::Pathogenic));
}

/// Over every record of the demo: each pre-fill's evidence names a field the header declares
/// (an INFO key, or a sub-field of CSQ's layout) and a value the record holds, and no
/// frequency pre-fill appears (the demo declares no population field).
#[test]
fn every_prefill_names_a_real_field_and_value() {
    let d = demo(&demo_bytes());
    let mut seen = [0usize; 2];
    for i in 0..d.store.len() {
        let csq = d.csq(i);
        for p in d.prefill(i, false) {
            match p.applied.criterion {
                Criterion::PVS1 => seen[0] += 1,
                Criterion::PM6 => seen[1] += 1,
                other => panic!("record {i}: unexpected {other}"),
            }
            for e in &p.evidence {
                if let Some(rest) = e.field.strip_prefix("INFO/CSQ:") {
                    assert!(d.schema.index_of(rest).is_some(), "{}", e.field);
                    assert!(
                        csq.contains(&e.value),
                        "record {i}: {} not in {csq}",
                        e.value
                    );
                } else {
                    assert!(
                        e.field.starts_with("inheritance:") || e.field == "pedigree-check",
                        "{}",
                        e.field
                    );
                }
            }
        }
    }
    // Four loss-of-function records (two stop_gained, two frameshift), and the de novo ones.
    assert_eq!(seen[0], 4);
    assert!(seen[1] >= 1);
}

/// The demo with a gnomAD field added (INFO and in CSQ): the frequency pre-fills read it.
#[test]
fn population_fields_added_to_the_demo() {
    let text = String::from_utf8(demo_bytes()).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("##INFO=<ID=CSQ") {
            out.push_str(
                "##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description=\"gnomAD allele frequency\">\n",
            );
            out.push_str(&line.replace("|HGVSc\">", "|HGVSc|gnomADg_AF\">"));
        } else if line.starts_with('#') {
            out.push_str(line);
        } else {
            let mut cols: Vec<String> = line.split('\t').map(String::from).collect();
            cols[7] = match cols[2].as_str() {
                "demo-de-novo-2" => format!("{}|", cols[7]),
                "bg-MTHFR-4" => format!("gnomAD_AF=0.2;{}|0.001", cols[7]),
                "bg-MTHFR-0" => format!("gnomAD_AF=0.00001;{}|0.00003", cols[7]),
                _ => format!("gnomAD_AF=0.01;{}|0.01", cols[7]),
            };
            out.push_str(&cols.join("\t"));
        }
        out.push('\n');
    }
    let d = demo(out.as_bytes());
    let find = |id: &str, c: Criterion| {
        d.prefill(d.record(id), true)
            .into_iter()
            .find(|p| p.applied.criterion == c)
            .unwrap_or_else(|| panic!("{id}: no {c}"))
    };
    let pm2 = find("demo-de-novo-2", Criterion::PM2);
    assert_eq!(pm2.applied.strength, Strength::Supporting);
    assert_eq!(value(&pm2, "INFO/gnomAD_AF"), Some("."));
    assert_eq!(value(&pm2, "INFO/CSQ:gnomADg_AF"), Some("."));
    let ba1 = find("bg-MTHFR-4", Criterion::BA1);
    assert_eq!(value(&ba1, "INFO/gnomAD_AF"), Some("0.2"));
    let rare = find("bg-MTHFR-0", Criterion::PM2);
    assert_eq!(value(&rare, "INFO/CSQ:gnomADg_AF"), Some("0.00003"));
    // The planted de novo now: PVS1 candidate, PS2, PM2_Supporting → 8 + 4 + 1 = 13.
    let c = Classification::from_prefills(d.prefill(d.record("demo-de-novo-2"), true));
    assert_eq!(c.outcome().unwrap().points.total, 13);
}

#[test]
fn the_case_shape_is_versioned_json() {
    let d = demo(&demo_bytes());
    let mut c = Classification::from_prefills(d.prefill(d.record("demo-de-novo-2"), false));
    c.criteria[0].strength = Strength::Strong; // PVS1_Strong after the decision tree
    c.evidence = "segregates with the disease".into();
    let outcome = c.combine().unwrap();
    assert_eq!(outcome.points.total, 6); // 4 + 2
    assert_eq!(c.class, Some(Class::LikelyPathogenic));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["class"], "likely-pathogenic");
    assert_eq!(
        json["basis"],
        serde_json::json!({"from": "criteria", "scheme": "points"})
    );
    assert_eq!(json["criteria"][0]["criterion"], "PVS1");
    assert_eq!(json["criteria"][0]["strength"], "strong");
    assert_eq!(
        json["criteria"][0]["prefill"]["applied"]["strength"],
        "very-strong"
    );
    assert_eq!(json["criteria"][1]["criterion"], "PM6");
    assert_eq!(
        json["criteria"][1]["prefill"]["evidence"][0]["field"],
        "inheritance:de-novo"
    );
    assert!(c.criteria[0].is_changed() && !c.criteria[1].is_changed());
    let back: Classification = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, c);

    // Another version is refused, never guessed at.
    let mut other = json.clone();
    other["version"] = 2.into();
    assert!(serde_json::from_value::<Classification>(other).is_err());
    // Every select value reads back; an unknown one does not.
    for name in [
        "pathogenic",
        "likely-pathogenic",
        "uncertain",
        "likely-benign",
        "benign",
    ] {
        let mut j = json.clone();
        j["class"] = name.into();
        let c: Classification = serde_json::from_value(j).unwrap();
        assert_eq!(c.class.unwrap().name(), name);
    }
    let mut j = json.clone();
    j["class"] = "vus".into();
    assert!(serde_json::from_value::<Classification>(j).is_err());

    // A stored strength SVI refuses (BA1_Strong) reads, but does not combine.
    let forged = serde_json::json!({
        "version": 1,
        "criteria": [{"criterion": "BA1", "strength": "strong", "met": true, "prefill": null}],
        "class": null,
        "basis": {"from": "direct"}
    });
    let c: Classification = serde_json::from_value(forged).unwrap();
    assert_eq!(c.basis, Basis::Direct);
    assert!(matches!(c.outcome(), Err(ClassifyError::Strength(_))));
}
