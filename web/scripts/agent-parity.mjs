// Differential test of agent template compilation: every `.hbs` template of the corpus
// (../shared/corpus/packages/<pkg>/<version>/) is compiled with several sets of var values by
// fleetup's `agent.compile_template` (the WebAssembly build) and by the Kibana model in
// kibana-template.mjs (handlebars.js 4.7 + js-yaml 4), and the two outcomes are compared.
//
// Inputs per template: the vars of the stream (or input) that uses it in the package's default
// policy (package ⊕ input ⊕ stream vars, plus `data_stream.dataset`), then variants of them:
// `default`, `custom` (every var changed: quotes, `#`, newlines, lists, 1.0, flipped booleans,
// yaml mappings and lists, secret references), `blank` (blank strings, empty lists and yaml) and
// `hostile-0..2` (YAML-significant and unusual text, odd numbers, broken or merging yaml vars).
//
// Outcomes must agree: equal values (compared as JSON), or an error on both sides of the same
// kind; messages must be equal where Kibana writes them itself (invalid var names, duplicated
// keys). Other messages come from handlebars.js / js-yaml and are only counted when they differ.
//
// `node web/scripts/agent-parity.mjs` prints the summary and writes
// target/agent-parity/report.json; web/test/agent_parity.test.mjs runs it under `just test-web`.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve as resolvePath } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";

import { init, loadAgentModule } from "../src/index.js";
import { defaultPolicy, hasShared, loadPackage, repoDir, sharedDir } from "./fixtures.mjs";
import { kibanaCompile } from "./kibana-template.mjs";

export const VARIANTS = ["default", "custom", "blank", "hostile-0", "hostile-1", "hostile-2"];

/**
 * A number the request must carry as written (`1.0`, `-0.0`): JSON.stringify would print `1`
 * and `0`. In the request text the marker string is replaced by the literal; the Kibana side
 * gets the number JSON.parse makes of it, as Kibana does.
 */
class Literal {
  constructor(text) {
    this.text = text;
  }
  toJSON() {
    return `\u0000literal:${this.text}\u0000`;
  }
}

const HOSTILE_TEXT = [
  "</script>",
  "'",
  '"',
  "it's \"both\"",
  "key: value",
  "- item",
  "  leading spaces",
  "trailing spaces  ",
  "ünïcödé ✓ 日本語 😀",
  "#hash",
  "value #comment",
  "toString",
  "constructor",
  "__proto__",
  "{a: 1}",
  "[1, 2]",
  "null",
  "~",
  "true",
  "0x1F",
  "1e3",
  "&anchor",
  "*alias",
  "!tag",
  "%directive",
  "@at",
  "`tick`",
  "|",
  ">",
  "line one\nline two",
  "tab\there",
  "back\\slash",
  "line\u2028separator",
  "carriage\rreturn",
  "",
  "{{not a tag}}",
  "---",
  "...",
  "? question",
  "a,b",
  "%41 and 100%",
];

const HOSTILE_YAML = [
  "a: 1\nb: [x, y]\n",
  "- one\n- two: 2\n",
  "just a scalar",
  'key: "quoted: value"\nother: \'it\'\'s\'\n',
  "nested:\n  deep:\n    - {k: v}\n",
  "a: 1\na: 2\n",
  "bad: [unclosed",
  "0",
  "~",
  "toString: x",
  "__proto__: {polluted: true}",
  "unicode: ✓ 日本\nemoji: 😀\n",
  "list_of_maps:\n  - name: x\n    value: 1.0\n",
  "multi: |\n  line one\n  line two\n",
  "anchors:\n  base: &b {x: 1}\n  copy: *b\n",
  "'##processors##'",
  "false",
  "[]",
  "{}",
];

const HOSTILE_NUMBERS = ["1.0", "-0.0", "1e21", "1.5e-7", "123456789012", "0.1", "-3"];

/** A literal number in a synthetic case's vars (see Literal). */
const n = (text) => new Literal(text);
const v = (value, type) => (type ? { type, value } : { value });

/**
 * Synthetic templates for what the corpus does not reach: Handlebars features, helper edge cases,
 * JavaScript value printing, `yaml` var merging, Kibana's error messages and its quirks.
 */
export const SYNTHETIC = [
  ["prototype names become functions", "a: {{t}}\nb: [{{t}}, x]\nc: {{p}}\nd: {{y}}\n", { t: v("valueOf"), p: v("__proto__"), y: v("k: v", "yaml") }],
  ["prototype names without yaml vars", "a: {{t}}\nb: [{{t}}]\n", { t: v("toString") }],
  ["root __proto__ key", "{{custom}}\na: 1\n", { custom: v("__proto__: {x: 1}\nb: 2\n", "yaml") }],
  ["nested __proto__ key", "a:\n  __proto__: 1\n  b: 2\n", {}],
  ["placeholder after a carriage return", "a: 1\n{{x}}{{custom}}\n", { x: v("\r"), custom: v("k: v", "yaml") }],
  ["placeholder after a line separator", "a: 1\n{{x}}{{custom}}\n", { x: v("\u2028"), custom: v("k: v", "yaml") }],
  ["placeholder not at a line start", "a: {{custom}}\nb: x{{custom}}\n", { custom: v("k: v", "yaml") }],
  ["empty and falsy yaml vars", "a: {{e}}\nb: {{z}}\n{{f}}\nc: 1\n", { e: v("", "yaml"), z: v("0", "yaml"), f: v("false", "yaml") }],
  ["yaml var that is a scalar at the root", "{{s}}\n", { s: v("just text", "yaml") }],
  ["yaml var given a list", "a: {{y}}\n", { y: v(["k: 1"], "yaml") }],
  ["yaml var with a long string", "{{y}}\n", { y: v(`long: ${"word ".repeat(40)}\nq: "a'b\\"c"\nm: "l1\\nl2"\n`, "yaml") }],
  ["duplicated key from a yaml var", "a: 1\n{{y}}\n", { y: v("a: 2", "yaml") }],
  ["duplicated quoted key", '"a": 1\n"a": 2\n', {}],
  ["duplicated key with a space", "a : 1\na : 2\n", {}],
  ["duplicated key in a flow mapping", "x: {a: 1, a: 2}\n", {}],
  ["duplicated nested key", "x:\n  a: 1\n  b:\n    c: 1\n  a: 2\n", {}],
  ["blank strings stay blank", "a: {{a}}\nb: {{b}}\nc:\n  d: {{a}}\n", { a: v(" "), b: v("") }],
  ["numbers print as JavaScript prints them", "a: '{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}'\n", { a: v(n("1.0")), b: v(n("-0.0")), c: v(n("1e21")), d: v(n("1.5e-7")), e: v(n("123456789012345678")), f: v(n("0.1")) }],
  ["large integers through YAML", "a: {{a}}\nb: {{to_json b}}\n{{y}}\n", { a: v(n("123456789012345678")), b: v([n("9007199254740993")]), y: v("c: 123456789012345678\nd: 1e400\n", "yaml") }],
  ["lists and objects print with String()", "a: '{{a}}'\nb: '{{b}}'\n", { a: v([{ k: 1 }, [1, [2, 3]], null, true, "x"]), b: v({}) }],
  ["if and unless truthiness", "{{#if o}}a: 1{{/if}}\n{{#if l}}b: 1{{/if}}\n{{#unless z}}c: 1{{/unless}}\n{{#if z includeZero=true}}d: 1{{/if}}\n{{#if s}}e: 1{{else}}e: 0{{/if}}\n", { o: v({}), l: v([]), z: v(0), s: v("") }],
  ["else if chains", "{{#if a}}x: a{{else if b}}x: b{{else}}x: c{{/if}}\n", { b: v(true) }],
  ["each over a list with data variables", "l:\n{{#each l}}\n  - '{{@index}} {{@first}} {{@last}} {{this}}'\n{{/each}}\n", { l: v(["a", "b", "c"]) }],
  ["each over an object", "m:\n{{#each o}}\n  {{@key}}: '{{this}} {{@index}} {{@first}} {{@last}}'\n{{/each}}\n", { o: v({ b: 1, 2: "two", 1: "one", a: [1, 2] }) }],
  ["each with else and block params", "a: [{{#each l as |x i|}}'{{i}}{{x}}',{{else}}none{{/each}}]\nb: {{#each e}}x{{else}}none{{/each}}\n", { l: v(["p", "q"]), e: v([]) }],
  ["each over a string or a number", "a: '{{#each s}}[{{this}}]{{else}}none{{/each}}'\nb: '{{#each n}}x{{else}}none{{/each}}'\n", { s: v("abc"), n: v(5) }],
  ["parent and root paths", "l:\n{{#each l}}\n  - {{../p}}-{{@root.p}}-{{this}}\n{{/each}}\n", { l: v(["a"]), p: v("P") }],
  ["with and lookup", "{{#with o}}a: {{k}}{{/with}}\nb: {{lookup o \"k\"}}\nc: {{lookup l 1}}\n{{#with missing}}d: 1{{else}}d: 0{{/with}}\n", { o: v({ k: "v" }), l: v(["x", "y"]) }],
  ["length of lists, strings and objects", "a: {{l.length}}\nb: {{s.length}}\nc: '{{o.length}}'\nd: '{{n.length}}'\n{{#if e.length}}e: 1{{/if}}\n", { l: v([1, 2, 3]), s: v("h😀"), o: v({ length: 7 }), n: v(5), e: v([]) }],
  ["whitespace control and standalone lines", "a:\n  {{~#if t}} b{{/if~}}\n\nc:\n  {{#each l}}\n  - {{this}}\n  {{/each}}\nd: {{~ s ~}}\n", { t: v(true), l: v(["x"]), s: v(" v ") }],
  ["comments, escapes and triple stashes", "{{! a comment }}\n{{!-- a: {{long}} --}}\na: '\\{{x}}'\nc: '{{{x}}}'\n", { x: v("X") }],
  ["a raw block", "b: '{{{{raw}}}}{{x}}{{{{/raw}}}}'\n", { x: v("X") }, undefined, "handlebars.js calls the unregistered `raw` helper (nothing is printed); the handlebars crate prints the block's text"],
  ["literal segments and this", "a: {{[odd key]}}\nb: {{this.k}}\nc: {{./k}}\nd: '{{l.[1]}}'\n", { "odd key": v("o"), k: v("K"), l: v(["x", "y"]) }],
  ["meta variables", "a: {{_meta.package.name}}\nb: '{{_meta.stream.id}}'\nc: '{{_meta.agent.version}}'\nd: '{{_meta.input.id}}'\ne: {{_meta.stream.data_stream.dataset}}\n", {}],
  ["a block section over a var", "a: {{#o}}{{k}}{{/o}}\nb: '{{#l}}[{{this}}]{{/l}}'\nc: '{{#m}}x{{else}}none{{/m}}'\n", { o: v({ k: "v" }), l: v(["x", "y"]) }, undefined, "handlebars.js renders `{{#name}}` of a var that is not a helper as a Mustache section (blockHelperMissing); fleetup reports `Missing helper`"],
  ["an inverted section", "c: '{{^m}}none{{/m}}'\n", {}, undefined, "the handlebars crate does not parse `{{^name}}…{{/name}}` (a Handlebars syntax error in fleetup)"],
  ["missing helper", "a: {{nohelper x}}\n", { x: v(1) }],
  ["missing partial", "a: {{> part}}\n", {}],
  ["syntax error", "a: {{#if x}}\n", {}],
  ["helper given too few arguments", "a: '{{escape_string}}'\nb: '{{url_encode}}'\nc: '{{contains \"a\"}}'\n", {}],
  ["escape_string with no argument as a block", "a: {{#escape_string}}x{{/escape_string}}\n", {}],
  ["escape helpers", "a: {{escape_string s}}\nb: '{{escape_multiline_string s}}'\nc: {{escape_string e}}\nd:\n  e: {{escape_string o}}\n", { s: v("it's #x"), e: v(""), o: v("one two") }],
  ["escape_string of multi-line text under a key", "d:\n  e: {{escape_string o}}\n", { o: v("one\ntwo") }, undefined, "YAML reader, as for the root: the continuation line `two` is not indented past `e`"],
  ["escape_string of multi-line text at the root", "a: {{escape_string s}}\n", { s: v("it's\r\nmulti\nline: #x") }, undefined, "YAML reader (yaml-rust2's scanner): a multi-line quoted scalar whose continuation lines are not indented past its key is rejected; js-yaml accepts it"],
  ["escape_string of a non-string", "a: {{escape_string l}}\n", { l: v(["x"]) }],
  ["to_json", "a: {{to_json o}}\nb: {{to_json s}}\nc: '{{to_json m}}'\nd: {{to_json n}}\ne: {{to_json t}}\nf: {{to_json z}}\n", { o: v({ k: [n("1.0"), "x", null] }), s: v('{"raw": 1}'), n: v(n("2.50")), t: v(true), z: v(null) }],
  ["url_encode", "a: {{url_encode s}}\nb: {{url_encode n}}\nc: {{url_encode m}}\nd: {{url_encode l}}\n", { s: v("a b&c/d?e=f!'()*~ ü😀"), n: v(n("1.0")), l: v(["a b", "c"]) }],
  ["contains", "a: '{{contains 1 l}}'\nb: '{{contains \"1\" l}}'\nc: '{{contains 1 s}}'\nd: '{{contains m s2}}'\ne: '{{contains \"a\" o}}'\n{{#contains \"x\" l}}f: 1{{else}}f: 0{{/contains}}\n", { l: v([n("1.0"), "x"]), s: v("a1"), s2: v("xundefinedx"), o: v({ a: 1 }) }],
  ["contains in a subexpression", "a: {{to_json (contains \"a\" l)}}\n", { l: v(["a"]) }],
  ["semverSatisfies with an agent version", "a: {{#semverSatisfies _meta.agent.version \"^8.15.0\"}}new{{else}}old{{/semverSatisfies}}\nb: {{#semverSatisfies _meta.agent.version \"not a range\"}}new{{else}}old{{/semverSatisfies}}\nc: {{#semverSatisfies v \">=1.2\"}}new{{else}}old{{/semverSatisfies}}\n", { v: v("garbage") }, "8.16.0-SNAPSHOT"],
  ["semverSatisfies without an agent version", "a: {{#semverSatisfies _meta.agent.version \"*\"}}new{{else}}old{{/semverSatisfies}}\n", {}],
  ["dotted names nest", "a: {{x.y.z}}\nb: '{{x.w}}'\n", { "x.y.z": v(1), "x.w": v("w") }],
  ["a dotted name under a string", "a: 1\n", { x: v("str"), "x.y": v(1) }],
  ["an empty name part", "a: '{{x}}'\n", { "x..y": v(1) }],
  ["a forbidden name", "a: 1\n", { "a.constructor": v(1) }],
  ["var entries that are not objects", "a: '{{x}}{{y}}{{z}}'\n", { x: 5, y: "text", z: [1] }],
  ["a null var entry", "a: 1\n", { x: null }],
  ["secret references", "a: {{s}}\nb: {{m}}\nc: '{{u}}'\n", { s: v({ isSecretRef: true, id: "abc" }), m: v({ isSecretRef: true, ids: ["i1", "i2"] }), u: v({ isSecretRef: true }) }],
  ["secret reference with ids that are not a list", "a: {{s}}\n", { s: v({ isSecretRef: true, id: "x", ids: "nope" }) }],
  ["a template that renders a list", "- a\n- {{x}}\n", { x: v("b") }],
  ["a template that renders a scalar", "{{x}}\n", { x: v("hello") }],
  ["a template that renders nothing", "{{#if x}}a: 1{{/if}}\n", {}],
  ["a multi-document template", "a: 1\n---\nb: 2\n", {}],
  ["unicode and hostile text in place", "a: {{a}}\nb: '{{b}}'\nc: \"{{c}}\"\n", { a: v("ünï ✓ 😀 </script>"), b: v("it''s"), c: v('say \\"hi\\"') }],
];

/** The corpus package versions that have agent templates, as `{name, version, dir}`. */
function corpusVersions() {
  const root = join(sharedDir, "corpus", "packages");
  const out = [];
  for (const name of readdirSync(root).sort()) {
    for (const version of readdirSync(join(root, name)).sort()) {
      out.push({ name, version, dir: join(root, name, version) });
    }
  }
  return out;
}

/** Every `.hbs` file of a package version, as paths relative to the version folder. */
function templatesOf(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d).sort()) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".hbs")) out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out;
}

const pathsOf = (def) =>
  Array.isArray(def?.template_paths) && def.template_paths.length > 0
    ? def.template_paths
    : def?.template_path
      ? [def.template_path]
      : [];

/**
 * Where the default policy uses the template: `[{input, stream}]` (stream null for an input
 * template of an integration package). Templates no stream or input names get the package vars
 * (and, for a stream template, those of the first stream of its data stream): `unused: true`.
 */
function usagesOf(path, info, policy) {
  const inputs = policy.inputs ?? [];
  const parts = path.split("/");
  const file = parts[parts.length - 1];
  const usages = [];
  if (parts[0] === "data_stream") {
    const ds = (info.data_streams ?? []).find((d) => d.path === parts[1]);
    const streamOf = (input) => input.streams?.find((s) => s.data_stream?.dataset === ds?.dataset);
    for (const def of ds?.streams ?? []) {
      if (!pathsOf(def).includes(file)) continue;
      for (const input of inputs) {
        const stream = input.type === def.input ? streamOf(input) : undefined;
        if (stream) usages.push({ input, stream });
      }
    }
    if (usages.length === 0) {
      const input = inputs.find((i) => streamOf(i));
      return [{ input: input ?? null, stream: input ? streamOf(input) : null, unused: true }];
    }
    return usages;
  }
  for (const pt of info.policy_templates ?? []) {
    if (info.type === "input") {
      if (!pathsOf(pt).includes(file)) continue;
      for (const input of inputs) {
        if (input.policy_template === pt.name && input.type === pt.input) {
          usages.push({ input, stream: input.streams?.[0] ?? null });
        }
      }
      continue;
    }
    for (const def of pt.inputs ?? []) {
      if (!pathsOf(def).includes(file)) continue;
      for (const input of inputs) {
        if (input.type === def.type && (!input.policy_template || input.policy_template === pt.name)) {
          usages.push({ input, stream: null });
        }
      }
    }
  }
  return usages.length > 0 ? usages : [{ input: null, stream: null, unused: true }];
}

/** package ⊕ input ⊕ stream var entries, with `data_stream.dataset` when absent. */
function mergedVars(policy, usage) {
  const vars = { ...(policy.vars ?? {}), ...(usage.input?.vars ?? {}), ...(usage.stream?.vars ?? {}) };
  const dataset = usage.stream?.data_stream?.dataset;
  if (dataset && !("data_stream.dataset" in vars)) vars["data_stream.dataset"] = { type: "text", value: dataset };
  return structuredClone(vars);
}

const isProcessors = (name) => name.includes("processors");

/** The value of var `name` (index `i`) in `variant`. */
function variantValue(variant, name, entry, i) {
  const { type } = entry;
  const current = entry.value;
  if (variant === "custom") {
    if (type === "yaml") {
      return isProcessors(name)
        ? "- add_tags:\n    tags: [set-by-user]\n    target: ''\n- drop_fields:\n    fields: [\"a\", \"b\"]\n"
        : "# set by the user\ncustom_key: custom_value\nnested:\n  list: [1, 2.5, 'x']\n  flag: true\n";
    }
    if (type === "bool") return typeof current === "boolean" ? !current : true;
    if (type === "integer") return new Literal("1.0");
    if (type === "password") return { isSecretRef: true, id: `secret-${i}` };
    if (Array.isArray(current)) return [...current, "custom: entry", "it's #1"];
    if (type === "textarea") return "first line\nsecond: line 'two'";
    if (typeof current === "number") return new Literal(`${current}.0`);
    if (typeof current === "string") return `${current}-custom#1 "q" it's`;
    return "custom-value";
  }
  if (variant === "blank") {
    if (type === "yaml") return "";
    if (type === "bool") return false;
    if (type === "integer" || typeof current === "number") return 0;
    if (Array.isArray(current)) return [];
    return " ";
  }
  // hostile-k: a different slice of the pools for each k.
  const k = Number(variant.split("-")[1]);
  const pick = (pool, offset = 0) => pool[(i * 3 + k * 7 + offset) % pool.length];
  if (type === "yaml") return pick(HOSTILE_YAML);
  if (type === "bool") return k === 2 ? "false" : k === 1;
  if (type === "integer" || typeof current === "number") return new Literal(pick(HOSTILE_NUMBERS));
  if (type === "password" && k === 1) return { isSecretRef: true, ids: [`s-${i}-a`, `s-${i}-b`] };
  if (Array.isArray(current) || entry.multi) return [pick(HOSTILE_TEXT), pick(HOSTILE_TEXT, 1), pick(HOSTILE_TEXT, 2)];
  return pick(HOSTILE_TEXT);
}

function varsFor(variant, base) {
  if (variant === "default") return base;
  const out = {};
  Object.entries(base).forEach(([name, entry], i) => {
    out[name] = name === "data_stream.dataset" ? entry : { ...entry, value: variantValue(variant, name, entry, i) };
  });
  return out;
}

const AGENT_VERSIONS = {
  default: "8.15.0",
  custom: "9.3.1-SNAPSHOT",
  blank: undefined,
  "hostile-0": "7.17.0",
  "hostile-1": undefined,
  "hostile-2": "v9.0",
};

/** The request text: JSON with every Literal written out as its literal number. */
function requestText(args) {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify({ op: "agent.compile_template", args }).replace(/"\\u0000literal:([^\\]*)\\u0000"/g, "$1");
}

/** What the Kibana side sees: the same request after JSON (Literals become numbers). */
const asKibanaSees = (text) => JSON.parse(text).args;

const KIBANA_MESSAGES = [/^Error while compiling agent template: Invalid key /, /^YAMLException: Duplicated key /];

/** How two outcomes differ: null when they agree. */
export function compare(js, rs) {
  if ("ok" in js && "ok" in rs) {
    return isDeepStrictEqual(js.ok, rs.ok) ? null : { kind: "value" };
  }
  if ("ok" in js || "ok" in rs) return { kind: "outcome" };
  const expected = js.error.stage === "yaml" ? "PACKAGE_POLICY_VALIDATION" : "TEMPLATE_ERROR";
  if (rs.error.code !== expected) return { kind: "error_kind", expected };
  if (KIBANA_MESSAGES.some((re) => re.test(js.error.message)) && js.error.message !== rs.error.message) {
    return { kind: "message" };
  }
  return js.error.message === rs.error.message ? null : { kind: "other_message", informational: true };
}

/**
 * Runs the whole comparison. Returns `{versions, templates, unused, cases, ok, errors,
 * mismatches, messageDifferences}`; each mismatch carries the case's inputs and both outcomes.
 */
export async function runParity({ corpus = true, synthetic = true, variants = VARIANTS } = {}) {
  await init();
  // The agent.* operations live in the agent module (web/pkg-agent), not in the core module.
  const { callJson } = await loadAgentModule();
  const summary = {
    versions: 0,
    templates: 0,
    unused: 0,
    cases: 0,
    synthetic: 0,
    ok: 0,
    errors: 0,
    mismatches: [],
    knownDivergences: [],
    messageDifferences: [],
  };
  for (const { name, version, dir } of corpus ? corpusVersions() : []) {
    const paths = templatesOf(dir);
    if (paths.length === 0) continue;
    summary.versions += 1;
    const info = loadPackage(dir, `${name}-${version}`);
    const policy = defaultPolicy(info, `${name}-1`);
    const pkg = { name: info.name, title: info.title, version: info.version };
    for (const path of paths) {
      summary.templates += 1;
      const template = readFileSync(join(dir, path), "utf8");
      const usages = usagesOf(path, info, policy);
      if (usages[0].unused) summary.unused += 1;
      for (const usage of usages) {
        const base = mergedVars(policy, usage);
        const inputId = usage.input ? `${usage.input.type}-${usage.input.policy_template ?? name}-pp-1` : "";
        const ds = usage.stream?.data_stream ?? {};
        const streamId = usage.stream ? `${usage.input.type}-${ds.dataset}-pp-1` : "";
        for (const variant of variants) {
          const agentVersion = AGENT_VERSIONS[variant];
          const text = requestText({
            template,
            vars: varsFor(variant, base),
            package: pkg,
            input: { id: inputId },
            stream: { id: streamId, data_stream: { dataset: ds.dataset ?? "", type: ds.type ?? "" } },
            ...(agentVersion ? { agent_version: agentVersion } : {}),
          });
          const args = asKibanaSees(text);
          const meta = {
            package: pkg,
            stream: { id: streamId, data_stream: { dataset: ds.dataset ?? "", type: ds.type ?? "" } },
            input: { id: inputId },
            agent: { version: agentVersion },
          };
          const js = kibanaCompile(args.vars, meta, template);
          const rs = JSON.parse(callJson(text));
          summary.cases += 1;
          if ("ok" in js) summary.ok += 1;
          else summary.errors += 1;
          const diff = compare(js, rs);
          if (!diff) continue;
          const record = {
            case: `${name} ${version} ${path}${usage.stream ? ` [${usage.input.type} ${ds.dataset}]` : usage.input ? ` [${usage.input.type}]` : ""} (${variant})`,
            ...diff,
            kibana: js,
            fleetup: rs,
            request: text,
          };
          if (diff.informational) summary.messageDifferences.push(record);
          else summary.mismatches.push(record);
        }
      }
    }
  }
  for (const [name, template, vars, agentVersion, known] of synthetic ? SYNTHETIC : []) {
    const text = requestText({
      template,
      vars,
      package: { name: "synthetic", title: "Synthetic", version: "1.0.0" },
      input: { id: "logfile-synthetic" },
      stream: { id: "logfile-synthetic.log", data_stream: { dataset: "synthetic.log", type: "logs" } },
      ...(agentVersion ? { agent_version: agentVersion } : {}),
    });
    const meta = {
      package: { name: "synthetic", title: "Synthetic", version: "1.0.0" },
      stream: { id: "logfile-synthetic.log", data_stream: { dataset: "synthetic.log", type: "logs" } },
      input: { id: "logfile-synthetic" },
      agent: { version: agentVersion },
    };
    const js = kibanaCompile(asKibanaSees(text).vars, meta, template);
    const rs = JSON.parse(callJson(text));
    summary.synthetic += 1;
    const diff = compare(js, rs);
    const record = { case: `synthetic: ${name}`, ...diff, kibana: js, fleetup: rs, request: text };
    if (known) {
      // A recorded divergence must still diverge: when it stops, its note is stale.
      if (diff && !diff.informational) summary.knownDivergences.push({ ...record, known });
      else summary.mismatches.push({ ...record, kind: "known_divergence_gone", known });
      continue;
    }
    if (!diff) continue;
    if (diff.informational) summary.messageDifferences.push(record);
    else summary.mismatches.push(record);
  }
  return summary;
}

/** A short, readable line per mismatch (values cut to keep the output small). */
export function describe(m) {
  const cut = (v) => {
    const s = JSON.stringify(v);
    return s.length > 400 ? `${s.slice(0, 400)}…` : s;
  };
  return `${m.case}: ${m.kind}\n  kibana:  ${cut(m.kibana)}\n  fleetup: ${cut(m.fleetup)}`;
}

export function writeReport(summary) {
  const dir = join(repoDir, "target", "agent-parity");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "report.json");
  writeFileSync(file, JSON.stringify(summary, null, 1));
  return file;
}

if (process.argv[1] && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!hasShared()) console.log("../shared is absent: synthetic cases only");
  const summary = await runParity({ corpus: hasShared() });
  const file = writeReport(summary);
  for (const m of summary.mismatches.slice(0, 40)) console.log(describe(m));
  console.log(
    `${summary.templates} templates (${summary.unused} not used by a default policy) in ${summary.versions} versions; ` +
      `${summary.cases} cases (${summary.ok} compile, ${summary.errors} fail in Kibana), ${summary.synthetic} synthetic; ` +
      `${summary.mismatches.length} mismatches, ${summary.knownDivergences.length} known divergences, ` +
      `${summary.messageDifferences.length} other messages differ. Report: ${file}`,
  );
  process.exit(summary.mismatches.length === 0 ? 0 : 1);
}
