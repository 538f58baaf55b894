// The shared operation vectors (tests/vectors/*.json, schema {name, op, args, expect|error})
// run through the WebAssembly build: every surface must answer them identically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { init, call } from "../src/index.js";
import { repoDir } from "../scripts/fixtures.mjs";

const dir = join(repoDir, "tests", "vectors");

/** Cases of one vector file: an array, `{cases: [...]}`, or one case. */
function casesOf(doc) {
  if (Array.isArray(doc)) return doc;
  if (doc && Array.isArray(doc.cases)) return doc.cases;
  if (doc && Array.isArray(doc.vectors)) return doc.vectors;
  return [doc];
}

const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];

if (files.length === 0) {
  test("shared vectors", (t) => {
    t.skip(`SKIPPED: ${dir} has no vector files on this branch`);
  });
}

for (const file of files) {
  test(`vectors: ${file}`, async () => {
    await init();
    const cases = casesOf(JSON.parse(readFileSync(join(dir, file), "utf8")));
    assert.ok(cases.length > 0, `${file} holds no cases`);
    for (const [i, c] of cases.entries()) {
      const label = `${file} #${i} ${c.name ?? c.op}`;
      const res = call({ op: c.op, args: c.args ?? {} });
      if ("error" in c && c.error !== undefined && !("expect" in c)) {
        assert.ok("error" in res, `${label}: expected an error, got ${JSON.stringify(res).slice(0, 300)}`);
        const want = typeof c.error === "string" ? { code: c.error } : c.error;
        assert.equal(res.error.code, want.code, `${label}: error code`);
        if (want.path !== undefined) assert.equal(res.error.path, want.path, `${label}: error path`);
      } else {
        assert.ok("ok" in res, `${label}: ${JSON.stringify(res).slice(0, 300)}`);
        assert.deepEqual(res.ok, c.expect, label);
      }
    }
  });
}
