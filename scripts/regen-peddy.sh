#!/usr/bin/env bash
# Regenerates testdata/expected/peddy/: peddy 0.4.8's ped_check.csv and sex_check.csv for each
# case of testdata/expected/peddy/cases.tsv, the oracle of wasm-core/tests/pedigree_check/peddy.rs
# (CLINICAL.md §3-4, docs/PEDIGREE_CHECK.md). Run from anywhere:
#
#   scripts/regen-peddy.sh
#
# Needs python3 (a venv is made in tools/peddy-venv with peddy 0.4.8 and CLINICAL.md §3's pins),
# bcftools and tabix. Cases whose VCF or PED lives in the shared corpus (`shared:` in cases.tsv;
# ENCLAVE_SHARED_TESTDATA, else ../shared/testdata) are skipped with a notice when it is absent,
# and their committed outputs kept. With the shared corpus present, the reduced copies under
# testdata/generated/pedigree-check/ are made again from it first.
#
# Per case, into testdata/expected/peddy/CASE/:
#  1. peddy's input: the VCF's biallelic SNVs (`bcftools view -v snps -m2 -M2`), genotypes with
#     a missing allele set to missing (`bcftools +setGT -- -t . -n .`), bgzipped and indexed.
#     Enclave counts SNVs only and reads `0/.` as missing; peddy would also count one-base-REF
#     insertions in its sex check and read `0/.` as hom-ref, `./1` as het. Both are differences
#     on purpose (docs/PEDIGREE_CHECK.md); this input makes peddy see what Enclave counts.
#  2. sites.txt.gz: the relatedness sites by Enclave's rule, listed by scripts/peddy-oracle.py
#     (cyvcf2), given to peddy as its --sites (peddy's default is a fixed list of 25,000 exome
#     sites; Enclave reads the file's own sites).
#  3. ped_check.csv, sex_check.csv: peddy's ped_check over those sites and its sex_check, as
#     peddy's CLI writes them (scripts/peddy-oracle.py run). A check with nothing to read (no
#     autosomal site, no chrX past X:2,781,479) writes no file.
#  4. COMMANDS: the commands that made them.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/tools/peddy-venv"
expected="$root/testdata/expected/peddy"
derived="$root/testdata/generated/pedigree-check"
shared="${ENCLAVE_SHARED_TESTDATA:-$root/../shared/testdata}"
oracle="$root/scripts/peddy-oracle.py"

for tool in python3 bcftools tabix; do
    command -v "$tool" >/dev/null || { echo "regen-peddy: $tool is needed" >&2; exit 1; }
done

if ! "$venv/bin/python" -c 'import peddy; assert peddy.__version__ == "0.4.8"' 2>/dev/null; then
    echo "regen-peddy: installing peddy 0.4.8 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'numpy<2' 'pandas<2' 'scikit-learn<1.6' 'matplotlib<3.9' peddy==0.4.8
fi
py="$venv/bin/python"

# Reduced copies of shared files (INFO and unused FORMAT fields dropped; records unchanged).
if [ -d "$shared" ]; then
    mkdir -p "$derived"
    reduce() {
        bcftools annotate --no-version -x 'INFO,^FORMAT/GT,FORMAT/AD,FORMAT/DP' "$shared/$1" -Oz -o "$derived/$2"
    }
    reduce bioc-variantannotation/hapmap_exome_chr22.vcf.gz hapmap_exome_chr22.vcf.gz
    reduce cyvcf2/cyvcf2/tests/test-haploidX.vcf test-haploidX.vcf.gz
else
    echo "notice: regen-peddy: $shared is absent: keeping the reduced copies in $derived" >&2
fi

resolve() {
    case "$1" in
        shared:*) echo "$shared/${1#shared:}" ;;
        *) echo "$root/$1" ;;
    esac
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

peddy_version=$("$py" -c 'import peddy, cyvcf2; print("peddy", peddy.__version__, "cyvcf2", cyvcf2.__version__)')
bcftools_version=$(bcftools --version | head -1)

while IFS=$'\t' read -r case vcf ped note; do
    case "$case" in '#'* | '') continue ;; esac
    vcf_path=$(resolve "$vcf")
    ped_path=$(resolve "$ped")
    if [ ! -e "$vcf_path" ] || [ ! -e "$ped_path" ]; then
        echo "notice: regen-peddy: $case skipped: $vcf or $ped is absent (outputs kept)" >&2
        continue
    fi
    out="$expected/$case"
    work="$scratch/$case"
    mkdir -p "$out" "$work"
    rm -f "$out/ped_check.csv" "$out/sex_check.csv" "$out/sites.txt.gz"

    bcftools view --no-version -v snps -m2 -M2 "$vcf_path" -Ou \
        | bcftools +setGT --no-version -Ou - -- -t . -n . 2>/dev/null \
        | bcftools view --no-version -Oz -o "$work/input.vcf.gz"
    tabix -p vcf "$work/input.vcf.gz"
    # peddy reads one header line at most: comments go.
    grep -v '^#' "$ped_path" > "$work/input.ped"
    "$py" "$oracle" sites "$work/input.vcf.gz" > "$work/sites.txt"
    "$py" "$oracle" run "$work/input.vcf.gz" "$work/input.ped" "$work/sites.txt" "$out" \
        > "$work/peddy.log" 2>&1 || { cat "$work/peddy.log" >&2; exit 1; }
    gzip -9n < "$work/sites.txt" > "$out/sites.txt.gz"
    cat > "$out/COMMANDS" <<EOF
# $case: $note
# Made by scripts/regen-peddy.sh with $peddy_version, $bcftools_version.
# VCF: $vcf
# PED: $ped (comment lines removed for peddy)
bcftools view -v snps -m2 -M2 VCF -Ou | bcftools +setGT -Ou - -- -t . -n . | bcftools view -Oz -o input.vcf.gz
tabix -p vcf input.vcf.gz
python scripts/peddy-oracle.py sites input.vcf.gz > sites.txt        # $(wc -l < "$work/sites.txt") sites
python scripts/peddy-oracle.py run input.vcf.gz PED sites.txt OUT    # Ped(PED).ped_check(input.vcf.gz, sites=sites.txt), Ped(PED).sex_check(input.vcf.gz)
EOF
    made=""
    for f in ped_check.csv sex_check.csv; do
        if [ -e "$out/$f" ]; then made="$made$f "; fi
    done
    echo "regen-peddy: $case: ${made:-nothing for peddy to check}" >&2
done < "$expected/cases.tsv"
