// The shared cross-language vectors (tests/vectors/*.json; shape in tests/vectors/README.md)
// through the WebAssembly build: `op`+`args` via `call`, `request` text via `callJson`,
// `request_hex` bytes via `callBytes`; outcomes `expect`, `error` (+`path`) or `response`.
// semver.compare / semver.satisfies cases also go through the typed functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { init, call, callJson, callBytes, compare, satisfies, invoke } from "../src/index.js";
import { repoDir } from "../scripts/fixtures.mjs";

const dir = join(repoDir, "tests", "vectors");
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];

if (files.length === 0) {
  test("shared vectors", (t) => {
    t.skip(`SKIPPED: ${dir} has no vector files on this branch`);
  });
}

function respond(c) {
  if (c.request_hex !== undefined) {
    const bytes = Uint8Array.from(Buffer.from(c.request_hex, "hex"));
    return JSON.parse(new TextDecoder().decode(callBytes(bytes)));
  }
  if (c.request !== undefined) return JSON.parse(callJson(c.request));
  return call({ op: c.op, args: c.args ?? {} });
}

function check(label, res, c) {
  if (c.expect !== undefined) {
    assert.ok("ok" in res, `${label}: ${JSON.stringify(res).slice(0, 300)}`);
    assert.deepEqual(res.ok, c.expect, label);
  } else if (c.error !== undefined) {
    assert.ok("error" in res, `${label}: expected ${c.error}, got ${JSON.stringify(res).slice(0, 300)}`);
    assert.equal(res.error.code, c.error, label);
    if (c.path !== undefined) assert.equal(res.error.path, c.path, `${label}: path`);
  } else if (c.response !== undefined) {
    if ("ok" in c.response) {
      assert.ok("ok" in res, `${label}: ${JSON.stringify(res).slice(0, 300)}`);
      assert.deepEqual(res.ok, c.response.ok, label);
    } else {
      assert.ok("error" in res, `${label}: ${JSON.stringify(res).slice(0, 300)}`);
      assert.equal(res.error.code, c.response.error.code, label);
      if (c.response.error.path !== undefined) assert.equal(res.error.path, c.response.error.path, `${label}: path`);
    }
  } else {
    assert.fail(`${label}: the case has no expect, error or response`);
  }
}

/** The typed functions agree with the envelope. */
function checkTyped(label, c) {
  const o = c.args?.options;
  if (c.op === "semver.compare") {
    if (c.expect !== undefined) assert.equal(compare(c.args.a, c.args.b, o), c.expect, `${label} (typed)`);
    else if (c.error !== undefined) assert.throws(() => compare(c.args.a, c.args.b, o), (e) => e.code === c.error, `${label} (typed)`);
  }
  if (c.op === "semver.satisfies" && c.expect !== undefined) {
    assert.equal(satisfies(c.args.version, c.args.range, o), c.expect, `${label} (typed)`);
  }
  if (c.op !== undefined && c.request === undefined && c.request_hex === undefined) {
    if (c.expect !== undefined) assert.deepEqual(invoke(c.op, c.args ?? {}), c.expect, `${label} (invoke)`);
    else if (c.error !== undefined) assert.throws(() => invoke(c.op, c.args ?? {}), (e) => e.code === c.error, `${label} (invoke)`);
  }
}

for (const file of files) {
  test(`vectors: ${file}`, async () => {
    await init();
    const doc = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const cases = Array.isArray(doc) ? doc : doc.cases;
    assert.ok(Array.isArray(cases) && cases.length > 0, `${file} holds no cases`);
    for (const [i, c] of cases.entries()) {
      const label = `${file} #${i} ${c.name ?? c.op}`;
      check(label, respond(c), c);
      checkTyped(label, c);
    }
    // errors.json's code table is the one the core reports.
    if (Array.isArray(doc.codes)) assert.deepEqual(invoke("meta.error_codes", {}), doc.codes, `${file}: code table`);
  });
}
