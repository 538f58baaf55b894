// tests/bad_inputs/catalogue.json through the WebAssembly build (`callBytes`): every hostile
// request gets its stable error code, and the instance keeps working afterwards.
//
// Bounds: each entry also runs in its own worker thread with a fresh instance of the module, so
// the instance's linear memory after the call is that entry's high-water mark (linear memory
// only grows): the request copied in, parsing and the response together, under 256 MiB. The call
// must take under 1 s of CPU time: process.cpuUsage() around it while the main thread only waits
// (it also counts V8's background compilation, so it errs high), because wall time on a loaded
// shared machine measures the other jobs (it is reported too). The JS heap of each worker is capped at
// 256 MiB by V8 (resourceLimits), which turns a runaway on the JS side into a worker error; a
// worker still busy after 10 s is terminated as a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import { init, callBytes, satisfies } from "../src/index.js";
import { repoDir, webDir } from "../scripts/fixtures.mjs";

const MAX_MS = 1000;
const MAX_BYTES = 256 * 2 ** 20;
const HANG_MS = 10_000;

function requestBytes(c) {
  if (c.request !== undefined) return new TextEncoder().encode(c.request);
  if (c.request_hex !== undefined) return Uint8Array.from(Buffer.from(c.request_hex, "hex"));
  const g = c.request_gen;
  return new TextEncoder().encode(g.prefix + g.unit.repeat(g.count) + g.suffix);
}

const cases = () => JSON.parse(readFileSync(join(repoDir, "tests", "bad_inputs", "catalogue.json"), "utf8")).cases;
const expected = (c) => c.surface_errors?.wasm ?? c.error;

test("bad-input catalogue", async () => {
  await init();
  const all = cases();
  assert.ok(all.length >= 60);
  for (const c of all) {
    const response = JSON.parse(new TextDecoder().decode(callBytes(requestBytes(c))));
    assert.equal(response.error?.code, expected(c), c.name);
  }
  assert.equal(satisfies("9.1.0", "^8.13.0 || ^9.0.0"), true, "the instance still works");
});

// Runs in each worker: instantiate the module afresh, make one call, report.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const requestBytes = ${requestBytes.toString()};
(async () => {
  const glue = await import(workerData.glueUrl);
  const exports = await glue.default({ module_or_path: workerData.module });
  const request = requestBytes(workerData.c);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const out = glue.callBytes(request);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  const code = JSON.parse(new TextDecoder().decode(out)).error?.code;
  const ms = (used.user + used.system) / 1000;
  parentPort.postMessage({ code, ms, wallMs, linear: exports.memory.buffer.byteLength });
})().catch((e) => parentPort.postMessage({ failed: String(e && e.stack ? e.stack : e) }));
`;

function runAlone(module, c) {
  const glueUrl = pathToFileURL(join(webDir, "pkg", "fleetup_wasm.js")).href;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { glueUrl, module, c },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error(`hung: no answer after ${HANG_MS} ms`));
    }, HANG_MS);
    worker.once("message", (report) => {
      clearTimeout(timer);
      resolve(report);
      worker.terminate();
    });
    worker.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once("exit", (status) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${status}) without a report`));
    });
  });
}

test("bad-input catalogue: each entry under 1 s of CPU and 256 MiB of linear memory", async () => {
  const module = await WebAssembly.compile(readFileSync(join(webDir, "pkg", "fleetup_wasm_bg.wasm")));
  let slowest = [0, ""];
  let largest = [0, ""];
  let worstWall = 0;
  for (const c of cases()) {
    const report = await runAlone(module, c);
    assert.equal(report.failed, undefined, c.name);
    assert.equal(report.code, expected(c), c.name);
    assert.ok(report.ms < MAX_MS, `${c.name}: ${report.ms} ms of CPU`);
    worstWall = Math.max(worstWall, report.wallMs);
    assert.ok(report.linear < MAX_BYTES, `${c.name}: ${report.linear} bytes of linear memory`);
    if (report.ms > slowest[0]) slowest = [report.ms, c.name];
    if (report.linear > largest[0]) largest = [report.linear, c.name];
  }
  console.log(
    `wasm: slowest ${slowest[0].toFixed(1)} ms CPU (${slowest[1]}), ${worstWall.toFixed(1)} ms wall; largest linear memory ${(largest[0] / 2 ** 20).toFixed(1)} MiB (${largest[1]})`,
  );
});
