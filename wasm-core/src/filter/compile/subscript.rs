//! Subscripts (`TAG[...]`): which samples and which vector elements a field's values are
//! taken from ([`Sel`]). Site-level vectors take elements (`AF[0]`, `AF[*]`, `[1-3]`,
//! `[0,2]`, `[2-]`); FORMAT fields take samples and elements (`FMT/DP[0]`, `AD[0:1]`,
//! `AD[*:1]`, `AD[0:]`, `AD[*]`, `AD[GT]`, `GT[@samples.txt]`), as bcftools'
//! `filters_init1` reads them.

use super::super::ir::Sel;
use super::super::{FileSource, FilterError, FilterErrorKind as K, Span};
use super::err;
use crate::store::VariantStore;

/// `[0]`, `[*]`, `[1-3]`, `[0,2]`, `[2-]` on a site-level vector.
pub(super) fn site_sel(sub: Option<&(String, Span)>) -> Result<Sel, FilterError> {
    let Some((text, span)) = sub else {
        return Ok(Sel::default());
    };
    if text.contains(':') {
        return Err(err(
            K::Subscript,
            "sample:index subscripts apply to FORMAT fields only",
            *span,
            None,
        ));
    }
    Ok(Sel {
        samples: None,
        elems: parse_ranges(text, *span)?,
        star: text.trim() == "*",
        by_gt: false,
    })
}

/// FORMAT subscripts: `[s]` (a sample, for single-value fields and GT), `[s:i]`, `[:i]`,
/// `[s:]`, `[*:i]`, `[@file]` (samples named in a file).
pub(super) fn format_sel(
    store: &VariantStore,
    files: &dyn FileSource,
    sub: Option<&(String, Span)>,
    single: bool,
    span: Span,
) -> Result<Sel, FilterError> {
    let Some((text, sspan)) = sub else {
        return Ok(Sel::default());
    };
    let (samples_part, elems_part) = match text.split_once(':') {
        Some((s, e)) => (s, Some(e)),
        None if single => (text.as_str(), None),
        // `AD[*]`: every sample, every value; `AD[GT]`: every sample, its genotype's values.
        None if matches!(text.trim(), "" | "*") => ("*", Some("*")),
        None if text.trim().eq_ignore_ascii_case("GT") => ("*", Some("GT")),
        None => {
            return Err(err(
                K::Subscript,
                "this FORMAT field can hold several values per sample",
                span,
                Some("write TAG[sample:index], e.g. AD[0:1] or AD[*:1]".into()),
            ));
        }
    };
    let n = store.samples().len();
    let samples = if let Some(f) = samples_part.trim().strip_prefix('@') {
        let text = files.read(f).map_err(|m| err(K::File, m, *sspan, None))?;
        let mut v = Vec::new();
        for name in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match store.samples().iter().position(|s| s == name) {
                Some(i) => v.push(i),
                None => {
                    return Err(err(
                        K::File,
                        format!("sample {name:?} from {f} is not in this file"),
                        *sspan,
                        None,
                    ));
                }
            }
        }
        Some(v)
    } else {
        match parse_ranges(samples_part, *sspan)? {
            None => None,
            Some(r) => {
                let mut v = Vec::new();
                for (a, b) in r {
                    if a >= n {
                        return Err(err(
                            K::Subscript,
                            match n {
                                0 => format!(
                                    "sample index {a} is out of range: the file has no samples"
                                ),
                                _ => format!(
                                    "sample index {a} is out of range: the file has {n} samples (0 to {})",
                                    n - 1
                                ),
                            },
                            *sspan,
                            None,
                        ));
                    }
                    v.extend(a..=b.min(n.saturating_sub(1)));
                }
                Some(v)
            }
        }
    };
    let by_gt = elems_part.is_some_and(|e| e.trim().eq_ignore_ascii_case("GT"));
    let elems = match elems_part {
        None => None,
        Some(_) if by_gt => None,
        Some(e) => parse_ranges(e, *sspan)?,
    };
    Ok(Sel {
        samples,
        elems,
        star: elems_part.is_some_and(|e| e.trim() == "*"),
        by_gt,
    })
}

/// The largest index a subscript may name. Indices past a vector's end read as missing values
/// (`Sel::padding`), one per index, so `AD[*:5-7777777774]` would be billions of them per value
/// (a hang found by the `filter` fuzz target); no field of a record holds a million values.
const MAX_SUBSCRIPT_INDEX: usize = (1 << 20) - 1;

/// `*` or empty → all (`None`); otherwise `i`, `i-j`, `i-`, comma-separated.
fn parse_ranges(text: &str, span: Span) -> Result<Option<Vec<(usize, usize)>>, FilterError> {
    let t = text.trim();
    if t.is_empty() || t == "*" {
        return Ok(None);
    }
    let bad = || {
        err(
            K::Subscript,
            format!("{t:?} is not a valid subscript"),
            span,
            Some("use an index (0), a range (1-3), a list (0,2) or * for any".into()),
        )
    };
    let num = |s: &str| match s.trim().parse::<usize>() {
        Ok(n) if n <= MAX_SUBSCRIPT_INDEX => Ok(n),
        Ok(n) => Err(err(
            K::Subscript,
            format!("index {n} is past the largest a subscript takes ({MAX_SUBSCRIPT_INDEX})"),
            span,
            Some("for every value from an index on, write an open range (5-)".into()),
        )),
        Err(_) => Err(bad()),
    };
    let mut out = Vec::new();
    for part in t.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let a = num(a)?;
                let b = if b.trim().is_empty() {
                    usize::MAX
                } else {
                    num(b)?
                };
                if b < a {
                    return Err(bad());
                }
                out.push((a, b));
            }
            None => {
                let a = num(part)?;
                out.push((a, a));
            }
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::NoFiles;

    fn sub(text: &str) -> Option<(String, Span)> {
        Some((
            text.to_string(),
            Span {
                start: 3,
                end: 3 + text.len(),
            },
        ))
    }

    #[test]
    fn ranges_indices_and_stars() {
        let span = Span { start: 0, end: 1 };
        assert_eq!(
            parse_ranges("0,2-3,5-", span).unwrap(),
            Some(vec![(0, 0), (2, 3), (5, usize::MAX)])
        );
        assert_eq!(parse_ranges(" * ", span).unwrap(), None);
        assert_eq!(parse_ranges("", span).unwrap(), None);
        for bad in ["3-1", "x", "1,,2", "-2"] {
            let e = parse_ranges(bad, span).unwrap_err();
            assert_eq!((e.kind, e.span), (K::Subscript, span), "{bad}");
        }
    }

    #[test]
    fn site_vectors_take_elements_only() {
        let s = site_sel(sub("*").as_ref()).unwrap();
        assert!(s.star && s.elems.is_none() && s.samples.is_none());
        assert_eq!(
            site_sel(sub("1").as_ref()).unwrap().elems,
            Some(vec![(1, 1)])
        );
        let e = site_sel(sub("0:1").as_ref()).unwrap_err();
        assert_eq!((e.kind, e.span.start), (K::Subscript, 3));
    }

    #[test]
    fn format_fields_take_samples_and_elements() {
        let store = VariantStore::new(vec!["a".into(), "b".into(), "c".into()]);
        let span = Span { start: 0, end: 9 };
        let f = |text: &str, single: bool| {
            format_sel(&store, &NoFiles, sub(text).as_ref(), single, span)
        };
        assert_eq!(f("1", true).unwrap().samples, Some(vec![1]));
        assert_eq!(f("1-", true).unwrap().samples, Some(vec![1, 2]));
        let s = f("*:1", false).unwrap();
        assert_eq!((s.samples, s.elems), (None, Some(vec![(1, 1)])));
        let s = f("0:", false).unwrap();
        assert_eq!((s.samples, s.elems), (Some(vec![0]), None));
        let s = f("*", false).unwrap();
        assert!(s.star && s.samples.is_none() && s.elems.is_none());
        let s = f("GT", false).unwrap();
        assert!(s.by_gt && s.samples.is_none());
        assert!(f("2:GT", false).unwrap().by_gt);
        // A multi-value field needs sample:index; a sample past the end is named.
        let e = f("0", false).unwrap_err();
        assert_eq!((e.kind, e.span), (K::Subscript, span));
        let e = f("5", true).unwrap_err();
        assert_eq!((e.kind, e.span.start), (K::Subscript, 3));
        // `@file` needs the file.
        assert_eq!(f("@x.txt", true).unwrap_err().kind, K::File);
    }
}
