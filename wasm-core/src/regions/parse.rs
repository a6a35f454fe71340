//! Reading region text: `chr1`, `chr1:100`, `chr1:100-200`, `chr1:100-`, `chr1:-200`,
//! `{name:with:colons}:1-5`, and BED lines.
//!
//! Follows `bcftools -r` where it has a rule: commas separate regions (so `1,000` is not a
//! number — that case gets an error saying so), `chr:pos` is one position, `chr:beg-` runs to the
//! end of the contig. A contig name may contain `:` (HLA alleles, htslib's `1:1` test contigs):
//! the item is split at its last `:` when what follows is a position or range, and the whole item
//! is kept as a second reading that [`super::RegionSet::mask`] uses when only it names a contig in
//! the file; braces (`{HLA-A*01:01}:100-200`) make the name explicit, as in htslib.

use super::{Region, RegionError};

/// The end of a region that runs to the end of its contig.
pub const OPEN_END: u64 = u64::MAX;

pub(crate) fn regions(text: &str) -> Result<Vec<Region>, RegionError> {
    let mut out = Vec::new();
    let mut seen_data = false;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (k, line) in text.lines().enumerate() {
        let n = k + 1;
        let err = |message: String| RegionError { line: n, message };
        // Leading tabs are kept: an empty first BED column is an error, not a shifted line.
        let trimmed = line.trim_start_matches(' ').trim_end();
        if trimmed.is_empty() || trimmed.starts_with('#') || is_bed_meta(trimmed) {
            continue;
        }
        let first = !seen_data;
        seen_data = true;
        if trimmed.contains('\t') {
            if let Some(r) = bed_line(trimmed.split('\t').map(str::trim), first).map_err(err)? {
                out.push(r);
            }
            continue;
        }
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        if words.len() >= 3 && is_number(words[1]) && is_number(words[2]) {
            // Space-separated BED, as pasted from a browser or a spreadsheet.
            if let Some(r) = bed_line(words.into_iter(), false).map_err(err)? {
                out.push(r);
            }
            continue;
        }
        let pieces: Vec<&str> = trimmed.split(',').collect();
        for (p, piece) in pieces.iter().enumerate() {
            if p > 0 && looks_like_thousands(pieces[p - 1], piece) {
                return Err(err(format!(
                    "`{},{}`: commas separate regions, so a position cannot contain one; \
                     write it without separators (1000000, not 1,000,000)",
                    pieces[p - 1].trim(),
                    piece.trim()
                )));
            }
            for item in piece.split_whitespace() {
                out.push(item_region(item).map_err(err)?);
            }
        }
    }
    if out.is_empty() {
        return Err(RegionError {
            line: 1,
            message: "no regions: enter a contig (chr1), a position (chr1:1000), a range \
                      (chr1:1000-2000) or BED lines"
                .to_string(),
        });
    }
    Ok(out)
}

/// UCSC `track` / `browser` lines.
fn is_bed_meta(line: &str) -> bool {
    ["track", "browser"].iter().any(|w| {
        line.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    })
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `chr1:1` followed by `000-2`: a thousands separator, not two regions.
fn looks_like_thousands(before: &str, piece: &str) -> bool {
    let (before, piece) = (before.trim(), piece.trim());
    let digits = piece.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &piece[digits..];
    digits == 3
        && (rest.is_empty() || rest.starts_with('-'))
        && before.contains(':')
        && before.bytes().last().is_some_and(|b| b.is_ascii_digit())
}

/// A BED line (`chrom start0 end …`, 0-based, end exclusive) or `chrom pos` (1-based). `None`
/// for a column-name header on the first line.
fn bed_line<'a>(
    mut cols: impl Iterator<Item = &'a str>,
    first: bool,
) -> Result<Option<Region>, String> {
    let chrom = cols.next().unwrap_or_default();
    let (start, end) = (cols.next(), cols.next());
    if chrom.is_empty() {
        return Err("the line starts with a tab: the contig name is missing".to_string());
    }
    if first
        && !start.is_some_and(is_number)
        && !end.is_some_and(is_number)
        && start.is_some_and(|s| s.chars().any(char::is_alphabetic))
    {
        return Ok(None); // `chrom start end` column names
    }
    let Some(start) = start else {
        return Ok(Some(whole(chrom)));
    };
    let start_num = number(start, "start")?;
    let Some(end) = end.filter(|e| !e.is_empty()) else {
        // `chrom<TAB>pos`: one 1-based position, as in a bcftools regions file.
        let pos = start_num.max(1);
        return Ok(Some(Region::new(chrom, pos, pos)));
    };
    let end_num = number(end, "end")?;
    if start_num > end_num {
        return Err(format!(
            "BED start {start_num} is after end {end_num} (BED columns are chrom, start, end)"
        ));
    }
    // 0-based half-open → 1-based inclusive; a zero-length interval selects the base after it.
    let first_base = start_num.saturating_add(1);
    Ok(Some(Region::new(
        chrom,
        first_base,
        end_num.max(first_base),
    )))
}

fn number(s: &str, what: &str) -> Result<u64, String> {
    if !is_number(s) {
        return Err(format!("{what} `{s}` is not a number"));
    }
    s.parse::<u64>()
        .map_err(|_| format!("{what} `{s}` is too large"))
}

fn whole(chrom: &str) -> Region {
    Region::new(chrom, 1, OPEN_END)
}

/// One region item: `name`, `name:range`, `{name}`, `{name}:range`.
pub(crate) fn item_region(item: &str) -> Result<Region, String> {
    if let Some(rest) = item.strip_prefix('{') {
        let Some(close) = rest.find('}') else {
            return Err(format!("`{item}`: `{{` without a closing `}}`"));
        };
        let name = &rest[..close];
        let after = &rest[close + 1..];
        if name.is_empty() {
            return Err(format!("`{item}`: the contig name in braces is empty"));
        }
        return match after.strip_prefix(':') {
            None if after.is_empty() => Ok(whole(name)),
            None => Err(format!("`{item}`: expected `:` after `}}`")),
            Some("") => Ok(whole(name)),
            Some(range) => {
                let (s, e) = self::range(range).map_err(|m| format!("`{item}`: {m}"))?;
                Ok(Region::new(name, s, e))
            }
        };
    }
    let Some(colon) = item.rfind(':') else {
        return Ok(whole(item));
    };
    let (name, suffix) = (&item[..colon], &item[colon + 1..]);
    if name.is_empty() {
        return Err(format!("`{item}`: the contig name before `:` is missing"));
    }
    if suffix.is_empty() {
        return Ok(whole(name));
    }
    match range(suffix) {
        Ok((s, e)) => {
            let mut r = Region::new(name, s, e);
            r.whole_item = Some(item.to_string());
            Ok(r)
        }
        Err(m) => Err(format!(
            "`{item}`: {m}; a contig name that contains `:` goes in braces, e.g. {{{item}}}"
        )),
    }
}

/// `beg`, `beg-end`, `beg-`, `-end` (1-based, inclusive). 0 reads as 1, as htslib does.
fn range(s: &str) -> Result<(u64, u64), String> {
    let (beg, end) = match s.split_once('-') {
        None => {
            let p = number(s, "position")?.max(1);
            return Ok((p, p));
        }
        Some(pair) => pair,
    };
    let beg = if beg.is_empty() {
        1
    } else {
        number(beg, "start")?.max(1)
    };
    let end = if end.is_empty() {
        OPEN_END
    } else {
        number(end, "end")?.max(1)
    };
    if beg > end {
        return Err(format!("start {beg} is after end {end}"));
    }
    Ok((beg, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(item: &str) -> (String, u64, u64) {
        let r = item_region(item).unwrap();
        (r.contig, r.start, r.end)
    }

    #[test]
    fn items() {
        assert_eq!(one("chr1"), ("chr1".into(), 1, OPEN_END));
        assert_eq!(one("chr1:1000"), ("chr1".into(), 1000, 1000));
        assert_eq!(one("chr1:1000-2000"), ("chr1".into(), 1000, 2000));
        assert_eq!(one("chr1:100-"), ("chr1".into(), 100, OPEN_END));
        assert_eq!(one("chr1:-200"), ("chr1".into(), 1, 200));
        assert_eq!(one("chr1:"), ("chr1".into(), 1, OPEN_END));
        assert_eq!(one("chr1:0-5"), ("chr1".into(), 1, 5));
        assert_eq!(one("HLA-A*01:01"), ("HLA-A*01".into(), 1, 1));
        assert_eq!(
            item_region("HLA-A*01:01").unwrap().whole_item.as_deref(),
            Some("HLA-A*01:01")
        );
        assert_eq!(one("{HLA-A*01:01}"), ("HLA-A*01:01".into(), 1, OPEN_END));
        assert_eq!(one("{1:1}:5-6"), ("1:1".into(), 5, 6));
    }

    #[test]
    fn item_errors() {
        let e = |s| item_region(s).unwrap_err();
        assert!(e("chr1:200-100").contains("start 200 is after end 100"));
        assert!(e("chr1:abc").contains("not a number"));
        assert!(e("chr1:abc").contains("{chr1:abc}"));
        assert!(e("chr1:1-2-3").contains("not a number"));
        assert!(e(":5").contains("contig name"));
        assert!(e("{x").contains("closing"));
        assert!(e("{}:1").contains("empty"));
        assert!(e("{x}y").contains("expected `:`"));
        assert!(e("chr1:99999999999999999999999").contains("too large"));
    }

    #[test]
    fn lines_commas_and_bed() {
        let r = regions("chr1:10-20, chr2\n# comment\n\nchr3\t0\t100\nchr4 5 6\ntrack name=x\n")
            .unwrap();
        let got: Vec<(&str, u64, u64)> = r
            .iter()
            .map(|r| (r.contig.as_str(), r.start, r.end))
            .collect();
        assert_eq!(
            got,
            [
                ("chr1", 10, 20),
                ("chr2", 1, OPEN_END),
                ("chr3", 1, 100),
                ("chr4", 6, 6)
            ]
        );
    }

    #[test]
    fn bed_header_zero_length_and_two_columns() {
        let r = regions("chrom\tstart\tend\nchr1\t10\t10\nchr2\t7\n").unwrap();
        assert_eq!((r[0].start, r[0].end), (11, 11));
        assert_eq!((r[1].contig.as_str(), r[1].start, r[1].end), ("chr2", 7, 7));
        // A header is only skipped on the first line.
        assert_eq!(
            regions("chr1\t1\t2\nchrom\tstart\tend").unwrap_err().line,
            2
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = regions("chr1:1-2\nchr1\t20\t10").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("after end"), "{e}");
        let e = regions("chr1\tx\t10").unwrap_err();
        assert!(e.message.contains("not a number"), "{e}");
        let e = regions(" \n# only a comment\n").unwrap_err();
        assert!(e.message.contains("no regions"), "{e}");
        assert!(regions("").is_err());
        let e = regions("chr1:1,000-2,000").unwrap_err();
        assert!(e.message.contains("commas separate regions"), "{e}");
        assert!(regions("\tx\t1").is_err());
    }

    #[test]
    fn huge_numbers_and_a_byte_order_mark() {
        let max = u64::MAX;
        let r = regions(&format!("\u{feff}chr1\t{max}\t{max}")).unwrap();
        assert_eq!(
            (r[0].contig.as_str(), r[0].start, r[0].end),
            ("chr1", max, max)
        );
    }

    /// Any text gives regions or an error, never a panic.
    #[test]
    fn random_text_never_panics() {
        let alphabet: Vec<char> = "chr1:-,{}\t 09\n#%é\r".chars().collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let text: String = (0..len)
                .map(|k| alphabet[((seed >> (k * 2 % 60)) as usize) % alphabet.len()])
                .collect();
            let _ = regions(&text);
        }
    }

    #[test]
    fn commas_separate_regions_as_in_bcftools() {
        let r = regions("1:100,2:200-300,X").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[1].contig.as_str(), r[1].start, r[1].end),
            ("2", 200, 300)
        );
    }
}
