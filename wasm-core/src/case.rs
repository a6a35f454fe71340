//! A case: what a clinician decided about one dataset — which file (its salted fingerprint), the
//! pedigree, the filter and modes in force, the variants looked at with their classification,
//! tags and notes, and which of them go on the report (CLINICAL.md §6). It lives in the browser
//! (the app keeps it in IndexedDB, keyed by the fingerprint) and is never sent; it is exported
//! and imported as a file (JSON, Crypt4GH-encrypted to the keys the person picks).
//!
//! Main types: [`Case`] (versioned: a file of another version is refused when read, never
//! guessed at), [`CaseVariant`] keyed by [`VariantKey`] (CHROM, POS, REF, ALT — stable across
//! reloads and worker layouts, unlike a record index), [`Tag`].
//!
//! Data flow: the app's case context edits a [`Case`] → JSON ([`Case::to_json`]) → IndexedDB;
//! or → [`file::seal`] → an exported, encrypted file, read back by [`file::open`].

pub mod file;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::classification::case::Classification;
use crate::inheritance::Mode;

/// The shape's version.
pub const CASE_VERSION: u32 = 1;

/// The `version` field: serialises as [`CASE_VERSION`] and refuses any other number when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseVersion;

impl Serialize for CaseVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(CASE_VERSION)
    }
}

impl<'de> Deserialize<'de> for CaseVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        if v == CASE_VERSION {
            Ok(CaseVersion)
        } else {
            Err(serde::de::Error::custom(format_args!(
                "case version {v} is not {CASE_VERSION}"
            )))
        }
    }
}

/// One variant as the file writes it: CHROM, POS (1-based), REF and the ALT column as written
/// (comma-joined, `.` when none). Two records with the same key are the same variant to a case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VariantKey {
    pub chrom: String,
    pub pos: u64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub alt: String,
}

impl std::fmt::Display for VariantKey {
    /// `chr1:12345 A>G`, as the app shows a variant.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {}>{}",
            self.chrom, self.pos, self.reference, self.alt
        )
    }
}

/// A label the clinician puts on a variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "tag", rename_all = "kebab-case")]
pub enum Tag {
    Candidate,
    ConfirmationRequested,
    /// Looked at and set aside; the reason goes to the report's appendix.
    Excluded {
        reason: String,
    },
}

impl Tag {
    /// The tag's name as the app and the case file write it.
    pub fn name(&self) -> &'static str {
        match self {
            Tag::Candidate => "candidate",
            Tag::ConfirmationRequested => "confirmation-requested",
            Tag::Excluded { .. } => "excluded",
        }
    }
}

/// What the case holds of one variant.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseVariant {
    pub classification: Option<Classification>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// On the case's report list (`add-to-report`).
    #[serde(default)]
    pub on_report: bool,
    #[serde(default)]
    pub note: String,
}

impl CaseVariant {
    /// Nothing decided: a variant in this state need not be kept.
    pub fn is_empty(&self) -> bool {
        self.classification.is_none()
            && self.tags.is_empty()
            && !self.on_report
            && self.note.is_empty()
    }
}

/// The filter in force when the case was last saved, as the person wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaseFilter {
    #[serde(default)]
    pub expression: String,
    #[serde(default)]
    pub regions: String,
    #[serde(default)]
    pub genes: String,
    /// The expression removes records (`-e`) instead of keeping them.
    #[serde(default)]
    pub exclude: bool,
}

/// One case, tied to one dataset by its salted fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub version: CaseVersion,
    /// The dataset's salted fingerprint (`wasm_core::fingerprint`): the case reopens when a file
    /// with the same fingerprint is opened.
    pub fingerprint: String,
    /// The file's name when the case was made (kept in the browser and in exported cases only).
    #[serde(default)]
    pub file_name: String,
    /// The PED text tied to the dataset, as picked or built in the app.
    #[serde(default)]
    pub pedigree: Option<String>,
    #[serde(default)]
    pub filter: CaseFilter,
    #[serde(default)]
    pub modes: Vec<Mode>,
    /// The lenient switch for missing genotypes.
    #[serde(default)]
    pub lenient: bool,
    /// The variants with anything decided, in key order (a `Vec` of pairs so that the JSON
    /// keeps a key that is not a string).
    #[serde(default)]
    pub variants: Vec<(VariantKey, CaseVariant)>,
    /// Free text for the whole case.
    #[serde(default)]
    pub notes: String,
    /// When the case was last changed, in milliseconds since the Unix epoch (the app's clock).
    #[serde(default)]
    pub updated_ms: f64,
}

impl Case {
    /// An empty case for the dataset with `fingerprint`.
    pub fn new(fingerprint: impl Into<String>, file_name: impl Into<String>) -> Self {
        Case {
            version: CaseVersion,
            fingerprint: fingerprint.into(),
            file_name: file_name.into(),
            pedigree: None,
            filter: CaseFilter::default(),
            modes: Vec::new(),
            lenient: false,
            variants: Vec::new(),
            notes: String::new(),
            updated_ms: 0.0,
        }
    }

    /// What the case holds of `key`, if anything.
    pub fn variant(&self, key: &VariantKey) -> Option<&CaseVariant> {
        self.variants
            .binary_search_by(|(k, _)| k.cmp(key))
            .ok()
            .map(|i| &self.variants[i].1)
    }

    /// Changes what the case holds of `key` with `edit`; a variant left with nothing decided is
    /// dropped, so the list holds only variants someone acted on.
    pub fn edit_variant(&mut self, key: &VariantKey, edit: impl FnOnce(&mut CaseVariant)) {
        match self.variants.binary_search_by(|(k, _)| k.cmp(key)) {
            Ok(i) => {
                edit(&mut self.variants[i].1);
                if self.variants[i].1.is_empty() {
                    self.variants.remove(i);
                }
            }
            Err(i) => {
                let mut v = CaseVariant::default();
                edit(&mut v);
                if !v.is_empty() {
                    self.variants.insert(i, (key.clone(), v));
                }
            }
        }
    }

    /// The variants on the report list, in key order.
    pub fn report_list(&self) -> impl Iterator<Item = (&VariantKey, &CaseVariant)> {
        self.variants
            .iter()
            .filter(|(_, v)| v.on_report)
            .map(|(k, v)| (k, v))
    }

    /// How many variants carry a classification, and how many are on the report list.
    pub fn counts(&self) -> (usize, usize) {
        let classified = self
            .variants
            .iter()
            .filter(|(_, v)| v.classification.is_some())
            .count();
        (classified, self.report_list().count())
    }

    /// Whether the case holds anything worth keeping: a decision, a note, or a selection.
    pub fn is_empty(&self) -> bool {
        self.variants.is_empty()
            && self.notes.is_empty()
            && self.pedigree.is_none()
            && self.modes.is_empty()
            && self.filter == CaseFilter::default()
    }

    /// Puts a case read from a file in the shape the methods rely on: a hand-edited file may
    /// list variants out of order or twice (the last of each is kept). Call after reading one;
    /// the case is JSON (`serde_json`, in the app), refused when its version is another.
    pub fn normalise(&mut self) {
        self.variants.reverse();
        self.variants.sort_by(|a, b| a.0.cmp(&b.0));
        self.variants
            .dedup_by(|later, earlier| later.0 == earlier.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::Class;

    fn read(text: &str) -> Result<Case, serde_json::Error> {
        let mut case: Case = serde_json::from_str(text)?;
        case.normalise();
        Ok(case)
    }

    fn key(pos: u64) -> VariantKey {
        VariantKey {
            chrom: "chr1".into(),
            pos,
            reference: "A".into(),
            alt: "G".into(),
        }
    }

    #[test]
    fn a_variant_with_nothing_decided_is_not_kept() {
        let mut case = Case::new("fp", "trio.vcf.gz");
        case.edit_variant(&key(5), |v| v.on_report = true);
        case.edit_variant(&key(2), |v| v.tags.push(Tag::Candidate));
        assert_eq!(
            case.variants.iter().map(|(k, _)| k.pos).collect::<Vec<_>>(),
            [2, 5]
        );
        assert_eq!(case.report_list().count(), 1);
        case.edit_variant(&key(5), |v| v.on_report = false);
        assert!(case.variant(&key(5)).is_none());
        case.edit_variant(&key(9), |_| {});
        assert_eq!(case.variants.len(), 1);
    }

    #[test]
    fn a_case_survives_its_json_and_refuses_another_version() {
        let mut case = Case::new("fp", "trio.vcf.gz");
        case.modes = vec![Mode::DeNovo, Mode::CompHet];
        case.pedigree = Some("fam\tkid\tdad\tmum\t1\t2\n".into());
        case.edit_variant(&key(7), |v| {
            let mut c = Classification::from_prefills(Vec::new());
            c.set_class(Class::LikelyPathogenic);
            v.classification = Some(c);
            v.tags.push(Tag::Excluded {
                reason: "seen in the unaffected brother".into(),
            });
            v.note = "Sanger requested".into();
        });
        let text = serde_json::to_string(&case).unwrap();
        assert_eq!(read(&text).unwrap(), case);
        let other = text.replacen("\"version\":1", "\"version\":2", 1);
        let error = read(&other).unwrap_err();
        assert!(error.to_string().contains("case version 2"), "{error}");
    }

    #[test]
    fn a_hand_edited_list_is_put_in_order_keeping_the_last_of_a_key() {
        let mut case = Case::new("fp", "x");
        case.variants = vec![
            (
                key(9),
                CaseVariant {
                    note: "b".into(),
                    ..Default::default()
                },
            ),
            (
                key(1),
                CaseVariant {
                    note: "a".into(),
                    ..Default::default()
                },
            ),
            (
                key(9),
                CaseVariant {
                    note: "c".into(),
                    ..Default::default()
                },
            ),
        ];
        let read = read(&serde_json::to_string(&case).unwrap()).unwrap();
        let notes: Vec<_> = read
            .variants
            .iter()
            .map(|(k, v)| (k.pos, v.note.as_str()))
            .collect();
        assert_eq!(notes, [(1, "a"), (9, "c")]);
    }
}
