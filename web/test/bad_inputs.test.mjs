// tests/bad_inputs/catalogue.json through the WebAssembly build (`callBytes`): every hostile
// request gets its stable error code, and the instance keeps working afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { init, callBytes, satisfies } from "../src/index.js";
import { repoDir } from "../scripts/fixtures.mjs";

function requestBytes(c) {
  if (c.request !== undefined) return new TextEncoder().encode(c.request);
  if (c.request_hex !== undefined) return Uint8Array.from(Buffer.from(c.request_hex, "hex"));
  const g = c.request_gen;
  return new TextEncoder().encode(g.prefix + g.unit.repeat(g.count) + g.suffix);
}

test("bad-input catalogue", async () => {
  await init();
  const { cases } = JSON.parse(readFileSync(join(repoDir, "tests", "bad_inputs", "catalogue.json"), "utf8"));
  assert.ok(cases.length >= 60);
  for (const c of cases) {
    const response = JSON.parse(new TextDecoder().decode(callBytes(requestBytes(c))));
    assert.equal(response.error?.code, c.surface_errors?.wasm ?? c.error, c.name);
  }
  assert.equal(satisfies("9.1.0", "^8.13.0 || ^9.0.0"), true, "the instance still works");
});
