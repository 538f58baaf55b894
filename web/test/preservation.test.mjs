// The JS surface neither mutates the objects it is given nor drops fields it does not model.
// serde-wasm-bindgen reads JS objects field by field and the wrapper in src/index.js could touch
// them too, so every entry point that takes objects is called on deep copies and compared after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { init, call, invoke, dryRun, planPolicy, resolve, validate } from "../src/index.js";
import { repoDir, loadPackage } from "../scripts/fixtures.mjs";

// A small seeded generator, so a failure replays.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const NAMES = ["x_note", "Owner Team", "ünïcødé", "with.dot", "toString", "constructor", "0", "$ref"];

function randomValue(r, depth = 0) {
  const k = Math.floor(r() * (depth > 2 ? 5 : 7));
  if (k === 0) return null;
  if (k === 1) return r() < 0.5;
  if (k === 2) return Math.floor(r() * 2 ** 53) - 2 ** 52;
  if (k === 3) return r() * 1e6;
  if (k === 4) return String.fromCodePoint(...Array.from({ length: Math.floor(r() * 6) }, () => 32 + Math.floor(r() * 0x2ff)));
  if (k === 5) return Array.from({ length: Math.floor(r() * 3) }, () => randomValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, (_, i) => [`${NAMES[Math.floor(r() * NAMES.length)]}${i}`, randomValue(r, depth + 1)]));
}

// Puts one extra at the policy, its package, and every input, stream, data_stream and var entry.
function withExtras(policy, r) {
  const p = structuredClone(policy);
  const put = (obj) => {
    obj[`x_${NAMES[Math.floor(r() * NAMES.length)]}`] = randomValue(r);
  };
  put(p);
  put(p.package);
  for (const input of p.inputs) {
    put(input);
    for (const entry of Object.values(input.vars ?? {})) put(entry);
    for (const stream of input.streams ?? []) {
      put(stream);
      put(stream.data_stream);
      for (const entry of Object.values(stream.vars ?? {})) put(entry);
    }
  }
  return p;
}

// Every x_ field of `before` must be in `after`, at every level `after` still has.
function assertExtrasKept(before, after, where) {
  const extras = (o) => Object.entries(o ?? {}).filter(([k]) => k.startsWith("x_"));
  const same = (a, b, at) => {
    for (const [k, v] of extras(a)) assert.deepStrictEqual(b?.[k], v, `${where}: ${at}/${k}`);
  };
  same(before, after, "");
  same(before.package, after.package, "/package");
  for (const input of before.inputs) {
    const out = after.inputs.find((o) => o.type === input.type && o.policy_template === input.policy_template);
    if (!out) continue;
    same(input, out, `/inputs[${input.type}]`);
    for (const [name, entry] of Object.entries(input.vars ?? {})) if (out.vars?.[name]) same(entry, out.vars[name], `/inputs[${input.type}]/vars/${name}`);
    for (const stream of input.streams ?? []) {
      const o = out.streams?.find((s) => s.data_stream?.dataset === stream.data_stream?.dataset);
      if (!o) continue;
      same(stream, o, `/streams[${stream.data_stream.dataset}]`);
      same(stream.data_stream, o.data_stream, `/streams[${stream.data_stream.dataset}]/data_stream`);
      for (const [name, entry] of Object.values(stream.vars ?? {}).length ? Object.entries(stream.vars) : []) {
        if (o.vars?.[name]) same(entry, o.vars[name], `/streams[${stream.data_stream.dataset}]/vars/${name}`);
      }
    }
  }
}

// Calls fn on its arguments and checks they are deep-equal to copies taken before.
function unchanged(name, fn, ...args) {
  const before = structuredClone(args);
  const out = fn(...args);
  assert.deepStrictEqual(args, before, `${name} changed its input`);
  return out;
}

test("no entry point mutates its input, and extras survive", async () => {
  await init();
  const dir = (v) => join(repoDir, "examples", "packages", `acme_web-${v}`);
  const from = loadPackage(dir("1.4.0"), "acme_web-1.4.0");
  const to = loadPackage(dir("2.0.0"), "acme_web-2.0.0");
  const base = invoke("fleet.package_to_package_policy", { package_info: from, namespace: "default", name: "acme-1" });
  base.id = "acme-1-id";
  for (let seed = 1; seed <= 20; seed++) {
    const policy = withExtras(base, rng(seed));
    for (const pkg of [from, to]) {
      const where = `seed ${seed}, ${pkg.version}`;
      const env = unchanged("call", call, { op: "fleet.upgrade_dry_run", args: { package_policy: policy, package_info: pkg } });
      assertExtrasKept(policy, env.ok.diff[1], `call dry run, ${where}`);
      const updated = unchanged("invoke", invoke, "fleet.update_package_inputs", { package_policy: policy, package_info: pkg, dry_run: true });
      assertExtrasKept(policy, updated, `update_package_inputs, ${where}`);
      const dry = unchanged("dryRun", dryRun, policy, pkg);
      assertExtrasKept(policy, dry.diff[1], `dryRun, ${where}`);
      const plan = unchanged("planPolicy", planPolicy, { package_policy: policy, package_info: pkg, previous_package_info: from, include_proposed: true });
      if (plan.proposed) assertExtrasKept(policy, plan.proposed, `planPolicy, ${where}`);
      const fleet = unchanged("invoke", invoke, "plan.fleet", { policies: [policy], package_info: pkg, include_proposed: true });
      if (fleet.policies[0].proposed) assertExtrasKept(policy, fleet.policies[0].proposed, `plan.fleet, ${where}`);
      const edits = [{ path: "/inputs/0", action: "disable" }];
      const resolved = unchanged("resolve", resolve, { package_policy: policy, package_info: pkg, previous_package_info: from, edits });
      assertExtrasKept(policy, resolved.package_policy, `resolve, ${where}`);
      unchanged("validate", validate, policy, pkg);
      const simplified = unchanged("invoke", invoke, "fleet.to_simplified_policy", { package_policy: policy });
      // The simplified form names the policy's own package's vars, so it goes back with that package.
      unchanged("invoke", invoke, "fleet.from_simplified_policy", { simplified_policy: simplified, package_info: from });
    }
  }
});
