#!/usr/bin/env bash
# Regenerates testdata/expected/bcftools-stats/: bcftools 1.24's `bcftools stats` output for each
# case of testdata/expected/bcftools-stats/cases.tsv, the oracle of cli/tests/bcftools_stats.rs
# (CLINICAL.md §3 and §5, docs/STATS.md). Run from anywhere:
#
#   scripts/regen-bcftools-stats.sh
#
# Needs python3 and cargo. bcftools 1.24 is the one pysam 0.24.1 bundles (Debian's bcftools is
# 1.16, whose stats differ): a venv is made in tools/pysam-venv with pysam==0.24.1 from PyPI.
#  1. The generated inputs (testdata/generated/bcftools-stats/) are written again from
#     enclave_test_support::varied_vcf (`ENCLAVE_BLESS=1` on the test that checks them).
#  2. scripts/bcftools-stats-oracle.py runs, for each case: `bcftools stats -s - INPUT`
#     (no `-s -` for a file without samples, which bcftools refuses), `bcftools view -i|-e EXPR
#     INPUT | bcftools stats -s -`, or `bcftools stats -s - -r REGION INPUT`, writing CASE.txt
#     and COMMANDS (the command of each case and the versions).
# Cases whose input is in the shared corpus (`shared:` in cases.tsv; ENCLAVE_SHARED_TESTDATA,
# else ../shared/testdata) are skipped with a notice when it is absent, their outputs kept.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/tools/pysam-venv"
expected="$root/testdata/expected/bcftools-stats"
shared="${ENCLAVE_SHARED_TESTDATA:-$root/../shared/testdata}"

command -v python3 >/dev/null || { echo "regen-bcftools-stats: python3 is needed" >&2; exit 1; }
if ! "$venv/bin/python" -c 'import pysam; assert pysam.__version__ == "0.24.1"' 2>/dev/null; then
    echo "regen-bcftools-stats: installing pysam 0.24.1 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pysam==0.24.1
fi

(cd "$root" && ENCLAVE_BLESS=1 cargo test --quiet -p enclave-cli --test bcftools_stats \
    generated_inputs_are_the_generators) >&2

if [ ! -d "$shared" ]; then
    echo "notice: regen-bcftools-stats: $shared is absent: cases in it keep their outputs" >&2
fi
"$venv/bin/python" "$root/scripts/bcftools-stats-oracle.py" \
    "$expected/cases.tsv" "$expected" "$root/testdata" "$shared"
echo "regen-bcftools-stats: wrote $expected" >&2
