// The fleetup JS API: the WebAssembly core behind a small, idempotent `init()`.
//
// Every function below (except `init`) needs `init()` to have resolved first; they are
// synchronous after that, because the core itself is synchronous and has no I/O.

import initWasm, * as wasm from "../pkg/fleetup_wasm.js";

let ready = null;

function isNode() {
  return typeof process !== "undefined" && Boolean(process.versions && process.versions.node);
}

/**
 * Loads and instantiates the WebAssembly module once; later calls return the same promise.
 * `input` may be a URL, a Response, bytes or a compiled `WebAssembly.Module`; by default the
 * `.wasm` next to the glue is fetched (in Node it is read from disk, since Node's fetch has no
 * `file:` support).
 */
export function init(input) {
  if (ready) return ready;
  ready = (async () => {
    let source = input;
    if (source === undefined && isNode()) {
      const { readFile } = await import("node:fs/promises");
      source = await readFile(new URL("../pkg/fleetup_wasm_bg.wasm", import.meta.url));
    }
    await initWasm(source === undefined ? undefined : { module_or_path: source });
  })();
  // A failed load may be retried (e.g. after a network error).
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

/** Whether `init()` has completed. */
export function isReady() {
  try {
    wasm.version();
    return true;
  } catch {
    return false;
  }
}

/** Runs a request `{op, args}` and returns the envelope `{ok}` or `{error}`; never throws for bad input. */
export const call = (request) => wasm.call(request);

/** Runs a request given as JSON text; returns the envelope as JSON text. */
export const callJson = (text) => wasm.callJson(text);

/** Runs a request given as UTF-8 bytes; returns the envelope as UTF-8 bytes. */
export const callBytes = (bytes) => wasm.callBytes(bytes);

/** Runs operation `op` on `args`; returns the result or throws a `FleetupError`. */
export const invoke = (op, args = {}) => wasm.invoke(op, args);

/** node-semver `satisfies`. */
export const satisfies = (version, range, options) => wasm.satisfies(version, range, options);

/** node-semver `compare`: -1, 0 or 1. */
export const compare = (a, b, options) => wasm.compare(a, b, options);

/** Fleet's upgrade dry run for one policy. */
export const dryRun = (packagePolicy, packageInfo) => wasm.dryRun(packagePolicy, packageInfo);

/** The upgrade plan of one policy (`plan.policy`). */
export const planPolicy = (args) => wasm.planPolicy(args);

/** Applies conflict-resolution edits and re-validates (`plan.resolve`). */
export const resolve = (args) => wasm.resolve(args);

/** Kibana's `validatePackagePolicy`. */
export const validate = (packagePolicy, packageInfo) => wasm.validate(packagePolicy, packageInfo);

/** Parses YAML as Kibana's js-yaml does; throws `INVALID_YAML` with line and column. */
export const parseYaml = (text) => wasm.parseYaml(text);

/** The fleetup version of the WebAssembly build. */
export const version = () => wasm.version();

/** The text that replaces secret values everywhere fleetup shows them. */
export const MASK = "********";

// ---- The agent module (web/pkg-agent): the core plus the Handlebars engine, loaded on demand. ----
//
// It is a second WebAssembly module (~360 KB gzipped) with the same wasm-bindgen API as the core
// and, in addition, the `agent.*` operations. Nothing imports it statically: `loadAgentModule`
// (or the first `agentDiff` / `standaloneInputs`) fetches it, so pages that never show agent
// configuration never download it. Bundlers turn the dynamic `import()` into a separate chunk.

let agentReady = null;

/**
 * Loads and instantiates the agent module once; later calls return the same promise (whatever
 * `input` they pass). `input` follows `init`: a URL, a Response, bytes or a compiled
 * `WebAssembly.Module`; by default `pkg-agent/fleetup_wasm_agent_bg.wasm` next to the glue
 * (read from disk in Node). Resolves to a handle whose functions are synchronous.
 */
export function loadAgentModule(input) {
  if (agentReady) return agentReady;
  agentReady = (async () => {
    const mod = await import("../pkg-agent/fleetup_wasm_agent.js");
    let source = input;
    if (source === undefined && isNode()) {
      const { readFile } = await import("node:fs/promises");
      source = await readFile(new URL("../pkg-agent/fleetup_wasm_agent_bg.wasm", import.meta.url));
    }
    await mod.default(source === undefined ? undefined : { module_or_path: source });
    return agentHandle(mod);
  })();
  // A failed load may be retried (e.g. after a network error).
  agentReady.catch(() => {
    agentReady = null;
  });
  return agentReady;
}

function agentHandle(mod) {
  const invokeAgent = (op, args = {}) => mod.invoke(op, args);
  return Object.freeze({
    /** Envelope form, as `call`. */
    call: (request) => mod.call(request),
    /** JSON text in, envelope as JSON text out, as `callJson`. */
    callJson: (text) => mod.callJson(text),
    /** Result or throws a `FleetupError`, as `invoke`; every core op plus `agent.*`. */
    invoke: invokeAgent,
    /** `agent.diff`: what the agents run before and after the upgrade (secrets masked). */
    agentDiff: (args) => invokeAgent("agent.diff", args),
    /** `agent.standalone_inputs`: the `inputs:` of a standalone elastic-agent.yml (real values). */
    standaloneInputs: (args) => invokeAgent("agent.standalone_inputs", args),
    /** `agent.standalone_upgrade`: a hand-edited elastic-agent.yml carried to a new version. */
    standaloneUpgrade: (args) => invokeAgent("agent.standalone_upgrade", args),
    /** `agent.compile_template`: one template compiled as Kibana's `compileTemplate`. */
    compileTemplate: (args) => invokeAgent("agent.compile_template", args),
    /** The fleetup version of the agent module's build. */
    version: () => mod.version(),
  });
}

/** `agent.diff` through the agent module, loading it on first use. */
export async function agentDiff(args) {
  return (await loadAgentModule()).agentDiff(args);
}

/** `agent.standalone_inputs` through the agent module, loading it on first use. */
export async function standaloneInputs(args) {
  return (await loadAgentModule()).standaloneInputs(args);
}
