//! External links for one variant (gnomAD, ClinVar, Franklin, UCSC, Ensembl), built from CHROM,
//! POS, REF and ALT and the file's reference build ([`links`], pure), and the panel that offers
//! them ([`ExternalLinks`]).
//!
//! The app never fetches them: following one is the person's act, in a new tab, after the
//! panel has said that the position goes to that site (`external-links-notice`) and the person
//! acknowledged it (once per page session). Links open with `rel="noopener noreferrer"`, so
//! the site learns neither this page nor its address; the CSP (`connect-src 'self'`) stays as it
//! is — a followed link is a navigation, not a request of the app. A file without a known build
//! gets no link that needs one (each of these does: the same position names another base in
//! GRCh37 and GRCh38), and the panel says so.

use leptos::prelude::*;

/// The reference builds links are made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    GRCh37,
    GRCh38,
}

impl Build {
    /// The build a summary names (`GRCh37`, `hg19`, `b37`, `GRCh38`, `hg38`, …).
    pub fn from_name(name: &str) -> Option<Build> {
        let n = name.to_ascii_lowercase();
        if n.contains("38") {
            Some(Build::GRCh38)
        } else if n.contains("37") || n.contains("hg19") {
            Some(Build::GRCh37)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Build::GRCh37 => "GRCh37",
            Build::GRCh38 => "GRCh38",
        }
    }
}

/// One link: the site, what it shows, the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub site: &'static str,
    pub label: String,
    pub url: String,
}

/// The links for a variant at `chrom:pos` with `reference` and the ALT alleles `alts`, in
/// `build`. Allele-level links (gnomAD, Franklin) are made per ALT allele that is a plain
/// sequence (not `<DEL>`, `*`, a breakend); position links (ClinVar, UCSC, Ensembl) once.
pub fn links(chrom: &str, pos: u64, reference: &str, alts: &[&str], build: Build) -> Vec<Link> {
    let bare = chrom.strip_prefix("chr").unwrap_or(chrom);
    let bare = if bare == "M" { "MT" } else { bare };
    let ucsc_chrom = if bare == "MT" {
        "chrM".to_string()
    } else {
        format!("chr{bare}")
    };
    let plain = |a: &str| !a.is_empty() && a.bytes().all(|b| b"ACGTNacgtn".contains(&b));
    let mut out = Vec::new();
    let alleles: Vec<&str> = alts
        .iter()
        .copied()
        .filter(|a| plain(a) && plain(reference))
        .collect();
    for alt in &alleles {
        let (dataset, gnomad) = match build {
            Build::GRCh37 => ("gnomad_r2_1", "gnomAD v2"),
            Build::GRCh38 => ("gnomad_r4", "gnomAD v4"),
        };
        out.push(Link {
            site: "gnomAD",
            label: format!("{gnomad}: {bare}-{pos}-{reference}-{alt}"),
            url: format!(
                "https://gnomad.broadinstitute.org/variant/{bare}-{pos}-{reference}-{alt}?dataset={dataset}"
            ),
        });
    }
    // ClinVar's position search fields: `chrpos37` for GRCh37, `chrpos38` for GRCh38.
    let chrpos = match build {
        Build::GRCh37 => "chrpos37",
        Build::GRCh38 => "chrpos38",
    };
    out.push(Link {
        site: "ClinVar",
        label: format!("ClinVar: records at {bare}:{pos} ({})", build.name()),
        url: format!(
            "https://www.ncbi.nlm.nih.gov/clinvar/?term={bare}%5Bchr%5D+AND+{pos}%5B{chrpos}%5D"
        ),
    });
    for alt in &alleles {
        let suffix = match build {
            Build::GRCh37 => "",
            Build::GRCh38 => "-hg38",
        };
        out.push(Link {
            site: "Franklin",
            label: format!("Franklin: {ucsc_chrom}-{pos}-{reference}-{alt}"),
            url: format!(
                "https://franklin.genoox.com/clinical-db/variant/snp/{ucsc_chrom}-{pos}-{reference}-{alt}{suffix}"
            ),
        });
    }
    // A 41-base window around the variant (20 either side), so it is not at the edge.
    let from = pos.saturating_sub(20).max(1);
    let to = pos + reference.len() as u64 + 19;
    let db = match build {
        Build::GRCh37 => "hg19",
        Build::GRCh38 => "hg38",
    };
    out.push(Link {
        site: "UCSC",
        label: format!("UCSC Genome Browser ({db}): {ucsc_chrom}:{from}-{to}"),
        url: format!(
            "https://genome.ucsc.edu/cgi-bin/hgTracks?db={db}&position={ucsc_chrom}%3A{from}-{to}"
        ),
    });
    let host = match build {
        Build::GRCh37 => "grch37.ensembl.org",
        Build::GRCh38 => "www.ensembl.org",
    };
    out.push(Link {
        site: "Ensembl",
        label: format!("Ensembl ({}): {bare}:{from}-{to}", build.name()),
        url: format!("https://{host}/Homo_sapiens/Location/View?r={bare}%3A{from}-{to}"),
    });
    out
}

/// The links of one variant behind the notice. `reference_build`: the file's reference build, as its
/// header names it (`None`: unknown, and no link is offered). `ack`: whether the person
/// acknowledged the notice in this page session (the detail panel keeps it across variants).
#[component]
pub fn ExternalLinks(
    chrom: String,
    pos: u64,
    reference: String,
    alts: Vec<String>,
    reference_build: Option<String>,
    ack: RwSignal<bool>,
) -> impl IntoView {
    let known = reference_build.as_deref().and_then(Build::from_name);
    let alts: Vec<&str> = alts.iter().map(String::as_str).collect();
    let list = known.map(|b| links(&chrom, pos, &reference, &alts, b));
    let Some(list) = list else {
        return view! {
            <div class="detail-links" data-testid="external-links">
                <p class="muted small" data-testid="external-links-no-build">
                    "No external links: the file's header names no reference build (GRCh37 or GRCh38), and the same \
                     position is another base in each. Look the variant up by hand with its build."
                </p>
            </div>
        }
        .into_any();
    };
    let build_name = known.map(Build::name).unwrap_or_default();
    view! {
        <div class="detail-links" data-testid="external-links" data-build=build_name>
            <p class="links-notice" data-testid="external-links-notice" role="note">
                "Following a link opens another site in a new tab and sends it this variant's position and alleles ("
                <code>{format!("{chrom}:{pos} {reference}>{}", alts.join(","))}</code>
                "). Nothing else leaves this page; Enclave itself never contacts these sites."
            </p>
            {move || {
                if ack.get() {
                    view! {
                        <ul class="links" data-testid="external-links-list">
                            {list
                                .iter()
                                .map(|l| {
                                    view! {
                                        <li>
                                            <a href=l.url.clone() target="_blank" rel="noopener noreferrer"
                                                data-testid="external-link" data-site=l.site>
                                                {l.label.clone()}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                } else {
                    view! {
                        <button type="button" class="button small" data-testid="external-links-acknowledge"
                            on:click=move |_| ack.set(true)>
                            {format!("I understand: show the links ({build_name})")}
                        </button>
                    }
                    .into_any()
                }
            }}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn url<'a>(links: &'a [Link], site: &str) -> Vec<&'a str> {
        links
            .iter()
            .filter(|l| l.site == site)
            .map(|l| l.url.as_str())
            .collect()
    }

    #[wasm_bindgen_test]
    fn links_follow_the_build() {
        let l38 = links("chr17", 43_045_712, "G", &["A"], Build::GRCh38);
        assert_eq!(
            url(&l38, "gnomAD"),
            ["https://gnomad.broadinstitute.org/variant/17-43045712-G-A?dataset=gnomad_r4"]
        );
        assert_eq!(
            url(&l38, "Franklin"),
            ["https://franklin.genoox.com/clinical-db/variant/snp/chr17-43045712-G-A-hg38"]
        );
        assert!(url(&l38, "ClinVar")[0].contains("43045712%5Bchrpos38%5D"));
        assert!(url(&l38, "UCSC")[0].contains("db=hg38&position=chr17%3A43045692-43045732"));
        assert!(url(&l38, "Ensembl")[0].starts_with("https://www.ensembl.org/"));
        let l37 = links("17", 41_197_729, "G", &["A"], Build::GRCh37);
        assert!(url(&l37, "gnomAD")[0].ends_with("dataset=gnomad_r2_1"));
        assert!(!url(&l37, "Franklin")[0].ends_with("-hg38"));
        assert!(url(&l37, "ClinVar")[0].contains("chrpos37"));
        assert!(url(&l37, "UCSC")[0].contains("db=hg19"));
        assert!(url(&l37, "Ensembl")[0].starts_with("https://grch37.ensembl.org/"));
    }

    #[wasm_bindgen_test]
    fn allele_links_per_plain_alt_only() {
        let l = links("1", 100, "A", &["C", "<DEL>", "*"], Build::GRCh38);
        assert_eq!(url(&l, "gnomAD").len(), 1);
        assert_eq!(url(&l, "Franklin").len(), 1);
        assert_eq!(url(&l, "ClinVar").len(), 1);
        // A mitochondrial variant: UCSC's chrM, the others' MT.
        let m = links("chrM", 3243, "A", &["G"], Build::GRCh38);
        assert!(url(&m, "UCSC")[0].contains("chrM%3A"));
        assert!(url(&m, "gnomAD")[0].contains("/MT-3243-A-G"));
    }

    #[wasm_bindgen_test]
    fn builds_by_name() {
        assert_eq!(Build::from_name("GRCh38"), Some(Build::GRCh38));
        assert_eq!(Build::from_name("hg19"), Some(Build::GRCh37));
        assert_eq!(Build::from_name("b37"), Some(Build::GRCh37));
        assert_eq!(Build::from_name("CHM13"), None);
    }
}
