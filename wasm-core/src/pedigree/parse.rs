//! The PED reader (CLINICAL.md §1) and the content test that tells a PED from the other files a
//! person picks with a VCF.
//!
//! `family individual father mother sex phenotype`, separated by tabs (a line with a tab is
//! split at each tab, so an empty field is a value not given, as slivar's test PEDs write it) or
//! by runs of spaces, extra columns ignored, lines starting with `#` and blank lines skipped,
//! CRLF accepted (a carriage return anywhere else is an error: CR-only line ends would make the
//! file one line). Besides the codes, the words `male` / `female` and `affected` / `unaffected`
//! (peddy's and slivar's PEDs) are read.
//! A first line whose individual column reads like a column name (`IID`, `sample`, …) is a
//! header and skipped. A parent named without a line of their own is added as an implied
//! individual of unknown phenotype.

use std::collections::HashMap;

use super::{Family, Individual, Pedigree, PedigreeError, Phenotype, Sex};

/// Column names a header line has in the individual column.
const HEADER_NAMES: &[&str] = &[
    "iid",
    "id",
    "individual",
    "individual_id",
    "indiv_id",
    "sample",
    "sample_id",
    "name",
];

/// `0`, `-9` and an empty field stand for a parent not given.
fn no_parent(field: &str) -> bool {
    matches!(field, "0" | "-9" | "")
}

/// The fields of a data line: split at tabs when it has any, else at runs of spaces.
fn split(line: &str) -> Vec<&str> {
    if line.contains('\t') {
        line.split('\t').map(str::trim).collect()
    } else {
        line.split_ascii_whitespace().collect()
    }
}

/// A parent column's id, `None` for a parent not given.
fn given(field: &str) -> Option<&str> {
    (!no_parent(field)).then_some(field)
}

/// Codes a sex column holds in PLINK / PED files (and the words peddy writes).
fn sex_code(field: &str) -> bool {
    matches!(field, "0" | "1" | "2" | "-9" | "")
        || ["male", "female", "unknown", "other"]
            .iter()
            .any(|w| field.eq_ignore_ascii_case(w))
}

/// A phenotype column: a number (`1`, `2`, `0`, `-9`, or a quantitative value) or a word.
fn phenotype_code(field: &str) -> bool {
    field.is_empty()
        || field.parse::<f64>().is_ok()
        || ["na", "affected", "unaffected", "unknown"]
            .iter()
            .any(|w| field.eq_ignore_ascii_case(w))
}

fn is_header(fields: &[&str]) -> bool {
    HEADER_NAMES.contains(&fields[1].to_ascii_lowercase().as_str()) && !sex_code(fields[4])
}

/// The lines of `text` with their 1-based numbers, `\r` removed.
fn lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(k, l)| (k as u64 + 1, l.strip_suffix('\r').unwrap_or(l)))
}

/// Whether the first bytes of a file read like a PED file: text, and every complete data line
/// among the first twenty has at least six columns with a sex code (`0`, `1`, `2`, `-9`) in the
/// fifth and a number in the sixth. A VCF (whose data lines carry an allele in the fifth
/// column), a Crypt4GH key or an index does not pass.
///
/// ```
/// use wasm_core::pedigree::looks_like_ped;
/// assert!(looks_like_ped(b"#fam id pa ma sex pheno\nf1 kid dad mom 1 2\r\nf1 dad 0 0 1 1\n"));
/// assert!(!looks_like_ped(b"##fileformat=VCFv4.2\n#CHROM\tPOS\n1\t10\t.\tA\tG\t50\tPASS\t.\n"));
/// ```
pub fn looks_like_ped(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // Cut inside a multi-byte character: judge the whole characters.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    // The last line may be cut short by the prefix: judge complete lines only, unless the
    // prefix holds a single line.
    let complete = match text.rfind('\n') {
        Some(end) if end + 1 < text.len() => &text[..end + 1],
        _ => text,
    };
    let mut data = 0;
    for (_, line) in lines(complete) {
        let line = line.trim();
        if line.starts_with("##fileformat") || line.starts_with("-----BEGIN") {
            return false;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split(line);
        if fields.len() < 6 {
            return false;
        }
        if data == 0 && is_header(&fields) {
            continue;
        }
        if !sex_code(fields[4]) || !phenotype_code(fields[5]) {
            return false;
        }
        data += 1;
        if data == 20 {
            break;
        }
    }
    data > 0
}

/// One PED line before its parents are resolved.
struct Raw<'a> {
    line: u64,
    family: &'a str,
    id: &'a str,
    father: Option<&'a str>,
    mother: Option<&'a str>,
    sex: Sex,
    phenotype: Phenotype,
}

pub(super) fn parse(bytes: &[u8]) -> Result<Pedigree, PedigreeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| PedigreeError::NotText {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1,
    })?;
    if let Some(at) = text.find('\0') {
        return Err(PedigreeError::NotText {
            line: text[..at].matches('\n').count() as u64 + 1,
        });
    }
    let mut raws: Vec<Raw> = Vec::new();
    for (line, content) in lines(text) {
        if content.contains('\r') {
            return Err(PedigreeError::CarriageReturn { line });
        }
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let fields = split(content);
        if fields.len() < 6 {
            return Err(PedigreeError::TooFewColumns {
                line,
                found: fields.len(),
            });
        }
        if raws.is_empty() && is_header(&fields) {
            continue;
        }
        raws.push(Raw {
            line,
            family: fields[0],
            id: fields[1],
            father: given(fields[2]),
            mother: given(fields[3]),
            sex: Sex::from_code(fields[4]),
            phenotype: Phenotype::from_code(fields[5]),
        });
    }
    if raws.is_empty() {
        return Err(PedigreeError::Empty);
    }
    build(&raws)
}

/// Resolves parents, adds implied ones, checks sexes and ancestry, groups families.
fn build(raws: &[Raw]) -> Result<Pedigree, PedigreeError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut individuals: Vec<Individual> = Vec::with_capacity(raws.len());
    for raw in raws {
        if let Some(&first) = index.get(raw.id) {
            return Err(PedigreeError::Duplicate {
                line: raw.line,
                id: raw.id.to_string(),
                first: individuals[first].line.unwrap_or(0),
            });
        }
        index.insert(raw.id, individuals.len());
        individuals.push(Individual {
            family: raw.family.to_string(),
            id: raw.id.to_string(),
            father: None,
            mother: None,
            sex: raw.sex,
            written_sex: raw.sex,
            phenotype: raw.phenotype,
            line: Some(raw.line),
            implied: false,
        });
    }
    for (k, raw) in raws.iter().enumerate() {
        if let (Some(f), Some(m)) = (raw.father, raw.mother)
            && f == m
        {
            return Err(PedigreeError::SameParents {
                line: raw.line,
                child: raw.id.to_string(),
                parent: f.to_string(),
            });
        }
        for (name, is_father) in [(raw.father, true), (raw.mother, false)] {
            let Some(name) = name else { continue };
            let p = match index.get(name) {
                Some(&p) => p,
                None => {
                    // Named only as a parent: an implied member of the child's family.
                    index.insert(name, individuals.len());
                    individuals.push(Individual {
                        family: raw.family.to_string(),
                        id: name.to_string(),
                        father: None,
                        mother: None,
                        sex: if is_father { Sex::Male } else { Sex::Female },
                        written_sex: Sex::Unknown,
                        phenotype: Phenotype::Unknown,
                        line: Some(raw.line),
                        implied: true,
                    });
                    individuals.len() - 1
                }
            };
            let parent = &mut individuals[p];
            match (is_father, parent.sex) {
                (true, Sex::Female) => {
                    return Err(PedigreeError::FatherNotMale {
                        line: raw.line,
                        child: raw.id.to_string(),
                        father: name.to_string(),
                    });
                }
                (false, Sex::Male) => {
                    return Err(PedigreeError::MotherNotFemale {
                        line: raw.line,
                        child: raw.id.to_string(),
                        mother: name.to_string(),
                    });
                }
                // A parent of unknown sex is taken as the sex of the role.
                (true, Sex::Unknown) => parent.sex = Sex::Male,
                (false, Sex::Unknown) => parent.sex = Sex::Female,
                _ => {}
            }
            if is_father {
                individuals[k].father = Some(p);
            } else {
                individuals[k].mother = Some(p);
            }
        }
    }
    check_ancestry(&individuals)?;
    Ok(Pedigree {
        families: families(&individuals),
        individuals,
    })
}

/// Families by PED column 1, except that a family whose members have parents listed in another
/// family is one family with it (bcftools' test PEDs give each person a family of their own):
/// members are grouped by family id and parent links, and a group takes the family id of its
/// first member in file order.
fn families(individuals: &[Individual]) -> Vec<Family> {
    fn root(up: &mut [usize], mut i: usize) -> usize {
        while up[i] != i {
            up[i] = up[up[i]];
            i = up[i];
        }
        i
    }
    let n = individuals.len();
    let mut up: Vec<usize> = (0..n).collect();
    let join = |up: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(up, a), root(up, b));
        // The earlier member is the root, so a group's first member names it.
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            up[hi] = lo;
        }
    };
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (k, person) in individuals.iter().enumerate() {
        let first = *first_of.entry(person.family.as_str()).or_insert(k);
        join(&mut up, first, k);
        for p in [person.father, person.mother].into_iter().flatten() {
            join(&mut up, p, k);
        }
    }
    let mut families: Vec<Family> = Vec::new();
    let mut index: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for k in 0..n {
        let r = root(&mut up, k);
        match index.get(&r) {
            Some(&f) => families[f].members.push(k),
            None => {
                index.insert(r, families.len());
                families.push(Family {
                    id: individuals[r].family.clone(),
                    members: vec![k],
                });
            }
        }
    }
    families
}

/// Nobody is their own ancestor: a depth-first walk up the parent links finds any cycle, which
/// is reported at the line of the first individual (in file order) on it.
fn check_ancestry(individuals: &[Individual]) -> Result<(), PedigreeError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; individuals.len()];
    for start in 0..individuals.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Explicit stack of (individual, next parent slot to visit).
        let mut stack: Vec<(usize, u8)> = vec![(start, 0)];
        mark[start] = Mark::Open;
        while let Some(&mut (i, ref mut slot)) = stack.last_mut() {
            let parent = match *slot {
                0 => individuals[i].father,
                1 => individuals[i].mother,
                _ => {
                    mark[i] = Mark::Done;
                    stack.pop();
                    continue;
                }
            };
            *slot += 1;
            let Some(p) = parent else { continue };
            match mark[p] {
                Mark::Done => {}
                Mark::New => {
                    mark[p] = Mark::Open;
                    stack.push((p, 0));
                }
                Mark::Open => {
                    // The cycle is the stack from p upwards.
                    let at = stack.iter().position(|&(k, _)| k == p).unwrap_or(0);
                    let cycle: Vec<usize> = stack[at..].iter().map(|&(k, _)| k).collect();
                    let first = *cycle.iter().min().unwrap_or(&p);
                    let mut path: Vec<&str> =
                        cycle.iter().map(|&k| individuals[k].id.as_str()).collect();
                    path.push(&individuals[p].id);
                    return Err(PedigreeError::OwnAncestor {
                        line: individuals[first].line.unwrap_or(0),
                        id: individuals[first].id.clone(),
                        path: format!("child → parent: {}", path.join(" → ")),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tabs_spaces_comments_crlf_and_extra_columns() {
        let text = b"# a comment\r\nFAM1\tkid\tdad\tmom\t1\t2\textra\r\n\r\nFAM1  dad  0 0 1 1\nFAM1 mom -9 -9 2 -9\n";
        let ped = Pedigree::parse(text).unwrap();
        let ids: Vec<&str> = ped.individuals().iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["kid", "dad", "mom"]);
        let kid = &ped.individuals()[0];
        assert_eq!(kid.line, Some(2));
        assert_eq!((kid.father, kid.mother), (Some(1), Some(2)));
        assert_eq!(ped.individuals()[2].phenotype, Phenotype::Unknown);
        assert_eq!(ped.families().len(), 1);
    }

    #[test]
    fn sex_and_phenotype_codes() {
        let ped =
            Pedigree::parse(b"f a 0 0 1 1\nf b 0 0 2 2\nf c 0 0 0 0\nf d 0 0 x -9\n").unwrap();
        let got: Vec<(Sex, Phenotype)> = ped
            .individuals()
            .iter()
            .map(|i| (i.sex, i.phenotype))
            .collect();
        assert_eq!(
            got,
            [
                (Sex::Male, Phenotype::Unaffected),
                (Sex::Female, Phenotype::Affected),
                (Sex::Unknown, Phenotype::Unknown),
                (Sex::Unknown, Phenotype::Unknown),
            ]
        );
    }

    #[test]
    fn a_parent_keeps_the_sex_as_written_beside_the_role_s() {
        // Both parents of sex 0, the mother named only as a parent.
        let ped = Pedigree::parse(b"f kid dad mom 1 2\nf dad 0 0 0 1\n").unwrap();
        let sexes = |id: &str| {
            let i = &ped.individuals()[ped.find(id).unwrap()];
            (i.sex, i.written_sex)
        };
        assert_eq!(sexes("dad"), (Sex::Male, Sex::Unknown));
        assert_eq!(sexes("mom"), (Sex::Female, Sex::Unknown));
        assert_eq!(sexes("kid"), (Sex::Male, Sex::Male));
    }

    #[test]
    fn several_families_generations_and_implied_parents() {
        let text = b"f1 gpa 0 0 1 2\nf1 gma 0 0 2 1\nf1 mom gpa gma 2 2\nf1 kid dad mom 1 2\nf2 solo 0 0 0 2\n";
        let ped = Pedigree::parse(text).unwrap();
        assert_eq!(ped.families().len(), 2);
        let dad = ped.find("dad").unwrap();
        let d = &ped.individuals()[dad];
        assert!(d.implied && d.sex == Sex::Male && d.phenotype == Phenotype::Unknown);
        assert_eq!(d.line, Some(4));
        let kid = &ped.individuals()[ped.find("kid").unwrap()];
        let mom = &ped.individuals()[kid.mother.unwrap()];
        assert_eq!(ped.individuals()[mom.father.unwrap()].id, "gpa");
        assert_eq!(ped.families()[0].members.len(), 5);
    }

    #[test]
    fn empty_tab_fields_and_words() {
        // slivar's comphet-test-case.ped: parents left empty between tabs.
        let ped = Pedigree::parse(b"SID\tSID_1\t\t\t2\t1\nSID\tSID_3\t\tSID_1\t1\t2\n").unwrap();
        let kid = &ped.individuals()[1];
        assert_eq!((kid.father, kid.mother), (None, Some(0)));
        // peddy's words.
        let ped = Pedigree::parse(b"f a 0 0 female affected\nf b 0 0 Male unaffected\n").unwrap();
        let got: Vec<(Sex, Phenotype)> = ped
            .individuals()
            .iter()
            .map(|i| (i.sex, i.phenotype))
            .collect();
        assert_eq!(
            got,
            [
                (Sex::Female, Phenotype::Affected),
                (Sex::Male, Phenotype::Unaffected)
            ]
        );
        assert!(looks_like_ped(
            b"#f id pa ma sex ph\nUDN\t1421\t0\t0\tfemale\taffected\textra\n"
        ));
    }

    #[test]
    fn parents_listed_in_another_family_join_it() {
        // bcftools' trio.ped: every person in a family of their own.
        let ped = Pedigree::parse(
            b"HG00100 HG00100 HG00101 HG00102 2 0\nHG00101 HG00101 0 0 1 0\nHG00102 HG00102 0 0 2 0\nX x 0 0 1 1\n",
        )
        .unwrap();
        let fams: Vec<(&str, Vec<usize>)> = ped
            .families()
            .iter()
            .map(|f| (f.id.as_str(), f.members.clone()))
            .collect();
        assert_eq!(fams, [("HG00100", vec![0, 1, 2]), ("X", vec![3])]);
    }

    #[test]
    fn a_header_line_is_skipped() {
        let ped = Pedigree::parse(b"FID IID PAT MAT SEX PHENOTYPE\nf a 0 0 1 2\n").unwrap();
        assert_eq!(ped.individuals().len(), 1);
    }

    #[test]
    fn errors_name_their_kind_and_line() {
        use crate::pedigree::PedigreeErrorKind as K;
        let cases: [(&[u8], K, u64); 10] = [
            (b"f a 0 0 1\n", K::TooFewColumns, 1),
            (b"f a 0 0 1 1\n\nf a 0 0 1 2\n", K::Duplicate, 3),
            (b"f a b 0 1 1\nf b a 0 1 1\n", K::OwnAncestor, 1),
            (
                b"f kid d m 1 1\nf d 0 0 2 1\nf m 0 0 2 1\n",
                K::FatherNotMale,
                1,
            ),
            (
                b"f kid d m 1 1\nf d 0 0 1 1\nf m 0 0 1 1\n",
                K::MotherNotFemale,
                1,
            ),
            (b"f kid p p 1 1\n", K::SameParents, 1),
            // Their own parent.
            (b"f a a 0 1 1\n", K::OwnAncestor, 1),
            // A cycle through three generations, reported at its first line in file order.
            (
                b"f x 0 0 1 1\nf a c 0 1 1\nf b a 0 1 1\nf c b 0 1 1\n",
                K::OwnAncestor,
                2,
            ),
            // CR-only line ends (classic Mac OS), and a stray CR inside a CRLF file.
            (
                b"f kid dad mom 1 2\rf dad 0 0 1 1\rf mom 0 0 2 1\r",
                K::CarriageReturn,
                1,
            ),
            (b"f a 0 0 1 1\r\nf b 0\r0 1 1\r\n", K::CarriageReturn, 2),
        ];
        for (text, kind, line) in cases {
            let e = Pedigree::parse(text).unwrap_err();
            assert_eq!(
                (e.kind(), e.line()),
                (kind, Some(line)),
                "{}: {}",
                String::from_utf8_lossy(text),
                e.report()
            );
        }
        let e =
            Pedigree::parse(b"f x 0 0 1 1\nf a c 0 1 1\nf b a 0 1 1\nf c b 0 1 1\n").unwrap_err();
        assert!(
            matches!(&e, PedigreeError::OwnAncestor { id, .. } if id == "a"),
            "{e}"
        );
        let e = Pedigree::parse(b"f a 0 0 1 1\n\nf a 0 0 1 2\n").unwrap_err();
        assert!(
            matches!(e, PedigreeError::Duplicate { first: 1, .. }),
            "{e}"
        );
        let e = Pedigree::parse(b"# only\n\n").unwrap_err();
        assert_eq!((e.kind(), e.line()), (K::Empty, None));
        let e = Pedigree::parse(b"f a 0 0 1 1\n\xff\xfe").unwrap_err();
        assert_eq!((e.kind(), e.line()), (K::NotText, Some(2)));
        let e = Pedigree::parse(b"f a 0 0 1 1\nf b 0\x000 1 1\n").unwrap_err();
        assert_eq!((e.kind(), e.line()), (K::NotText, Some(2)));
    }

    #[test]
    fn content_test_tells_ped_from_vcf_keys_and_indexes() {
        assert!(looks_like_ped(b"f1\tkid\tdad\tmom\t1\t2\n"));
        assert!(looks_like_ped(
            b"FID IID PAT MAT SEX PHENO\nf kid 0 0 1 -9\nf other 0 0 2 1.5\n"
        ));
        // A prefix cut in the middle of its last line.
        assert!(looks_like_ped(b"f a 0 0 1 2\nf b 0 0 2 1\nf c 0"));
        assert!(!looks_like_ped(b"##fileformat=VCFv4.2\n"));
        assert!(!looks_like_ped(
            b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t100\t.\tA\tG\t30\tPASS\t.\n"
        ));
        assert!(!looks_like_ped(
            b"-----BEGIN CRYPT4GH PRIVATE KEY-----\nYzRnaC12MQ==\n"
        ));
        assert!(!looks_like_ped(b"TBI\x01\x00\x00"));
        assert!(!looks_like_ped(b"\x1f\x8b\x08\x04\x00\x00"));
        assert!(!looks_like_ped(b"just some words here\n"));
        assert!(!looks_like_ped(b""));
        assert!(!looks_like_ped(b"# comments only\n"));
    }
}
