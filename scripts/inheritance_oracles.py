"""Truth tables of the inheritance modes from genmod 3.12.0 and inheritance 0.1.5 (GEMINI's logic).

Run by scripts/regen-inheritance-oracles.sh inside its venv; writes the inputs (VCF + PED) and
the oracles' answers, which wasm-core/tests/inheritance_truth.rs compares with Enclave's
(`--no-gates`), every difference listed in testdata/expected/inheritance/accepted-differences.tsv
and explained in docs/INHERITANCE.md.

usage: python inheritance_oracles.py INPUT_DIR EXPECTED_DIR
"""

import itertools
import os
import subprocess
import sys

from inheritance.evalfam import EvalFamily
from inheritance.pyeval import Family

GTS = ["0/0", "0/1", "1/1", "./."]
# gt_types as GEMINI / cyvcf2 number them.
GT_TYPE = {"0/0": 0, "0/1": 1, "./.": 2, "1/1": 3}
# chrX positions outside the PARs of both builds.
POS = {"1": 1_000_000, "X": 3_000_000}

# The pedigrees: a trio whose proband is affected; the parents unaffected (the case CLINICAL.md
# says to compare with), or one of them affected (dominant inheritance).
PEDS = {
    "unaffected-parents": (1, 1),
    "affected-father": (2, 1),
    "affected-mother": (1, 2),
}

GENMOD_MODELS = ["AD", "AD_dn", "AR_hom", "AR_hom_dn", "XR", "XR_dn", "XD", "XD_dn"]
MENDEL = ["plausible de novo", "implausible de novo", "uniparental disomy", "loss of heterozygosity"]


def header(samples):
    lines = [
        "##fileformat=VCFv4.2",
        "##reference=GRCh37",
        "##contig=<ID=1,length=249250621>",
        "##contig=<ID=X,length=155270560>",
        '##INFO=<ID=Annotation,Number=.,Type=String,Description="Gene (genmod\'s annotation key)">',
        '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples),
    ]
    return "\n".join(lines) + "\n"


def ped_text(kid_sex, father_pheno, mother_pheno):
    return (
        f"fam\tkid\tdad\tmom\t{kid_sex}\t2\n"
        f"fam\tdad\t0\t0\t1\t{father_pheno}\n"
        f"fam\tmom\t0\t0\t2\t{mother_pheno}\n"
    )


def genmod(vcf, ped, strict):
    """genmod's GeneticModels and Compounds of every record, by ID."""
    cmd = [os.path.join(os.path.dirname(sys.executable), "genmod"), "models", "-f", ped]
    if strict:
        cmd.append("--strict")
    cmd.append(vcf)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    models, compounds = {}, {}
    for line in out.splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        info = dict(kv.split("=", 1) for kv in cols[7].split(";") if "=" in kv)
        found = set()
        for fam in info.get("GeneticModels", "").split(","):
            if ":" in fam:
                found.update(fam.split(":", 1)[1].split("|"))
        models[cols[2]] = found
        partners = set()
        for fam in info.get("Compounds", "").split(","):
            if ":" in fam:
                partners.update(fam.split(":", 1)[1].split("|"))
        compounds[cols[2]] = partners
    return models, compounds


def inheritance_lib(ped, kid, dad, mom):
    """GEMINI's models (strict and lenient where they have the switch) and Mendel classes."""
    fams = Family.from_ped(ped)
    family = fams["fam"]
    order = [s.name for s in family.subjects]
    gts = {"kid": kid, "dad": dad, "mom": mom}
    ef = EvalFamily(family)
    ef.gt_types = [GT_TYPE[gts[n]] for n in order]
    out = {}
    for strict in (True, False):
        tag = "strict" if strict else "lenient"
        out[f"de_novo.{tag}"] = bool(ef.de_novo(strict=strict))
        out[f"auto_dom.{tag}"] = bool(ef.auto_dom(strict=strict))
        out[f"auto_rec.{tag}"] = bool(ef.auto_rec(strict=strict))
    out["x_rec"] = bool(ef.x_rec())
    out["x_dom"] = bool(ef.x_dom())
    out["x_denovo"] = bool(ef.x_denovo())
    # EvalFamily.mendel_violations() crashes (CLINICAL.md §3): evaluate its expressions here.
    env = {s.sample_id: i for i, s in enumerate(family.subjects)}
    env["gt_types"] = ef.gt_types
    for name, expr in family.mendel_violations().items():
        out["mendel." + name.replace(" ", "_")] = bool(eval(str(expr), env)) if expr not in (False, None, "False") else False
    return out


def truth_tables(inputs, expected):
    rows = []
    columns = None
    for chrom, kid_sex, (ped_name, (fp, mp)) in itertools.product(["1", "X"], [1, 2], PEDS.items()):
        name = f"trio-{'auto' if chrom == '1' else 'x'}-{'male' if kid_sex == 1 else 'female'}-{ped_name}"
        vcf = os.path.join(inputs, name + ".vcf")
        ped = os.path.join(inputs, name + ".ped")
        with open(ped, "w") as fh:
            fh.write(ped_text(kid_sex, fp, mp))
        combos = list(itertools.product(GTS, GTS, GTS))
        with open(vcf, "w") as fh:
            fh.write(header(["kid", "dad", "mom"]))
            for k, (kid, dad, mom) in enumerate(combos):
                fh.write(f"{chrom}\t{POS[chrom] + k}\t{kid}_{dad}_{mom}\tA\tG\t50\tPASS\t.\tGT\t{kid}\t{dad}\t{mom}\n")
        by_strict = {s: genmod(vcf, ped, s)[0] for s in (True, False)}
        for kid, dad, mom in combos:
            ident = f"{kid}_{dad}_{mom}"
            values = {}
            for strict in (True, False):
                tag = "strict" if strict else "lenient"
                for m in GENMOD_MODELS:
                    values[f"genmod.{m}.{tag}"] = m in by_strict[strict][ident]
            for k, v in inheritance_lib(ped, kid, dad, mom).items():
                values["inheritance." + k] = v
            if columns is None:
                columns = sorted(values)
            rows.append([name, kid, dad, mom] + ["1" if values[c] else "0" for c in columns])
    with open(os.path.join(expected, "truth-tables.tsv"), "w") as fh:
        fh.write("\t".join(["case", "kid", "dad", "mom"] + columns) + "\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")


def comp_het_pairs(inputs, expected):
    """Every pair of sites of one gene at which the affected proband is het: all 16 x 16
    parental genotype pairs, each pair alone in its gene (genmod's Compounds)."""
    parents = list(itertools.product(GTS, GTS))
    name = "comphet-auto-unaffected-parents"
    vcf = os.path.join(inputs, name + ".vcf")
    ped = os.path.join(inputs, name + ".ped")
    with open(ped, "w") as fh:
        fh.write(ped_text(1, 1, 1))
    pos = 2_000_000
    with open(vcf, "w") as fh:
        fh.write(header(["kid", "dad", "mom"]))
        for g, ((d1, m1), (d2, m2)) in enumerate(itertools.product(parents, parents)):
            gene = f"GENE{g}"
            for site, (d, m) in enumerate(((d1, m1), (d2, m2))):
                info = f"Annotation={gene};CSQ=G|missense_variant|MODERATE|{gene}|ENSG{g:05d}"
                fh.write(f"1\t{pos}\t{gene}.{site}\tA\tG\t50\tPASS\t{info}\tGT\t0/1\t{d}\t{m}\n")
                pos += 1
            pos += 1000
    with open(os.path.join(expected, name + ".tsv"), "w") as fh:
        fh.write("id\tstrictness\tgenmod_models\tgenmod_compounds\n")
        for strict in (True, False):
            models, compounds = genmod(vcf, ped, strict)
            for ident in models:
                fh.write("\t".join([
                    ident,
                    "strict" if strict else "lenient",
                    ",".join(sorted(m for m in models[ident] if m.startswith("AR_comp"))) or ".",
                    ",".join(sorted(compounds[ident])) or ".",
                ]) + "\n")


def main():
    inputs, expected = sys.argv[1], sys.argv[2]
    os.makedirs(inputs, exist_ok=True)
    os.makedirs(expected, exist_ok=True)
    truth_tables(inputs, expected)
    comp_het_pairs(inputs, expected)


if __name__ == "__main__":
    main()
