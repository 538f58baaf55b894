// Agent template compilation: fleetup (the WebAssembly build) against a model of Kibana's
// compileTemplate on handlebars.js 4.7 + js-yaml 4 (web/scripts/kibana-template.mjs), over every
// `.hbs` template of the corpus with default, customised, blank and hostile var values, plus
// synthetic templates for what the corpus does not reach. Runner and case list:
// web/scripts/agent-parity.mjs (`node web/scripts/agent-parity.mjs` prints the same summary).
import { test } from "node:test";
import assert from "node:assert/strict";

import { hasShared } from "../scripts/fixtures.mjs";
import { compare, describe, runParity, SYNTHETIC, writeReport } from "../scripts/agent-parity.mjs";
import { kibanaCompile } from "../scripts/kibana-template.mjs";

const meta = { package: { name: "p", title: "P", version: "1.0.0" }, stream: { id: "", data_stream: { dataset: "", type: "" } }, input: { id: "" }, agent: {} };

test("the Kibana model is an oracle: known outputs and quirks", () => {
  const vars = { t: { value: "toString" }, p: { value: "__proto__" }, y: { type: "yaml", value: "k: v" }, "d.s": { value: " " } };
  assert.deepEqual(kibanaCompile(vars, meta, "a: {{t}}\nb: [{{t}}, x]\nc: {{p}}\nd: {{y}}\ne: {{d.s}}\n"), {
    ok: { b: [null, "x"], c: {}, d: { k: "v" }, e: null },
  });
  assert.deepEqual(kibanaCompile({ s: { value: " " } }, meta, "s: {{s}}\n"), { ok: { s: "" } });
  const dup = kibanaCompile({ y: { type: "yaml", value: "a: 2" } }, meta, "a: 1\n{{y}}\n");
  assert.equal(dup.error.stage, "yaml");
  assert.equal(dup.error.message, 'YAMLException: Duplicated key "a" found in agent policy yaml, please check your yaml variables.');
  assert.equal(kibanaCompile({}, meta, "a: {{#if}}{{/if}}").error.stage, "handlebars");
  assert.equal(kibanaCompile({ "__proto__.x": { value: 1 } }, meta, "a: 1").error.message, "Error while compiling agent template: Invalid key __proto__");
});

test("the comparison flags every kind of difference", () => {
  assert.equal(compare({ ok: { a: 1 } }, { ok: { a: 1 } }), null);
  assert.equal(compare({ ok: { a: 1 } }, { ok: { a: "1" } }).kind, "value");
  assert.equal(compare({ ok: {} }, { error: { code: "TEMPLATE_ERROR", message: "x" } }).kind, "outcome");
  assert.equal(compare({ error: { stage: "yaml", message: "m" } }, { error: { code: "TEMPLATE_ERROR", message: "m" } }).kind, "error_kind");
  const kibana = 'YAMLException: Duplicated key "a" found in agent policy yaml, please check your yaml variables.';
  assert.equal(compare({ error: { stage: "yaml", message: kibana } }, { error: { code: "PACKAGE_POLICY_VALIDATION", message: "other" } }).kind, "message");
  assert.equal(compare({ error: { stage: "yaml", message: "js-yaml's" } }, { error: { code: "PACKAGE_POLICY_VALIDATION", message: "ours" } }).informational, true);
});

test("synthetic templates compile as Kibana compiles them", async (t) => {
  const s = await runParity({ corpus: false });
  t.diagnostic(`${s.synthetic} synthetic cases, ${s.knownDivergences.length} known divergences`);
  assert.equal(s.synthetic, SYNTHETIC.length);
  assert.deepEqual(s.mismatches.map(describe), []);
});

test("every corpus agent template compiles as Kibana compiles it", async (t) => {
  if (!hasShared()) {
    t.skip("SKIPPED: ../shared is absent (a fresh clone has no corpus)");
    return;
  }
  const s = await runParity({ synthetic: false });
  const file = writeReport(s);
  t.diagnostic(
    `${s.templates} templates in ${s.versions} versions, ${s.cases} cases (${s.ok} compile, ${s.errors} fail in both); ` +
      `${s.messageDifferences.length} js-yaml/handlebars.js messages worded differently; report ${file}`,
  );
  assert.ok(s.templates >= 600, `only ${s.templates} templates`);
  assert.ok(s.cases >= 6 * s.templates, `only ${s.cases} cases`);
  // Both outcomes occur: the variants reach the YAML errors as well as the values.
  assert.ok(s.ok > 1000 && s.errors > 100, `${s.ok} ok / ${s.errors} errors`);
  assert.deepEqual(s.mismatches.slice(0, 20).map(describe), []);
});
