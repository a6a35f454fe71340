// A large, deterministic, invented VCF for the indexed and streaming tests: 1,000,000 records on
// 23 contigs (chr1..chr22, chrX; more records on longer contigs), two samples, INFO DP and AF,
// FORMAT GT:DP:GQ. Written as text by a small xorshift generator, piped through `bgzip`, then
// indexed with `tabix -p vcf` (.tbi) and `bcftools index` (.csi). The files are cached under
// target/e2e-data/ and reused while the generator's version and the record count stay the same.
//
// No real person's data: every value is drawn from the generator.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from './harness.mjs';

/** Bump when the generated content changes, so stale caches are not reused. */
const VERSION = 1;

/** GRCh38 contig lengths (chr1..chr22, chrX), for realistic positions and proportions. */
const LENGTHS = [
  248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
  138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
  83257441, 80373285, 58617616, 64444167, 46709983, 50818468, 156040895,
];
export const CONTIGS = LENGTHS.map((_, k) => (k === 22 ? 'chrX' : `chr${k + 1}`));
export const SAMPLES = ['ENCLAVE_SYNTH_MOTHER', 'ENCLAVE_SYNTH_CHILD'];

/** xorshift32: small, fast and the same on every machine. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Records per contig: proportional to its length, summing to `total`. */
export function perContig(total) {
  const sum = LENGTHS.reduce((a, b) => a + b, 0);
  const counts = LENGTHS.map((l) => Math.floor((total * l) / sum));
  counts[0] += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

function header() {
  return [
    '##fileformat=VCFv4.2',
    '##source=enclave-e2e-bigvcf (invented data)',
    ...CONTIGS.map((c, k) => `##contig=<ID=${c},length=${LENGTHS[k]},assembly=GRCh38>`),
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=LowQual,Description="Low quality">',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...SAMPLES].join('\t'),
  ].join('\n') + '\n';
}

const BASES = ['A', 'C', 'G', 'T'];
const GTS = ['0/0', '0/1', '0/1', '1/1', '0|1', './.'];

/** Writes the VCF text of `total` records to `sink` (a writable stream), chunk by chunk. */
async function writeVcf(sink, total) {
  const next = rng(0x5eed1234);
  let failed = null;
  sink.on('error', (e) => {
    failed = e;
  });
  const write = (text) => {
    if (failed) return Promise.reject(failed);
    return sink.write(text) ? Promise.resolve() : new Promise((resolve) => sink.once('drain', resolve));
  };
  await write(header());
  const counts = perContig(total);
  for (let k = 0; k < CONTIGS.length; k++) {
    const step = Math.max(2, Math.floor(LENGTHS[k] / counts[k]));
    let pos = 10000;
    let lines = [];
    for (let i = 0; i < counts[k]; i++) {
      pos += 1 + (next() % (2 * step - 1));
      const ref = BASES[next() % 4];
      const alt = BASES[(BASES.indexOf(ref) + 1 + (next() % 3)) % 4];
      const qual = next() % 100;
      const filter = qual < 20 ? 'LowQual' : 'PASS';
      const dp = 5 + (next() % 60);
      const af = ((next() % 1000) / 1000).toFixed(3);
      const samples = SAMPLES.map(() => `${GTS[next() % GTS.length]}:${next() % 40}:${next() % 99}`);
      lines.push(`${CONTIGS[k]}\t${pos}\t.\t${ref}\t${alt}\t${qual}\t${filter}\tDP=${dp};AF=${af}\tGT:DP:GQ\t${samples.join('\t')}\n`);
      if (lines.length === 20000) {
        await write(lines.join(''));
        lines = [];
      }
    }
    if (lines.length) await write(lines.join(''));
  }
}

/**
 * The cached BGZF VCF of `total` records with its .tbi and .csi, made on first use.
 * @returns {Promise<{vcf: string, tbi: string, csi: string, total: number}>}
 */
export async function bigVcf(total = 1_000_000) {
  const dir = join(repoRoot, 'target', 'e2e-data');
  mkdirSync(dir, { recursive: true });
  const vcf = join(dir, `synthetic-v${VERSION}-${total}.vcf.gz`);
  const tbi = `${vcf}.tbi`;
  const csi = `${vcf}.csi`;
  if (existsSync(vcf) && existsSync(tbi) && existsSync(csi)) return { vcf, tbi, csi, total };
  // Written to a temporary name and renamed, so an interrupted run leaves no half file.
  const partial = `${vcf}.partial`;
  const out = openSync(partial, 'w');
  const bgzip = spawn('bgzip', ['-c'], { stdio: ['pipe', out, 'inherit'] });
  const done = new Promise((resolve, reject) => {
    bgzip.once('error', reject);
    bgzip.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bgzip exited with ${code}`))));
  });
  await writeVcf(bgzip.stdin, total);
  bgzip.stdin.end();
  await done;
  closeSync(out);
  rmSync(tbi, { force: true });
  rmSync(csi, { force: true });
  renameSync(partial, vcf);
  execFileSync('tabix', ['-p', 'vcf', vcf]);
  execFileSync('bcftools', ['index', '--csi', vcf]);
  return { vcf, tbi, csi, total };
}
