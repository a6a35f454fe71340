"""bcftools 1.24's `stats` (bundled in pysam 0.24.1) for each case of cases.tsv.

Run by scripts/regen-bcftools-stats.sh, which makes the venv; not meant to be run alone.

    python bcftools-stats-oracle.py CASES_TSV OUT_DIR TESTDATA SHARED

For each case: `bcftools stats -s - INPUT` (no `-s -` when the file has no samples: bcftools
refuses it there), `bcftools view ARGS INPUT | bcftools stats -s -` for `-i`/`-e`, and
`bcftools stats -s - -r REGION INPUT` for `-r`. Writes OUT_DIR/CASE.txt and OUT_DIR/COMMANDS.
A case whose input is absent (the shared corpus) keeps its committed output.
"""

import gzip
import os
import sys
import tempfile

import pysam
import pysam.bcftools as bcftools


def main():
    cases_tsv, out_dir, testdata, shared = (os.path.abspath(a) for a in sys.argv[1:5])
    commands = [
        "# Made by scripts/regen-bcftools-stats.sh with pysam %s (bcftools stats %s)."
        % (pysam.__version__, bcftools_version()),
        "# case\tcommand",
    ]
    old_commands = read_commands(os.path.join(out_dir, "COMMANDS"))
    for line in open(cases_tsv):
        if line.startswith("#") or not line.strip():
            continue
        name, source, args = line.rstrip("\n").split("\t")[:3]
        # Run from the input's folder on its relative path, so the output names no folder of
        # this machine.
        if source.startswith("shared:"):
            base, rel = shared, source[len("shared:"):]
        else:
            base, rel = testdata, source
        path = os.path.join(base, rel)
        if not os.path.exists(path):
            print("notice: %s skipped: %s is absent (output kept)" % (name, source), file=sys.stderr)
            if name in old_commands:
                commands.append(old_commands[name])
            continue
        samples = sample_count(path)
        smpl = ["-s", "-"] if samples else []
        shown = source
        os.chdir(base)
        if args == "-":
            text = bcftools.stats(*smpl, rel)
            command = " ".join(["bcftools stats"] + smpl + [shown])
        else:
            flag, value = args.split(" ", 1)
            if flag == "-r":
                text = bcftools.stats(*smpl, "-r", value, rel)
                command = " ".join(["bcftools stats"] + smpl + ["-r", "'%s'" % value, shown])
            else:
                view = bcftools.view(flag, value, rel)
                with tempfile.TemporaryDirectory() as tmp:
                    # The piped file's name, as the ID line shows it.
                    os.chdir(tmp)
                    with open("filtered.vcf", "w") as f:
                        f.write(view)
                    text = bcftools.stats(*smpl, "filtered.vcf")
                    os.chdir(base)
                command = " ".join(
                    ["bcftools view", flag, "'%s'" % value, shown, "| bcftools stats"] + smpl)
        with open(os.path.join(out_dir, name + ".txt"), "w") as out:
            out.write(text)
        commands.append("%s\t%s" % (name, command))
    with open(os.path.join(out_dir, "COMMANDS"), "w") as out:
        out.write("\n".join(commands) + "\n")


def bcftools_version():
    """The version in the first line of stats' output (asked on an empty VCF)."""
    with tempfile.NamedTemporaryFile("w", suffix=".vcf", delete=False) as tmp:
        tmp.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    try:
        head = bcftools.stats(tmp.name).splitlines()[0]
    finally:
        os.unlink(tmp.name)
    return head.split("bcftools stats (", 1)[1].split(") and can be plotted", 1)[0]


def sample_count(path):
    """The number of samples in the header (plain gzip, which pysam cannot open, read by hand)."""
    try:
        return len(pysam.VariantFile(path).header.samples)
    except (NotImplementedError, ValueError, OSError):
        with gzip.open(path, "rt") as f:
            for line in f:
                if line.startswith("#CHROM"):
                    return max(0, len(line.rstrip("\n").split("\t")) - 9)
        return 0


def read_commands(path):
    if not os.path.exists(path):
        return {}
    found = {}
    for line in open(path):
        if line.startswith("#"):
            continue
        name = line.split("\t", 1)[0]
        found[name] = line.rstrip("\n")
    return found


if __name__ == "__main__":
    main()
