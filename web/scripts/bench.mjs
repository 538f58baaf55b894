// Side-by-side timings in Node on the same inputs:
// - `satisfies`: the WASM core vs npm `semver` over node-semver's own include/exclude fixtures
//   (../shared/conformance/semver), plus how many answers differ from the fixtures' expectations;
// - dry run: the WASM core's `dryRun` (merge + validation + change list) vs `jsondiffpatch.diff`
//   of the same current and proposed policies (what a user would otherwise use to see changes);
// - sizes: gzipped `.wasm` and widget JS.
// Usage: node web/scripts/bench.mjs   (after `just wasm`)
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";

import semver from "semver";
import * as jsondiffpatch from "jsondiffpatch";

import { init, satisfies, dryRun } from "../src/index.js";
import { reviewFixtures, sharedDir, webDir, hasShared } from "./fixtures.mjs";

await init();

function time(fn, minMs = 300) {
  // Warm up, then run whole batches until minMs has passed; report ns per call.
  fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    fn();
    n++;
    now = performance.now();
  }
  return ((now - start) * 1e6) / n;
}

const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const wasmPath = join(webDir, "pkg", "fleetup_wasm_bg.wasm");
const glue = join(webDir, "pkg", "fleetup_wasm.js");
const widgetJs = Buffer.concat([join(webDir, "src", "index.js"), join(webDir, "src", "element.js"), glue].map((p) => readFileSync(p)));
console.log("## Sizes");
console.log(`fleetup_wasm_bg.wasm: ${readFileSync(wasmPath).length} bytes, ${gz(wasmPath)} gzipped`);
console.log(`widget JS (index.js + element.js + wasm-bindgen glue): ${widgetJs.length} bytes, ${gzipSync(widgetJs, { level: 9 }).length} gzipped`);
// The agent module (loaded only when agent configuration is asked for): its .wasm and its glue.
const agentWasm = join(webDir, "pkg-agent", "fleetup_wasm_agent_bg.wasm");
const agentGlue = join(webDir, "pkg-agent", "fleetup_wasm_agent.js");
if (existsSync(agentWasm)) {
  console.log(`fleetup_wasm_agent_bg.wasm (on demand): ${readFileSync(agentWasm).length} bytes, ${gz(agentWasm)} gzipped`);
  console.log(`agent module glue (on demand): ${readFileSync(agentGlue).length} bytes, ${gz(agentGlue)} gzipped`);
}

if (hasShared()) {
  const dir = join(sharedDir, "conformance", "semver");
  const cases = ["range-include.json", "range-exclude.json"].flatMap((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  const opts = (c) => ({ loose: Boolean(c.options?.loose), include_prerelease: Boolean(c.options?.includePrerelease) });
  const nodeOpts = (c) => ({ loose: Boolean(c.options?.loose), includePrerelease: Boolean(c.options?.includePrerelease) });
  let wasmWrong = 0;
  let npmWrong = 0;
  for (const c of cases) {
    if (satisfies(c.version, c.range, opts(c)) !== c.expect) wasmWrong++;
    if (semver.satisfies(c.version, c.range, nodeOpts(c)) !== c.expect) npmWrong++;
  }
  const wasmNs = time(() => {
    for (const c of cases) satisfies(c.version, c.range, opts(c));
  }) / cases.length;
  const npmNs = time(() => {
    for (const c of cases) semver.satisfies(c.version, c.range, nodeOpts(c));
  }) / cases.length;
  console.log(`\n## satisfies over ${cases.length} node-semver fixtures`);
  console.log(`| implementation | ns/call | answers differing from the fixtures |`);
  console.log(`|---|---|---|`);
  console.log(`| fleetup WASM \`satisfies\` | ${wasmNs.toFixed(0)} | ${wasmWrong} |`);
  console.log(`| npm semver ${semver.SEMVER_SPEC_VERSION ? "7.x" : ""} \`satisfies\` | ${npmNs.toFixed(0)} | ${npmWrong} |`);
} else {
  console.log("\nSKIPPED satisfies: ../shared is absent");
}

console.log(`\n## Dry run vs jsondiffpatch (same current and proposed policies)`);
console.log(`| pair | fleetup WASM dryRun (ms) | conflicts found | jsondiffpatch.diff (ms) | diff top-level keys |`);
console.log(`|---|---|---|---|---|`);
const differ = jsondiffpatch.create({ objectHash: (o, i) => o?.id ?? o?.data_stream?.dataset ?? o?.type ?? `$$i:${i}` });
for (const f of await reviewFixtures()) {
  const dry = dryRun(f.currentPolicy, f.targetPackage);
  const [current, proposed] = dry.diff;
  const conflicts = (dry.changes ?? []).filter((c) => c.severity === "conflict").length;
  const dryNs = time(() => dryRun(f.currentPolicy, f.targetPackage), 500);
  const delta = differ.diff(current, proposed);
  const jdpNs = time(() => differ.diff(current, proposed), 500);
  console.log(
    `| ${f.title} | ${(dryNs / 1e6).toFixed(2)} | ${conflicts} | ${(jdpNs / 1e6).toFixed(2)} | ${delta ? Object.keys(delta).length : 0} |`,
  );
}
if (!existsSync(wasmPath)) process.exitCode = 1;
