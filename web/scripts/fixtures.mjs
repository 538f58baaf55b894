// Review fixtures for the demo, the browser tests and the benchmarks, made at run time:
// PackageInfo JSON from the CLI (`fleetup package show DIR --json`, which runs the core's
// `package.load`), and each current policy from the core's `fleet.package_to_package_policy`.
// Corpus pairs come from ../shared and are left out (with a message) when it is absent.
// Each fixture also carries both versions' agent templates (`agentTemplates`,
// `currentAgentTemplates`), read from the package directories in the shape of the core's
// `package.agent_templates` (web/test/api.test.mjs checks the two agree).

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve as resolvePath, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { init, invoke, parseYaml } from "../src/index.js";

export const webDir = resolvePath(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = resolvePath(webDir, "..");
export const sharedDir = resolvePath(repoDir, "..", "shared");
const cacheDir = join(repoDir, "target", "web-fixtures");

/** The corpus pairs the acceptance criteria name. */
export const CORPUS_PAIRS = [
  ["windows", "1.5.1", "1.6.0"],
  ["fleet_server", "0.1.7", "0.2.0"],
  ["aws", "1.23.4", "1.28.0"],
  // Container logs move from the logfile input to filestream: the agent configuration tab's case.
  ["kubernetes", "1.3.3", "1.4.0"],
];

export function hasShared() {
  return existsSync(join(sharedDir, "corpus", "packages"));
}

let cliPath = null;

/** The fleetup CLI: the debug build, built once on demand. */
function cli() {
  if (cliPath) return cliPath;
  const bin = join(repoDir, "target", "debug", process.platform === "win32" ? "fleetup.exe" : "fleetup");
  execFileSync("cargo", ["build", "-q", "-p", "fleetup-cli"], { cwd: repoDir, stdio: ["ignore", "inherit", "inherit"] });
  cliPath = bin;
  return bin;
}

/** PackageInfo of a package directory, cached under target/web-fixtures. */
export function loadPackage(dir, cacheName) {
  mkdirSync(cacheDir, { recursive: true });
  const cached = join(cacheDir, `${cacheName}.json`);
  if (existsSync(cached) && statSync(cached).mtimeMs >= statSync(join(dir, "manifest.yml")).mtimeMs) {
    const bin = join(repoDir, "target", "debug", "fleetup");
    // A CLI rebuilt since the cache was written may load packages differently.
    if (!existsSync(bin) || statSync(bin).mtimeMs <= statSync(cached).mtimeMs) {
      return JSON.parse(readFileSync(cached, "utf8"));
    }
  }
  const text = execFileSync(cli(), ["package", "show", dir, "--json"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const info = JSON.parse(text);
  writeFileSync(cached, JSON.stringify(info));
  return info;
}

/** A package's changelog.yml parsed by the core's YAML reader (null when it has none). */
export function loadChangelog(dir) {
  const file = join(dir, "changelog.yml");
  return existsSync(file) ? parseYaml(readFileSync(file, "utf8")) : null;
}

/**
 * The agent templates of a package directory, `{path relative to the package: text}`: every
 * `.hbs` file under `agent/<kind>/` or `data_stream/<name>/agent/<kind>/`, as the core's
 * `package.agent_templates` reads them (paths with `/`, sorted).
 */
export function loadAgentTemplates(dir) {
  const out = {};
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".hbs")) {
        const rel = relative(dir, full).split(sep).join("/");
        const parts = rel.split("/");
        const isTemplate =
          (parts[0] === "agent" && parts.length >= 3) || (parts[0] === "data_stream" && parts[2] === "agent" && parts.length >= 5);
        if (isTemplate) out[rel] = readFileSync(full, "utf8");
      }
    }
  };
  walk(dir);
  return out;
}

/** A fresh policy of `info` with every input and stream as Fleet creates it. */
export function defaultPolicy(info, name) {
  const policy = invoke("fleet.package_to_package_policy", {
    package_info: info,
    agent_policy_ids: ["agent-policy-1"],
    namespace: "default",
    name,
  });
  policy.id = `${name}-id`;
  return policy;
}

/**
 * Every review fixture: `{id, title, currentPolicy, currentPackage, targetPackage, changelog,
 * currentAgentTemplates, agentTemplates}`.
 * The bundled example uses its hand-written policy; corpus pairs a default policy.
 */
export async function reviewFixtures({ corpus = true } = {}) {
  await init();
  const out = [];
  const ex = join(repoDir, "examples");
  const oldEx = loadPackage(join(ex, "packages", "acme_web-1.4.0"), "acme_web-1.4.0");
  const newEx = loadPackage(join(ex, "packages", "acme_web-2.0.0"), "acme_web-2.0.0");
  const policies = JSON.parse(readFileSync(join(ex, "policies.json"), "utf8"));
  const first = Array.isArray(policies.items) ? policies.items[0] : policies[0];
  out.push({
    id: "acme_web",
    title: "Bundled example: acme_web 1.4.0 → 2.0.0",
    currentPolicy: first,
    currentPackage: oldEx,
    targetPackage: newEx,
    changelog: loadChangelog(join(ex, "packages", "acme_web-2.0.0")),
    currentAgentTemplates: loadAgentTemplates(join(ex, "packages", "acme_web-1.4.0")),
    agentTemplates: loadAgentTemplates(join(ex, "packages", "acme_web-2.0.0")),
  });
  if (corpus && hasShared()) {
    for (const [name, from, to] of CORPUS_PAIRS) {
      const root = join(sharedDir, "corpus", "packages", name);
      const oldInfo = loadPackage(join(root, from), `${name}-${from}`);
      const newInfo = loadPackage(join(root, to), `${name}-${to}`);
      out.push({
        id: `${name}-${from}-${to}`,
        title: `${name} ${from} → ${to}`,
        currentPolicy: defaultPolicy(oldInfo, `${name}-1`),
        currentPackage: oldInfo,
        targetPackage: newInfo,
        changelog: loadChangelog(join(root, to)),
        currentAgentTemplates: loadAgentTemplates(join(root, from)),
        agentTemplates: loadAgentTemplates(join(root, to)),
      });
    }
  }
  return out;
}

// `node web/scripts/fixtures.mjs` writes every fixture to target/web-fixtures/reviews.json.
if (process.argv[1] && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const all = await reviewFixtures();
  if (!hasShared()) console.log("../shared is absent: only the bundled example is included");
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, "reviews.json"), JSON.stringify(all));
  console.log(`wrote ${all.length} fixtures to ${join(cacheDir, "reviews.json")}`);
}

/**
 * A copy of a windows policy with its httpjson (Splunk) input and streams enabled and `secret`
 * as the password: a secret that reaches the compiled agent configuration, for the masking tests.
 */
export function plantWindowsPassword(policy, secret) {
  const out = structuredClone(policy);
  const input = out.inputs.find((i) => i.type === "httpjson");
  if (!input) throw new Error("no httpjson input in this policy");
  input.enabled = true;
  for (const st of input.streams) st.enabled = true;
  input.vars.username = { ...(input.vars.username ?? { type: "text" }), value: "splunk-user" };
  input.vars.password = { ...(input.vars.password ?? { type: "password" }), value: secret };
  return out;
}
