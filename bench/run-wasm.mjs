// The wasm half of `cargo xtask bench`: runs bench/src/lib.rs compiled for wasm32 in Node's V8
// (the browser's engine) over the files `enclave-bench prepare` wrote.
// usage: node bench/run-wasm.mjs MODULE.wasm DIR RUNS [inflate [FILE] | modes]  → prints
// `name seconds value` lines.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const [wasmPath, dir, runsArg] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg) || 3);
// Imports the module may name but the timed paths never call (e.g. the browser's random source).
const stubs = new Proxy({}, {
  get: (_, module) => new Proxy({}, {
    get: (_, name) => () => { throw new Error(`${String(module)}.${String(name)} is not available in the benchmark`); },
  }),
});
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), stubs);
const { memory, bench_alloc, bench_decrypt, bench_ingest } = instance.exports;

function place(bytes) {
  const ptr = bench_alloc(bytes.length);
  new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}
const FAILED = 2n ** 64n - 1n;

// `… RUNS inflate [FILE]`: only the deflate backends of bench/src/inflate.rs, over FILE (default
// DIR/synth.vcf.gz); lines are `name seconds bytes MB/s` (BENCHMARKS.md, "Deflate backend").
if (process.argv[5] === "inflate") {
  const bgzf = readFileSync(process.argv[6] ?? join(dir, "synth.vcf.gz"));
  const d = place(bgzf);
  const { bench_inflate, bench_inflate_verify, bench_decode, bench_crc32 } = instance.exports;
  // The order of `Kernel::ALL` and `Crc::ALL`; libdeflate (C) is not built for wasm32.
  const kernels = ["inflate_zlib_rs", "inflate_zlib_rs_fresh_state", "inflate_zune_inflate",
    "inflate_miniz_oxide", "inflate_libdeflate", "engine_inflate_block", "engine_bgzf_reader",
    "noodles_bgzf_reader"];
  const bytes = bench_inflate(d, bgzf.length, 6);
  if (bytes === FAILED) throw new Error("the file does not decode");
  // Interleaved rounds (a busy moment on a shared machine hits every kernel alike); best wall
  // time and best process CPU time (time spent waiting for a core excluded) per kernel.
  const jobs = [];
  kernels.forEach((name, k) => {
    if (name.includes("libdeflate")) return;
    if (k < 5 && bench_inflate_verify(d, bgzf.length, k) !== bytes) throw new Error(`${name} is wrong`);
    jobs.push([name, () => bench_inflate(d, bgzf.length, k)]);
  });
  const plainPtr = bench_decode(d, bgzf.length);
  ["crc32_crc32fast", "crc32_zlib_rs"].forEach((name, c) => jobs.push([name, () => bench_crc32(plainPtr, Number(bytes), c)]));
  const best = jobs.map(() => [Infinity, Infinity]);
  for (let r = 0; r < runs; r++) {
    jobs.forEach(([name, f], i) => {
      const [c0, t0] = [process.cpuUsage(), performance.now()];
      if (f() === FAILED) throw new Error(`${name} failed in wasm`);
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      best[i] = [Math.min(best[i][0], wall), Math.min(best[i][1], (c.user + c.system) / 1e6)];
    });
  }
  const rate = (s) => (Number(bytes) / s / 1e6).toFixed(0);
  jobs.forEach(([name], i) => console.log(`${name} ${best[i][0].toFixed(6)} ${bytes} ${rate(best[i][0])} ${rate(best[i][1])}`));
  process.exit(0);
}

// `… RUNS modes`: an inheritance mode change as the app's worker makes it (bench/src/modes.rs),
// over DIR/genome.3s.vcf.gz tied to the trio PED: `ingest seconds records` (file to store and
// call states, once), `attach seconds records` (the PED tied again: call states and gene index,
// best of RUNS), then `first:NAME seconds kept` (each mode's first tick after attaching) and
// `mode:NAME seconds kept` per mode (best of RUNS, interleaved rounds),
// then `wasm_memory 0 bytes`, the linear memory at the end (it only grows: the peak).
if (process.argv[5] === "modes") {
  const { bench_mode_names, bench_trio_load, bench_trio_attach, bench_trio_mode } = instance.exports;
  const out = bench_alloc(256);
  const len = bench_mode_names(out, 256);
  if (len > 256) throw new Error("mode names do not fit");
  const names = new TextDecoder().decode(new Uint8Array(memory.buffer, out, len)).split(",");
  let genome = readFileSync(join(dir, "genome.3s.vcf.gz"));
  const g = place(genome);
  const t0 = performance.now();
  const records = bench_trio_load(g, genome.length);
  if (records === FAILED) throw new Error("genome.3s.vcf.gz does not load as the trio in wasm");
  console.log(`ingest ${((performance.now() - t0) / 1000).toFixed(6)} ${records}`);
  genome = null; // Node's copy; the module's stays in linear memory (bench_alloc never frees)
  // Attaching the PED again (call states and gene index), best of RUNS; the last one leaves a
  // fresh analysis, so the first round below is each mode's first tick as a person meets it.
  let attach = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    if (bench_trio_attach() === FAILED) throw new Error("the trio PED does not attach in wasm");
    attach = Math.min(attach, (performance.now() - t) / 1000);
  }
  console.log(`attach ${attach.toFixed(6)} ${records}`);
  const best = names.map(() => [Infinity, undefined]);
  const first = names.map(() => [Infinity, undefined]);
  for (let r = 0; r < runs; r++) {
    names.forEach((name, i) => {
      const t = performance.now();
      const kept = bench_trio_mode(i);
      const seconds = (performance.now() - t) / 1000;
      if (kept === FAILED) throw new Error(`mode ${name} failed in wasm`);
      if (best[i][1] !== undefined && best[i][1] !== kept) throw new Error(`mode ${name} kept ${best[i][1]}, then ${kept}`);
      best[i] = [Math.min(best[i][0], seconds), kept];
      if (r === 0) first[i] = [seconds, kept];
    });
  }
  names.forEach((name, i) => console.log(`first:${name} ${first[i][0].toFixed(6)} ${first[i][1]}`));
  names.forEach((name, i) => console.log(`mode:${name} ${best[i][0].toFixed(6)} ${best[i][1]}`));
  console.log(`wasm_memory 0 ${memory.buffer.byteLength}`);
  process.exit(0);
}

const plain = readFileSync(join(dir, "synth.vcf.gz"));
const cipher = readFileSync(join(dir, "synth.vcf.gz.c4gh"));
const key = readFileSync(join(dir, "bench.key"));
const [p, c, k] = [place(plain), place(cipher), place(key)];

function best(name, f) {
  let seconds = Infinity;
  let value;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    if (value === FAILED) throw new Error(`${name} failed in wasm`);
  }
  console.log(`${name} ${seconds.toFixed(6)} ${value}`);
}
best("decrypt", () => bench_decrypt(c, cipher.length, k, key.length));
best("ingest_plain", () => bench_ingest(p, plain.length, 0, 0));
best("ingest_encrypted", () => bench_ingest(c, cipher.length, k, key.length));
