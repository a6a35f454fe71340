//! Comparing an output with bcftools' expected one: `query` byte for byte, VCF data lines
//! field by field (numbers at f32 precision, INFO as a set, FORMAT as per-sample maps).

use std::collections::BTreeMap;

use super::run::Output;

fn as_number(s: &str) -> Option<f32> {
    // `nan`, `inf` and friends are words here, not numbers.
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<f64>().ok().map(|v| v as f32)
}

fn same_value(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Comma lists, item by item.
fn same_list(a: &str, b: &str) -> bool {
    let (x, y): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| same_value(p, q))
}

fn info_map(s: &str) -> BTreeMap<&str, &str> {
    if s == "." {
        return BTreeMap::new();
    }
    s.split(';')
        .filter(|e| !e.is_empty())
        .map(|e| e.split_once('=').unwrap_or((e, "")))
        .collect()
}

/// The value of `key` in a sample column split on `:`, `.` when absent.
fn pick<'a>(keys: &[&str], values: &[&'a str], key: &str) -> &'a str {
    keys.iter()
        .position(|k| *k == key)
        .and_then(|p| values.get(p).copied())
        .unwrap_or(".")
}

/// Why two VCF data lines differ under the normalisation in the module docs, or `None`.
fn vcf_difference(want: &str, got: &str) -> Option<String> {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\t').collect(), got.split('\t').collect());
    const NAMES: [&str; 8] = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"];
    if w.len() != g.len() {
        return Some(format!("{} columns, expected {}", g.len(), w.len()));
    }
    for k in 0..w.len().min(8) {
        let same = if k == 7 {
            let (wi, gi) = (info_map(w[7]), info_map(g[7]));
            wi.len() == gi.len()
                && wi
                    .iter()
                    .all(|(key, v)| gi.get(key).is_some_and(|x| same_list(v, x)))
        } else {
            same_value(w[k], g[k])
        };
        if !same {
            return Some(format!("{}: expected {}, got {}", NAMES[k], w[k], g[k]));
        }
    }
    if w.len() > 9 {
        let (wk, gk): (Vec<&str>, Vec<&str>) =
            (w[8].split(':').collect(), g[8].split(':').collect());
        let mut keys: Vec<&str> = wk.clone();
        keys.extend(gk.iter().filter(|k| !wk.contains(k)));
        for s in 9..w.len() {
            let (wv, gv): (Vec<&str>, Vec<&str>) =
                (w[s].split(':').collect(), g[s].split(':').collect());
            for key in &keys {
                let (a, b) = (pick(&wk, &wv, key), pick(&gk, &gv, key));
                if !same_list(a, b) {
                    return Some(format!("sample {} {key}: expected {a}, got {b}", s - 8));
                }
            }
        }
    }
    None
}

fn data_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.replace('\t', "\\t").replace('\n', "\\n");
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// `Ok` when the output matches the expected file, else the first difference.
pub(crate) fn compare(output: &Output, expected: &[u8]) -> Result<(), String> {
    match output {
        Output::Text(got) => {
            if got == expected {
                return Ok(());
            }
            let (w, g) = (
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(got),
            );
            let (wl, gl): (Vec<&str>, Vec<&str>) =
                (w.split('\n').collect(), g.split('\n').collect());
            let k = (0..wl.len().max(gl.len()))
                .find(|&k| wl.get(k) != gl.get(k))
                .unwrap_or(0);
            Err(format!(
                "output line {}: expected `{}`, got `{}` ({} vs {} lines)",
                k + 1,
                shorten(wl.get(k).unwrap_or(&"<end>"), 60),
                shorten(gl.get(k).unwrap_or(&"<end>"), 60),
                wl.len().saturating_sub(1),
                gl.len().saturating_sub(1)
            ))
        }
        Output::Vcf(lines) => {
            let text = String::from_utf8_lossy(expected);
            let want = data_lines(&text);
            if want.len() != lines.len() {
                let first = want
                    .iter()
                    .zip(lines)
                    .position(|(w, g)| vcf_difference(w, g).is_some());
                let pos = |l: &str| l.split('\t').take(2).collect::<Vec<_>>().join(":");
                return Err(format!(
                    "{} records, expected {}{}",
                    lines.len(),
                    want.len(),
                    first.map_or(String::new(), |k| format!(
                        "; first difference at record {} (expected {}, got {})",
                        k + 1,
                        pos(want[k]),
                        pos(&lines[k])
                    ))
                ));
            }
            for (k, (w, g)) in want.iter().zip(lines).enumerate() {
                if let Some(d) = vcf_difference(w, g) {
                    return Err(format!(
                        "record {} ({}): {}",
                        k + 1,
                        shorten(&g.split('\t').take(2).collect::<Vec<_>>().join(":"), 40),
                        shorten(&d, 120)
                    ));
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcf_lines_compare_numbers_info_sets_and_format_maps() {
        let a = "1\t10\t.\tA\tG\t59.2\tPASS\tAN=4;AC=2;X\tGT:DP\t0/1:5\t1/1:.";
        let b = "1\t10\t.\tA\tG\t59.20000\tPASS\tAC=2;X;AN=4\tGT:DP\t0/1:5\t1/1";
        assert_eq!(vcf_difference(a, b), None);
        let c = "1\t10\t.\tA\tG\t59.2\tPASS\tAN=4;AC=3;X\tGT:DP\t0/1:5\t1/1:.";
        assert!(vcf_difference(a, c).unwrap().contains("INFO"));
        let d = "1\t10\t.\tA\tG\t59.2\tPASS\tAN=4;AC=2;X\tGT:DP\t0/1:5\t./.:.";
        assert!(vcf_difference(a, d).unwrap().contains("sample 2 GT"));
    }
}
