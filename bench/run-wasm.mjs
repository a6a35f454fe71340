// The wasm half of `cargo xtask bench`: runs bench/src/lib.rs compiled for wasm32 in Node's V8
// (the browser's engine) over the files `enclave-bench prepare` wrote.
// usage: node bench/run-wasm.mjs MODULE.wasm DIR RUNS  → prints `name seconds value` lines.
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
const plain = readFileSync(join(dir, "synth.vcf.gz"));
const cipher = readFileSync(join(dir, "synth.vcf.gz.c4gh"));
const key = readFileSync(join(dir, "bench.key"));
const [p, c, k] = [place(plain), place(cipher), place(key)];
const FAILED = 2n ** 64n - 1n;

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
