//! The command line of a case: shell words and pipeline stages, the options of `bcftools
//! query`, `view` and `filter` this harness understands, and the [`Plan`] to replay it (or
//! why it is out of scope).

use wasm_core::filter::Mode;

use super::Case;

/// Splits a shell command into pipeline stages of words: single quotes, double quotes (with
/// `\"` `\\` escapes) and backslash escapes outside quotes, `|` outside quotes between stages.
fn shell_stages(command: &str) -> Result<Vec<Vec<String>>, String> {
    let mut stages = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => w.push(x),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            w.push(chars.next().expect("peeked"));
                        }
                        Some(x) => w.push(x),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                if let Some(x) = chars.next() {
                    word.get_or_insert_with(String::new).push(x);
                }
            }
            '|' => {
                if let Some(w) = word.take() {
                    stages.last_mut().expect("one stage").push(w);
                }
                stages.push(Vec::new());
            }
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    stages.last_mut().expect("one stage").push(w);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word.take() {
        stages.last_mut().expect("one stage").push(w);
    }
    Ok(stages)
}

/// Reads an option's value: attached (`-i'EXPR'`, `-S.`) or the next word.
fn option_value(
    word: &str,
    name: &str,
    words: &mut std::slice::Iter<'_, String>,
) -> Result<String, String> {
    if let Some(rest) = word.strip_prefix(name)
        && !rest.is_empty()
    {
        return Ok(rest.strip_prefix('=').unwrap_or(rest).to_string());
    }
    words
        .next()
        .cloned()
        .ok_or_else(|| format!("{name} without a value"))
}

#[derive(Debug, Clone)]
pub(crate) struct Expression {
    pub(crate) text: String,
    pub(crate) mode: Mode,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct QueryOpts {
    pub(crate) format: Option<String>,
    pub(crate) filter: Option<Expression>,
    pub(crate) samples: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ViewOpts {
    pub(crate) filter: Option<Expression>,
    pub(crate) regions: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SetGts {
    Missing,
    Ref,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FilterOpts {
    pub(crate) filter: Option<Expression>,
    pub(crate) soft_filter: Option<String>,
    pub(crate) add: bool,
    pub(crate) reset: bool,
    pub(crate) set_gts: Option<SetGts>,
    /// `--mask [^]REGIONS`: (regions, negated).
    pub(crate) mask: Option<(String, bool)>,
}

#[derive(Debug, Clone)]
pub(crate) enum FirstStage {
    Query(QueryOpts),
    View(ViewOpts),
    Filter(FilterOpts),
}

#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) first: FirstStage,
    /// `| bcftools query …` reading the first stage's VCF.
    pub(crate) then: Option<QueryOpts>,
}

/// Why a case is outside what Enclave does, or how to run it.
pub(crate) enum Decision {
    NotApplicable(String),
    Run(Plan),
}

fn set_expression(slot: &mut Option<Expression>, text: String, mode: Mode) -> Result<(), String> {
    if slot.is_some() {
        return Err("two -i/-e expressions".into());
    }
    *slot = Some(Expression { text, mode });
    Ok(())
}

fn parse_query(words: &[String], want_file: bool) -> Result<(QueryOpts, Option<String>), String> {
    let mut q = QueryOpts::default();
    let mut file = None;
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if w.starts_with("-f") || w == "--format" {
            q.format = Some(option_value(
                w,
                if w == "--format" { w } else { "-f" },
                &mut it,
            )?);
        } else if w.starts_with("-i") {
            set_expression(
                &mut q.filter,
                option_value(w, "-i", &mut it)?,
                Mode::Include,
            )?;
        } else if w.starts_with("-e") {
            set_expression(
                &mut q.filter,
                option_value(w, "-e", &mut it)?,
                Mode::Exclude,
            )?;
        } else if w.starts_with("-s") {
            let list = option_value(w, "-s", &mut it)?;
            q.samples = Some(list.split(',').map(str::to_string).collect());
        } else if !w.starts_with('-') && want_file && file.is_none() {
            file = Some(w.clone());
        } else {
            return Err(format!("query option {w} is not handled here"));
        }
    }
    if q.format.is_none() {
        return Err("query without -f".into());
    }
    Ok((q, file))
}

/// Decides how to run a case (or why not).
pub(crate) fn decide(case: &Case) -> Decision {
    let na = |r: &str| Decision::NotApplicable(r.to_string());
    // `@{PATH}/x` names a file beside the inputs: the harness' FileSource reads from there.
    let command = case.command.replace("{PATH}/", "");
    let stages = match shell_stages(&command) {
        Ok(s) => s,
        Err(e) => return na(&format!("command not understood: {e}")),
    };
    let first = &stages[0];
    if first.first().map(String::as_str) != Some("bcftools") || first.len() < 2 {
        return na("not a bcftools command");
    }
    let sub = first[1].as_str();
    if let Some(plugin) = sub.strip_prefix('+') {
        return na(match plugin {
            "setGT" => "+setGT plugin modifies genotypes – out of scope",
            "fixref" => "+fixref plugin needs a FASTA reference – out of scope",
            "fill-from-fasta" => "+fill-from-fasta plugin needs a FASTA reference – out of scope",
            "split-vep" => {
                "+split-vep plugin (splits CSQ into new tags, its own -i/-e on them) – out of scope"
            }
            _ => "bcftools plugin – out of scope",
        });
    }
    let args = &first[2..];
    let plan_first = match sub {
        "query" => match parse_query(args, true) {
            Ok((q, _)) => FirstStage::Query(q),
            Err(e) => return na(&e),
        },
        "view" => {
            let mut v = ViewOpts::default();
            let mut positional = Vec::new();
            let mut it = args.iter();
            while let Some(w) = it.next() {
                let r = if w == "--no-version" || w == "-H" {
                    Ok(())
                } else if w.starts_with("-i") {
                    option_value(w, "-i", &mut it)
                        .and_then(|e| set_expression(&mut v.filter, e, Mode::Include))
                } else if w.starts_with("-e") {
                    option_value(w, "-e", &mut it)
                        .and_then(|e| set_expression(&mut v.filter, e, Mode::Exclude))
                } else if !w.starts_with('-') {
                    positional.push(w.clone());
                    Ok(())
                } else {
                    Err(format!("view option {w} is outside the filter language"))
                };
                if let Err(e) = r {
                    return na(&e);
                }
            }
            // FILE [REGION…]: regions as `bcftools view FILE REGION` (record overlap).
            if positional.len() > 1 {
                v.regions = Some(positional[1..].join(","));
            }
            FirstStage::View(v)
        }
        "filter" => {
            let mut f = FilterOpts::default();
            let mut overlap = "1".to_string();
            let mut it = args.iter();
            while let Some(w) = it.next() {
                let r: Result<(), String> = if w.starts_with("-g")
                    || w.starts_with("-G")
                    || w == "--SnpGap"
                    || w == "--IndelGap"
                {
                    return na("-g/-G indel gap filters (SnpGap, IndelGap) – out of scope");
                } else if w == "--no-version" {
                    Ok(())
                } else if w == "--mask" {
                    option_value(w, "--mask", &mut it).map(|m| {
                        f.mask = Some(match m.strip_prefix('^') {
                            Some(rest) => (rest.to_string(), true),
                            None => (m, false),
                        })
                    })
                } else if w == "--mask-overlap" {
                    option_value(w, "--mask-overlap", &mut it).map(|o| overlap = o)
                } else if w == "--soft-filter" {
                    option_value(w, "--soft-filter", &mut it).map(|s| f.soft_filter = Some(s))
                } else if w.starts_with("-s") {
                    option_value(w, "-s", &mut it).map(|s| f.soft_filter = Some(s))
                } else if w.starts_with("-m") {
                    option_value(w, "-m", &mut it).map(|m| {
                        f.add |= m.contains('+');
                        f.reset |= m.contains('x');
                    })
                } else if w.starts_with("-S") {
                    option_value(w, "-S", &mut it).and_then(|s| match s.as_str() {
                        "." => {
                            f.set_gts = Some(SetGts::Missing);
                            Ok(())
                        }
                        "0" => {
                            f.set_gts = Some(SetGts::Ref);
                            Ok(())
                        }
                        other => Err(format!("-S {other}")),
                    })
                } else if w.starts_with("-i") {
                    option_value(w, "-i", &mut it)
                        .and_then(|e| set_expression(&mut f.filter, e, Mode::Include))
                } else if w.starts_with("-e") {
                    option_value(w, "-e", &mut it)
                        .and_then(|e| set_expression(&mut f.filter, e, Mode::Exclude))
                } else if !w.starts_with('-') {
                    Ok(())
                } else {
                    Err(format!("filter option {w} is outside the filter language"))
                };
                if let Err(e) = r {
                    return na(&e);
                }
            }
            if f.mask.is_some() && overlap != "1" {
                return na(&format!(
                    "--mask-overlap {overlap} (POS only / variant overlap): the engine's regions \
                     implement record overlap only"
                ));
            }
            if f.soft_filter.as_deref() == Some("+") {
                return na("-s + (a made-up filter name)");
            }
            FirstStage::Filter(f)
        }
        other => return na(&format!("bcftools {other} is not a filtering command")),
    };
    let mut then = None;
    for stage in &stages[1..] {
        let words: Vec<&str> = stage.iter().map(String::as_str).collect();
        match words.as_slice() {
            // They only drop header lines, which the comparison skips anyway.
            ["grep", "-v", "^##bcftools_"] | ["grep", "-v", "^#"] => {}
            ["bcftools", "query", rest @ ..] => {
                let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
                match parse_query(&rest, false) {
                    Ok((q, _)) if then.is_none() => then = Some(q),
                    Ok(_) => return na("two query stages"),
                    Err(e) => return na(&e),
                }
            }
            _ => return na(&format!("pipeline stage `{}`", stage.join(" "))),
        }
    }
    if then.is_some() && matches!(plan_first, FirstStage::Query(_)) {
        return na("query piped into query");
    }
    Decision::Run(Plan {
        first: plan_first,
        then,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_keep_quoted_pipes_and_split_stages() {
        let s = shell_stages(
            r#"bcftools query -f'[%POS %DP\n]\n' -i'FMT/DP=1 | FMT/DP="."' x.vcf.gz | grep -v ^##bcftools_"#,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0],
            [
                "bcftools",
                "query",
                r"-f[%POS %DP\n]\n",
                r#"-iFMT/DP=1 | FMT/DP=".""#,
                "x.vcf.gz"
            ]
        );
        assert_eq!(s[1], ["grep", "-v", "^##bcftools_"]);
    }
}
