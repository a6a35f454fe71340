"""peddy 0.4.8 as the pedigree check's oracle (CLINICAL.md §3-4); run by regen-peddy.sh.

  python peddy-oracle.py sites FILE.vcf.gz > sites.txt
      The relatedness sites of FILE by Enclave's rule (wasm-core/src/pedigree_check/
      relatedness.rs, docs/PEDIGREE_CHECK.md): biallelic SNVs (one REF base, one ALT base,
      each A/C/G/T) on chromosomes 1-22 (with or without "chr"), call rate >= 0.8 and minor
      allele frequency >= 0.05 over all samples, genotypes classed as cyvcf2 reads them
      (gts012). Written apart from the Rust code, so the test checks one against the
      other. One CHROM:POS:REF:ALT per line: the format of peddy's --sites.

  python peddy-oracle.py run FILE.vcf.gz FILE.ped SITES OUTDIR
      peddy's ped_check (over SITES) and sex_check, written as peddy's own CLI writes them
      (peddy/cli.py: to_csv(sep=",", index=False, float_format="%.4g")) to
      OUTDIR/ped_check.csv and OUTDIR/sex_check.csv. Through peddy's API rather than its CLI,
      because the CLI also runs het_check, which crashes on a file without autosomal sites
      and then never reaches sex_check. A check peddy has nothing for (no sites, no chrX)
      writes no file.
"""
import os
import sys

AUTOSOMES = {str(i) for i in range(1, 23)}
BASES = set("ACGT")


def autosome(chrom):
    bare = chrom[3:] if chrom[:3].lower() == "chr" else chrom
    return bare in AUTOSOMES


def sites(path):
    from cyvcf2 import VCF

    for v in VCF(path, gts012=True):
        if not autosome(v.CHROM):
            continue
        if len(v.ALT) != 1 or len(v.REF) != 1 or len(v.ALT[0]) != 1:
            continue
        if v.REF.upper() not in BASES or v.ALT[0].upper() not in BASES:
            continue
        if v.call_rate < 0.8 or min(v.aaf, 1.0 - v.aaf) < 0.05:
            continue
        print("%s:%d:%s:%s" % (v.CHROM, v.POS, v.REF, v.ALT[0]))


def run(vcf, ped, sites_path, outdir):
    from peddy import Ped

    if os.path.getsize(sites_path) > 0:
        df = Ped(ped, warn=False).ped_check(vcf, ncpus=1, plot=False, each=1, sites=sites_path)
        df.to_csv(os.path.join(outdir, "ped_check.csv"), sep=",", index=False, float_format="%.4g")
    df = Ped(ped, warn=False).sex_check(vcf, plot=False)
    if df is not None:
        df.to_csv(os.path.join(outdir, "sex_check.csv"), sep=",", index=False, float_format="%.4g")


if __name__ == "__main__":
    if sys.argv[1:2] == ["sites"] and len(sys.argv) == 3:
        sites(sys.argv[2])
    elif sys.argv[1:2] == ["run"] and len(sys.argv) == 6:
        run(*sys.argv[2:])
    else:
        sys.exit(__doc__)
