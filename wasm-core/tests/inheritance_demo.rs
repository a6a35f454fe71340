//! The synthetic demo families (`static/demo/family.vcf`, `family.ped`, made by
//! `enclave-bench family-demo`): every mode has hits with the default gates, and the planted
//! records (IDs `demo-…`) are explained by the reasons they were planted for.

use enclave_test_support::engine::read_from;
use enclave_test_support::files;
use wasm_core::inheritance::{
    Analysis, Build, Explanation, MendelClass, Mode, Options, ReasonCode, Verdict,
};
use wasm_core::pedigree::Pedigree;

struct Demo {
    ds: wasm_core::Dataset,
    a: Analysis,
}

impl Demo {
    fn new() -> Demo {
        let root = files::workspace_root().join("static/demo");
        let bytes = files::read(&root.join("family.vcf"));
        let ds = read_from("family.vcf", &bytes[..], None).expect("the demo reads");
        let pedigree = Pedigree::parse(&files::read(&root.join("family.ped"))).expect("PED");
        let build = Build::of_summary(&ds.summary);
        assert_eq!(build, Some(Build::GRCh38));
        let a = Analysis::new(
            &ds.store,
            &pedigree,
            Options {
                build,
                ..Options::default()
            },
        )
        .expect("the analysis starts");
        Demo { ds, a }
    }

    fn record(&self, id: &str) -> usize {
        (0..self.ds.store.len())
            .find(|&i| &*self.ds.store.id(i) == id.as_bytes())
            .unwrap_or_else(|| panic!("no record {id}"))
    }

    fn kept(&self, mode: Mode) -> Vec<String> {
        let s = &self.ds.store;
        self.a
            .evaluate(s, mode)
            .kept()
            .iter_ones()
            .map(|i| String::from_utf8_lossy(&s.id(i)).into_owned())
            .collect()
    }

    fn explain(&self, id: &str, mode: Mode, family: &str) -> Explanation {
        self.a
            .explain(&self.ds.store, self.record(id), mode)
            .into_iter()
            .find(|e| e.family == family)
            .unwrap_or_else(|| panic!("{id}: no explanation for family {family}"))
    }
}

#[test]
fn every_mode_has_hits_and_the_planted_ones_are_among_them() {
    let d = Demo::new();
    for (mode, planted) in [
        (Mode::DeNovo, &["demo-de-novo", "demo-de-novo-2"][..]),
        (Mode::Dominant, &["demo-dominant", "demo-dominant-2"]),
        (Mode::Recessive, &["demo-recessive", "demo-recessive-2"]),
        (
            Mode::CompHet,
            &["demo-comp-het-father", "demo-comp-het-mother"],
        ),
        (
            Mode::XRecessive,
            &[
                "demo-x-recessive",
                "demo-x-recessive-2",
                "demo-x-recessive-male-het",
            ],
        ),
        (Mode::XDominant, &["demo-x-dominant", "demo-x-dominant-2"]),
        (Mode::XDeNovo, &["demo-x-de-novo"]),
        (Mode::MendelError, &["demo-mendel-loh"]),
    ] {
        let kept = d.kept(mode);
        for id in planted {
            assert!(
                kept.iter().any(|k| k == id),
                "{}: {id} not kept: {kept:?}",
                mode.name()
            );
        }
        // Near misses stay out.
        for id in [
            "demo-de-novo-mother-reads",
            "demo-de-novo-low-gq",
            "demo-recessive-sister-hom",
            "demo-same-parent-1",
            "demo-dominant-unaffected-carrier",
            "demo-x-par",
        ] {
            if mode != Mode::MendelError {
                assert!(!kept.iter().any(|k| k == id), "{}: {id} kept", mode.name());
            }
        }
    }
}

fn headline(e: &Explanation) -> (ReasonCode, Option<&str>) {
    let r = e
        .reasons
        .first()
        .unwrap_or_else(|| panic!("no reason: {e:?}"));
    (r.code, r.sample.as_deref())
}

#[test]
fn explanations_name_the_planted_reasons() {
    let d = Demo::new();
    let e = d.explain("demo-de-novo-mother-reads", Mode::DeNovo, "quartet");
    assert_eq!(e.verdict, Verdict::No);
    assert_eq!(headline(&e), (ReasonCode::ParentAltReads, Some("MO")));
    assert_eq!(e.reasons[0].text, "MO has 6 alternate reads");

    let e = d.explain("demo-de-novo-low-gq", Mode::DeNovo, "quartet");
    assert_eq!(headline(&e), (ReasonCode::GqBelow, Some("KID")));
    assert_eq!(e.reasons[0].text, "KID GQ 5 < 20");

    let e = d.explain("demo-recessive-sister-hom", Mode::Recessive, "quartet");
    assert_eq!(headline(&e), (ReasonCode::UnaffectedCarries, Some("SIS")));
    assert_eq!(e.reasons[0].text, "unaffected SIS is 1/1");

    let e = d.explain(
        "demo-dominant-unaffected-carrier",
        Mode::Dominant,
        "dominant",
    );
    assert_eq!(headline(&e), (ReasonCode::UnaffectedCarries, Some("DAU")));

    // A hom-alt kid with a hom-ref father: not recessive, a Mendel error (loss of heterozygosity).
    let e = d.explain("demo-mendel-loh", Mode::Recessive, "quartet");
    assert_eq!(headline(&e), (ReasonCode::ParentNotHet, Some("FA")));
    assert!(e.notes.iter().any(|n| n.code == ReasonCode::MendelError));
    let e = d.explain("demo-mendel-loh", Mode::MendelError, "quartet");
    assert_eq!(
        (e.verdict, e.mendel),
        (Verdict::Fits, Some(MendelClass::LossOfHeterozygosity))
    );

    // Two ATM sites both from the father: no partner.
    let e = d.explain("demo-same-parent-1", Mode::CompHet, "quartet");
    assert_eq!(headline(&e).0, ReasonCode::NoPartner);
    assert!(
        e.reasons.iter().any(|r| r.code == ReasonCode::SameParent),
        "{e:?}"
    );

    // The CFTR pair: each lists the other.
    let father = d.explain("demo-comp-het-father", Mode::CompHet, "quartet");
    let mother_pos = d.ds.store.pos(d.record("demo-comp-het-mother"));
    assert_eq!(father.verdict, Verdict::Fits);
    assert!(
        father.partners.iter().any(|p| p.pos == mother_pos),
        "{:?}",
        father.partners
    );

    // A male het on chrX counts as alternate, with the note.
    let e = d.explain("demo-x-recessive-male-het", Mode::XRecessive, "quartet");
    assert_eq!(e.verdict, Verdict::Fits);
    assert!(
        e.notes
            .iter()
            .any(|n| n.code == ReasonCode::MaleXHet && n.sample.as_deref() == Some("KID"))
    );

    // chrX inside PAR1: the X-linked modes do not read it.
    let e = d.explain("demo-x-par", Mode::XRecessive, "quartet");
    assert_eq!(headline(&e).0, ReasonCode::InPar);
}

#[test]
fn several_modes_are_a_union_with_each_modes_tag_and_explanations() {
    let d = Demo::new();
    let s = &d.ds.store;
    // seqr's "recessive": recessive ∪ comp-het ∪ x-recessive (comp-het named twice counts once).
    let modes = [
        Mode::Recessive,
        Mode::CompHet,
        Mode::XRecessive,
        Mode::CompHet,
    ];
    let selection = d.a.select(s, &modes);
    assert_eq!(selection.modes.len(), 3);
    let mut union = wasm_core::bitmap::Bitmap::zeros(s.len());
    for m in [Mode::Recessive, Mode::CompHet, Mode::XRecessive] {
        let alone = d.a.evaluate(s, m).kept();
        assert!(alone.count_ones() > 0, "{m:?}");
        assert_eq!(selection.of(m).map(|r| r.kept()), Some(alone.clone()));
        union.or_with(&alone);
    }
    assert_eq!(selection.kept, union);
    assert!(
        selection.kept.count_ones() > selection.of(Mode::Recessive).unwrap().kept().count_ones()
    );
    assert!(selection.of(Mode::DeNovo).is_none());
    // The tag names exactly the modes that keep a record, and only kept records have one.
    for i in 0..s.len() {
        let tag = selection.tag(i);
        assert_eq!(
            tag.is_empty(),
            !selection.kept.get(i),
            "record {i}: {tag:?}"
        );
    }
    let rec = d.record("demo-recessive");
    assert!(
        selection.tag(rec).starts_with("recessive:quartet"),
        "{}",
        selection.tag(rec)
    );
    // One explanation per chosen mode, family and allele, in the order chosen.
    let explained = d.a.explain_row(s, rec, &modes);
    let order: Vec<Mode> = explained.iter().map(|e| e.mode).collect();
    assert_eq!(order.len(), 3 * 2, "{order:?}");
    assert_eq!(&order[..2], &[Mode::Recessive, Mode::Recessive]);
    assert!(
        explained.iter().any(|e| e.mode == Mode::Recessive
            && e.family == "quartet"
            && e.verdict == Verdict::Fits)
    );
    // The one-call form gives the same rows.
    let pedigree = Pedigree::parse(&files::read(
        &files::workspace_root().join("static/demo/family.ped"),
    ))
    .unwrap();
    let (_, again) = wasm_core::inheritance::select(s, &pedigree, d.a.options().clone(), &modes)
        .expect("selects");
    assert_eq!(again.kept, selection.kept);
}
