#!/usr/bin/env bash
# Regenerates the inheritance truth tables (CLINICAL.md §3): makes tools/inheritance-venv with
# genmod 3.12.0 and inheritance 0.1.5 (GEMINI's logic), writes the trio VCFs and PEDs to
# testdata/inheritance/ and the oracles' answers (gates off: the oracles have none) to
# testdata/expected/inheritance/. wasm-core/tests/inheritance_truth.rs compares Enclave's
# `--no-gates` answers with them; every difference must be listed in
# testdata/expected/inheritance/accepted-differences.tsv and explained in docs/INHERITANCE.md.
#
# usage: scripts/regen-inheritance-oracles.sh   (from anywhere; needs python3 and PyPI)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/tools/inheritance-venv"
if ! "$venv/bin/python" -c 'import genmod, inheritance' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet genmod==3.12.0 inheritance==0.1.5
fi
"$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("genmod") == "3.12.0" and m.version("inheritance") == "0.1.5"'
"$venv/bin/python" "$root/scripts/inheritance_oracles.py" \
    "$root/testdata/inheritance" "$root/testdata/expected/inheritance"
echo "wrote testdata/inheritance/ and testdata/expected/inheritance/ (commit them with this script)"
