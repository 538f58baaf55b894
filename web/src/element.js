// <fleetup-upgrade-review>: review what an integration upgrade does to one package policy, fix
// its conflicts in place and hand the resolved policy to the page.
//
// Rules this file keeps:
// - every piece of data reaches the DOM through `textContent`, `value` or attribute setters on
//   elements created here, never through HTML parsing, so hostile values stay text;
// - secret values are never written anywhere in the DOM: change records arrive masked from the
//   core, policies are masked here before they are shown, and secret editors start empty;
// - all decisions (conflicts, validation, the final policy) come from the core via `resolve`,
//   so the widget shows exactly what Fleet would do.

import { init, resolve, invoke, parseYaml, loadAgentModule, MASK } from "./index.js";

const FILTERS = [
  ["conflicts", "Conflicts only"],
  ["changes", "All changes"],
  ["all", "All fields"],
];

// Longest value shown inline; the rest is summarised so one huge string cannot swamp the page.
const MAX_SHOWN_CHARS = 2000;

// Quiet time after an edit before the agent configuration is compiled again (while it is open).
const AGENT_DEBOUNCE_MS = 300;

const STYLE = `
:host {
  --fleetup-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --fleetup-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  --fleetup-bg: #ffffff;
  --fleetup-surface: #f5f7fa;
  --fleetup-fg: #1a1c21;
  --fleetup-muted: #535966;
  --fleetup-border: #c9ced8;
  --fleetup-accent: #0b64dd;
  --fleetup-accent-fg: #ffffff;
  --fleetup-conflict: #a71627;
  --fleetup-conflict-bg: #fde8ea;
  --fleetup-attention: #7a4d00;
  --fleetup-attention-bg: #fff4d6;
  --fleetup-info: #1d4f91;
  --fleetup-info-bg: #e6f0fc;
  --fleetup-ok: #006b4f;
  --fleetup-added-bg: #e3f5ec;
  --fleetup-removed-bg: #fde8ea;
  --fleetup-radius: 6px;
  --fleetup-focus: #0b64dd;
  display: block;
  font-family: var(--fleetup-font);
  color: var(--fleetup-fg);
  background: var(--fleetup-bg);
  line-height: 1.45;
  font-size: 14px;
}
:host([theme="dark"]) {
  --fleetup-bg: #16171c;
  --fleetup-surface: #1f2128;
  --fleetup-fg: #e8eaef;
  --fleetup-muted: #a8afbd;
  --fleetup-border: #454b58;
  --fleetup-accent: #61a2ff;
  --fleetup-accent-fg: #0b1220;
  --fleetup-conflict: #ff9aa5;
  --fleetup-conflict-bg: #3d1a20;
  --fleetup-attention: #ffd27a;
  --fleetup-attention-bg: #3a2d10;
  --fleetup-info: #9cc3ff;
  --fleetup-info-bg: #15273f;
  --fleetup-ok: #6fe0b8;
  --fleetup-added-bg: #12301f;
  --fleetup-removed-bg: #3d1a20;
  --fleetup-focus: #8fbcff;
}
@media (prefers-color-scheme: dark) {
  :host(:not([theme="light"])) {
    --fleetup-bg: #16171c;
    --fleetup-surface: #1f2128;
    --fleetup-fg: #e8eaef;
    --fleetup-muted: #a8afbd;
    --fleetup-border: #454b58;
    --fleetup-accent: #61a2ff;
    --fleetup-accent-fg: #0b1220;
    --fleetup-conflict: #ff9aa5;
    --fleetup-conflict-bg: #3d1a20;
    --fleetup-attention: #ffd27a;
    --fleetup-attention-bg: #3a2d10;
    --fleetup-info: #9cc3ff;
    --fleetup-info-bg: #15273f;
    --fleetup-ok: #6fe0b8;
    --fleetup-added-bg: #12301f;
    --fleetup-removed-bg: #3d1a20;
    --fleetup-focus: #8fbcff;
  }
}
* { box-sizing: border-box; }
.root { padding: 16px; }
h2 { font-size: 1.25rem; margin: 0 0 4px; }
h3 { font-size: 1.05rem; margin: 0; }
h4 { font-size: 0.95rem; margin: 0; overflow-wrap: anywhere; }
p { margin: 4px 0; }
.muted { color: var(--fleetup-muted); }
.versions { font-family: var(--fleetup-mono); }
.callout {
  border: 1px solid var(--fleetup-attention);
  background: var(--fleetup-attention-bg);
  border-radius: var(--fleetup-radius);
  padding: 10px 12px;
  margin: 12px 0;
}
a { color: var(--fleetup-accent); }
.callout ul { margin: 6px 0; padding-left: 20px; }
.summary { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.stat {
  border: 1px solid var(--fleetup-border);
  border-radius: var(--fleetup-radius);
  padding: 8px 12px;
  min-width: 110px;
  background: var(--fleetup-surface);
}
.stat strong { display: block; font-size: 1.3rem; }
.stat.conflicts strong { color: var(--fleetup-conflict); }
fieldset.filter { border: none; padding: 0; margin: 8px 0; display: flex; gap: 14px; flex-wrap: wrap; }
fieldset.filter legend { font-weight: 600; margin-bottom: 4px; padding: 0; }
.group {
  border: 1px solid var(--fleetup-border);
  border-radius: var(--fleetup-radius);
  margin: 12px 0;
  background: var(--fleetup-bg);
}
.group > header {
  padding: 8px 12px;
  background: var(--fleetup-surface);
  border-bottom: 1px solid var(--fleetup-border);
  border-radius: var(--fleetup-radius) var(--fleetup-radius) 0 0;
  display: flex; justify-content: space-between; gap: 8px; align-items: center; flex-wrap: wrap;
}
.change { padding: 10px 12px; border-top: 1px solid var(--fleetup-border); }
.change:first-of-type { border-top: none; }
.change.conflict { border-left: 4px solid var(--fleetup-conflict); }
.change.attention { border-left: 4px solid var(--fleetup-attention); }
.change.info, .change.unchanged { border-left: 4px solid transparent; }
.title-row { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.badge {
  display: inline-block;
  font-size: 0.75rem;
  border-radius: 999px;
  padding: 1px 8px;
  border: 1px solid currentColor;
  white-space: nowrap;
}
.badge.conflict { color: var(--fleetup-conflict); background: var(--fleetup-conflict-bg); }
.badge.attention { color: var(--fleetup-attention); background: var(--fleetup-attention-bg); }
.badge.info, .badge.unchanged { color: var(--fleetup-info); background: var(--fleetup-info-bg); }
.values { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 6px 0; }
.values dt { color: var(--fleetup-muted); }
.values dd { margin: 0; font-family: var(--fleetup-mono); white-space: pre-wrap; overflow-wrap: anywhere; }
.editor { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
.editor label { font-weight: 600; }
input[type="text"], input[type="password"], input[type="number"], textarea, select {
  font: inherit;
  color: var(--fleetup-fg);
  background: var(--fleetup-bg);
  border: 1px solid var(--fleetup-border);
  border-radius: 4px;
  padding: 5px 8px;
  max-width: 100%;
}
textarea { font-family: var(--fleetup-mono); min-height: 5em; width: 100%; }
input[type="text"], input[type="password"] { width: min(100%, 32rem); }
.multi-row { display: flex; gap: 6px; align-items: center; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
button {
  font: inherit;
  border-radius: 4px;
  border: 1px solid var(--fleetup-accent);
  color: var(--fleetup-accent);
  background: transparent;
  padding: 4px 10px;
  cursor: pointer;
}
button.primary {
  background: var(--fleetup-accent);
  color: var(--fleetup-accent-fg);
  font-weight: 600;
  padding: 8px 16px;
}
button:disabled { opacity: 0.55; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--fleetup-focus); outline-offset: 2px; }
.error-text { color: var(--fleetup-conflict); }
.ok-text { color: var(--fleetup-ok); }
.previous, .agent-config { margin: 16px 0; }
.previous summary, .agent-config summary { cursor: pointer; font-weight: 600; }
.agent-config .summary .stat { min-width: 90px; }
.agent-config .group h3 code { font-family: var(--fleetup-mono); font-weight: 600; }
.agent-diff .line { display: block; }
.agent-diff .line.add { background: var(--fleetup-added-bg); }
.agent-diff .line.del { background: var(--fleetup-removed-bg); }
.agent-diff .line.hunk, .agent-diff .line.file { color: var(--fleetup-muted); }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 700px) { .side-by-side { grid-template-columns: 1fr; } }
pre {
  font-family: var(--fleetup-mono);
  font-size: 12px;
  background: var(--fleetup-surface);
  border: 1px solid var(--fleetup-border);
  border-radius: var(--fleetup-radius);
  padding: 8px;
  max-height: 28rem;
  overflow: auto;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  margin: 4px 0;
}
.footer { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-top: 16px; }
.empty { padding: 10px 12px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
`;

/** Creates an element with optional class/part/text and children. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else if (k === "class") el.className = v;
    else if (k === "part") el.setAttribute("part", v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** A value as one line of text (JSON for non-strings), cut to MAX_SHOWN_CHARS. */
function showValue(v) {
  if (v === undefined) return "—";
  let s = typeof v === "string" ? v : JSON.stringify(v);
  if (s === undefined) s = String(v);
  if (s === "") return "(empty)";
  if (s.length > MAX_SHOWN_CHARS) {
    const rest = s.length - MAX_SHOWN_CHARS;
    s = `${s.slice(0, MAX_SHOWN_CHARS)}… (${rest.toLocaleString("en")} more characters)`;
  }
  return s;
}

/** Reads a JSON Pointer (RFC 6901) from `doc`; `undefined` when it leads nowhere. */
function pointerGet(doc, pointer) {
  if (!pointer) return doc;
  let cur = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, key)) {
      return undefined;
    }
    cur = cur[key];
  }
  return cur;
}

function isSecretRef(v) {
  return v !== null && typeof v === "object" && v.isSecretRef === true;
}

/** Var definitions of a PackageInfo by name, at every level (package, input, stream). */
function collectDefs(info) {
  const out = { pkg: new Map(), input: new Map(), stream: new Map(), secretNames: new Set() };
  if (!info || typeof info !== "object") return out;
  const note = (def) => {
    if (def && (def.secret === true || def.type === "password")) out.secretNames.add(def.name);
  };
  for (const def of Array.isArray(info.vars) ? info.vars : []) {
    out.pkg.set(def.name, def);
    note(def);
  }
  for (const tpl of Array.isArray(info.policy_templates) ? info.policy_templates : []) {
    for (const inp of Array.isArray(tpl?.inputs) ? tpl.inputs : []) {
      for (const def of Array.isArray(inp?.vars) ? inp.vars : []) {
        out.input.set(`${inp.type}\u0000${def.name}`, def);
        note(def);
      }
    }
  }
  for (const ds of Array.isArray(info.data_streams) ? info.data_streams : []) {
    for (const st of Array.isArray(ds?.streams) ? ds.streams : []) {
      for (const def of Array.isArray(st?.vars) ? st.vars : []) {
        out.stream.set(`${ds.dataset}\u0000${st.input}\u0000${def.name}`, def);
        out.stream.set(`${ds.dataset}\u0000*\u0000${def.name}`, def);
        note(def);
      }
    }
  }
  return out;
}

/** A deep copy of a policy with every secret value replaced by the mask (or a reference note). */
function maskPolicy(policy, secretNames) {
  const maskVars = (vars) => {
    if (!vars || typeof vars !== "object") return vars;
    const out = {};
    for (const [name, entry] of Object.entries(vars)) {
      if (!entry || typeof entry !== "object") {
        out[name] = entry;
        continue;
      }
      const secret = secretNames.has(name) || entry.type === "password" || isSecretRef(entry.value);
      const copy = { ...entry };
      if (secret && "value" in copy && copy.value !== null && copy.value !== undefined) {
        const one = (v) => (isSecretRef(v) ? "[secret reference]" : MASK);
        copy.value = Array.isArray(copy.value) ? copy.value.map(one) : one(copy.value);
      }
      out[name] = copy;
    }
    return out;
  };
  const walk = (node) => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "vars") out[k] = maskVars(v);
      // Secret references and compiled templates may embed secrets; Fleet strips them too.
      else if (k === "secret_references") out[k] = Array.isArray(v) ? v.map(() => MASK) : v;
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(policy);
}

const KIND_WORDS = {
  input_added: "input added",
  input_removed: "input removed",
  stream_added: "stream added",
  stream_removed: "stream removed",
  input_type_changed: "input type changed",
  enabled_changed: "enabled changed",
  var_added: "new setting",
  var_added_required: "new required setting",
  var_removed: "setting removed",
  var_removed_user_value: "your value dropped",
  value_kept: "your value kept",
  value_kept_default_changed: "default changed",
  value_reset: "value changes",
  type_changed: "type changed",
  multi_changed: "single/multi changed",
  required_changed: "required changed",
  now_secret: "now secret",
  var_moved: "setting moved",
  likely_rename: "renamed",
  deprecated: "deprecated",
  validation_error: "validation error",
  unchanged: "unchanged",
};

const SEVERITY_RANK = { conflict: 0, attention: 1, info: 2 };

// `agent.diff` change kinds: words for the badge and the tone of the record.
const AGENT_KINDS = {
  input_started: ["input started", "info"],
  input_stopped: ["input stopped", "attention"],
  stream_started: ["stream started", "info"],
  stream_stopped: ["stream stopped", "attention"],
  stream_moved: ["stream moved", "attention"],
  key_added: ["key added", "info"],
  key_removed: ["key removed", "attention"],
  key_changed: ["key changed", "info"],
};

// Longest unified diff shown, in lines (the rest is summarised).
const MAX_DIFF_LINES = 5000;

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

let uid = 0;
let sheetCache;

function sharedSheet() {
  if (sheetCache !== undefined) return sheetCache;
  sheetCache = null;
  try {
    if (typeof CSSStyleSheet !== "undefined" && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      sheetCache = sheet;
    }
  } catch {
    sheetCache = null;
  }
  return sheetCache;
}

/** The upgrade review widget. See docs/WIDGET.md for the documented surface. */
export class FleetupUpgradeReview extends HTMLElement {
  static get observedAttributes() {
    return ["theme"];
  }

  constructor() {
    super();
    this._id = `fu${++uid}`;
    this._root = this.attachShadow({ mode: "open" });
    this._container = h("div", { class: "root", part: "root" });
    // A constructed stylesheet needs no 'unsafe-inline' in the page's style-src CSP.
    const sheet = sharedSheet();
    if (sheet) {
      this._root.adoptedStyleSheets = [sheet];
      this._root.append(this._container);
    } else {
      const style = document.createElement("style");
      style.textContent = STYLE;
      this._root.append(style, this._container);
    }
    this._currentPolicy = null;
    this._targetPackage = null;
    this._currentPackage = null;
    this._changelog = null;
    this._edits = new Map(); // proposed var path → Edit, in insertion order
    this._streamEdits = new Map(); // stream/input path → Edit (enable/disable)
    this._yamlErrors = new Map(); // var path → message of a live syntax error
    this._filter = "changes";
    this._acknowledged = false;
    this._state = null;
    this._error = null;
    this._scheduled = false;
    this._previousOpen = false;
    // Agent configuration: templates, whether its panel is open, the latest `agent.diff` outcome
    // ({key, status: "loading" | "done" | "error", result?, message?, previous?}) and its inputs'
    // generation (bumped whenever what the agent diff depends on, other than the edits, changes).
    this._agentTemplates = null;
    this._currentAgentTemplates = null;
    this._agentWasm = undefined;
    this._agentOpen = false;
    this._agent = null;
    this._agentGen = 0;
    this._agentTimer = null;
    this._agentPanel = null;
    this._agentRefreshQueued = false;
  }

  connectedCallback() {
    this._schedule();
  }

  attributeChangedCallback() {
    // Theme changes are pure CSS; nothing to recompute.
  }

  /** The current package policy (Fleet's saved-object shape). */
  get currentPolicy() {
    return this._currentPolicy;
  }
  set currentPolicy(v) {
    this._currentPolicy = v ?? null;
    this._reset();
  }

  /** The target version's PackageInfo. */
  get targetPackage() {
    return this._targetPackage;
  }
  set targetPackage(v) {
    this._targetPackage = v ?? null;
    this._reset();
  }

  /** The installed version's PackageInfo (optional: better change explanations). */
  get currentPackage() {
    return this._currentPackage;
  }
  set currentPackage(v) {
    this._currentPackage = v ?? null;
    this._reset();
  }

  /** Parsed changelog.yml entries (optional; defaults to the target package's `changelog`). */
  get changelog() {
    return this._changelog;
  }
  set changelog(v) {
    this._changelog = v ?? null;
    this._reset();
  }

  /**
   * The target version's agent templates (`{path in the package: text}`, as the core's
   * `package.agent_templates` returns them). Setting it shows the "Agent configuration" panel;
   * it does not clear the edits.
   */
  get agentTemplates() {
    return this._agentTemplates;
  }
  set agentTemplates(v) {
    this._agentTemplates = v ?? null;
    this._agentInputsChanged();
  }

  /** The installed version's agent templates; with `currentPackage`, the current policy is compiled too. */
  get currentAgentTemplates() {
    return this._currentAgentTemplates;
  }
  set currentAgentTemplates(v) {
    this._currentAgentTemplates = v ?? null;
    this._agentInputsChanged();
  }

  /**
   * Where the agent module's `.wasm` is (anything `loadAgentModule` accepts); by default
   * `pkg-agent/fleetup_wasm_agent_bg.wasm` next to its glue. Used when the panel is first opened.
   */
  get agentWasm() {
    return this._agentWasm;
  }
  set agentWasm(v) {
    this._agentWasm = v ?? undefined;
  }

  /** The edits made so far, in the `plan.resolve` shape. */
  get edits() {
    return [...this._streamEdits.values(), ...this._edits.values()].map((e) => ({ ...e }));
  }

  /** The latest resolution (`plan.resolve` result), or null before the first one. */
  get resolution() {
    return this._state ? this._state.resolution : null;
  }

  /** Whether the "Upgrade integration" button is enabled. */
  get canUpgrade() {
    return this._blockers().length === 0;
  }

  _agentInputsChanged() {
    this._agentGen++;
    this._agent = null;
    clearTimeout(this._agentTimer);
    this._agentTimer = null;
    // The rest of the review is unaffected: show, refresh or remove the panel only (once for
    // both template properties set in a row).
    if (this._agentRefreshQueued) return;
    this._agentRefreshQueued = true;
    queueMicrotask(() => {
      this._agentRefreshQueued = false;
      // A pending full pass (or no review yet) renders the panel itself.
      if (!this._state || this._scheduled || this._error) return;
      const old = this._container.querySelector(":scope > details.agent-config");
      const hadFocus = Boolean(old && old.contains(this._root.activeElement));
      this._agentPanel = null;
      if (!this._agentTemplates) {
        if (old) old.remove();
        return;
      }
      const next = this._renderAgent(this._state);
      if (old) old.replaceWith(next);
      else this._container.insertBefore(next, this._container.querySelector(":scope > .footer"));
      if (hadFocus) next.querySelector("summary").focus();
      if (this._agentOpen) this._ensureAgent(0);
    });
  }

  _reset() {
    this._agentGen++;
    this._agent = null;
    this._edits.clear();
    this._streamEdits.clear();
    this._yamlErrors.clear();
    this._acknowledged = false;
    this._schedule();
  }

  _schedule() {
    if (this._scheduled) return;
    this._scheduled = true;
    queueMicrotask(async () => {
      // Property sets while the core loads join this pass (it reads them after the await).
      try {
        await init();
        mark("fleetup:wasm-ready");
      } catch (e) {
        this._scheduled = false;
        this._error = `The WebAssembly core could not be loaded: ${e && e.message ? e.message : e}`;
        this._render();
        return;
      }
      this._scheduled = false;
      this._recompute();
      mark("fleetup:computed");
      this._render();
      mark("fleetup:rendered");
      if (this._state && !this._readyFired) {
        this._readyFired = true;
        this.dispatchEvent(new CustomEvent("fleetup-ready", { bubbles: true, composed: true }));
      }
    });
  }

  /** Runs the core on the inputs and the edits; keeps the outcome in `this._state`. */
  _recompute() {
    this._error = null;
    this._state = null;
    if (!this._currentPolicy || !this._targetPackage) return;
    try {
      const args = {
        package_policy: this._currentPolicy,
        package_info: this._targetPackage,
        edits: this.edits,
      };
      if (this._currentPackage) args.previous_package_info = this._currentPackage;
      const resolution = resolve(args);
      const fromVersion = this._currentPolicy?.package?.version ?? this._currentPackage?.version;
      const toVersion = this._targetPackage.version;
      let breaking = [];
      const changelog = this._changelog ?? this._targetPackage.changelog;
      if (Array.isArray(changelog) && fromVersion && toVersion) {
        try {
          breaking = invoke("fleet.breaking_changes", { changelog, from: fromVersion, to: toVersion });
        } catch {
          breaking = [];
        }
      }
      const defs = collectDefs(this._targetPackage);
      const secretNames = new Set([...defs.secretNames, ...collectDefs(this._currentPackage).secretNames]);
      this._state = {
        resolution,
        unchanged: null, // computed on demand (see _unchanged), after the first paint
        breaking: Array.isArray(breaking) ? breaking : [],
        fromVersion,
        toVersion,
        defs,
        secretNames,
      };
    } catch (e) {
      const code = e && e.code ? `${e.code}: ` : "";
      this._error = `${code}${e && e.message ? e.message : String(e)}`;
    }
  }

  /**
   * The unchanged fields of the current proposal, from the core's change list of the same
   * proposal with its errors attached (so it classifies exactly as the resolution). Deferred:
   * only the "all fields" view and the summary count need it.
   */
  _unchanged(s) {
    if (s.unchanged) return s.unchanged;
    const proposedWithErrors = { ...s.resolution.package_policy };
    if (s.resolution.errors.length) proposedWithErrors.errors = s.resolution.errors;
    try {
      const full = invoke("plan.changes", {
        current: this._currentPolicy,
        proposed: proposedWithErrors,
        package_info: this._targetPackage,
        previous_package_info: this._currentPackage ?? null,
        include_unchanged: true,
      });
      s.unchanged = full.changes.filter((c) => c.kind === "unchanged");
    } catch {
      s.unchanged = [];
    }
    return s.unchanged;
  }

  _blockers() {
    const s = this._state;
    if (!s) return ["The upgrade has not been computed."];
    const out = [];
    const n = s.resolution.conflicts.length;
    if (n) out.push(`${n} conflict${n === 1 ? "" : "s"} to resolve`);
    else if (s.resolution.has_errors) out.push("the policy does not validate");
    if (this._yamlErrors.size) out.push("YAML syntax errors");
    if (s.breaking.length && !this._acknowledged) out.push("breaking changes not acknowledged");
    return out;
  }

  /** Applies the edits again and re-renders, keeping keyboard focus where it was. */
  _update() {
    const active = this._root.activeElement;
    const key = active ? active.getAttribute("data-key") : null;
    this._recompute();
    this._render();
    if (key) {
      const again = this._root.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
    if (this._state) {
      this.dispatchEvent(
        new CustomEvent("fleetup-change", {
          bubbles: true,
          composed: true,
          detail: {
            edits: this.edits,
            hasErrors: this._state.resolution.has_errors,
            conflicts: this._state.resolution.conflicts.length,
            canUpgrade: this.canUpgrade,
            packagePolicy: structuredClone(this._state.resolution.package_policy),
          },
        }),
      );
    }
  }

  _render() {
    const c = this._container;
    c.replaceChildren();
    if (this._error) {
      c.append(h("p", { class: "error-text", role: "alert", part: "error", text: this._error }));
      return;
    }
    const s = this._state;
    if (!s) {
      c.append(h("p", { class: "muted", text: "Set currentPolicy and targetPackage to review an upgrade." }));
      return;
    }
    c.append(this._renderHeader(s), this._renderSummary(s), this._renderFilter());
    c.append(this._renderChanges(s));
    c.append(this._renderPrevious(s));
    this._agentPanel = null;
    if (this._agentTemplates) c.append(this._renderAgent(s));
    c.append(this._renderFooter());
    if (this._agentOpen && this._agentTemplates) {
      // Open panel: compile again for the new proposal, after a quiet spell when a result is shown.
      this._ensureAgent(this._agent && this._agent.status !== "loading" ? AGENT_DEBOUNCE_MS : 0);
    }
    if (!s.unchanged) {
      // Fill in the unchanged count once the review is on screen and interactive.
      setTimeout(() => {
        if (this._state !== s) return;
        const n = this._unchanged(s).length;
        const cell = this._container.querySelector(".stat.unchanged strong");
        if (cell) cell.textContent = String(n);
      }, 0);
    }
  }

  _renderHeader(s) {
    const pkg = this._targetPackage;
    const title = pkg.title || pkg.name;
    const policyName = this._currentPolicy.name;
    const header = h(
      "header",
      { part: "header" },
      h("h2", { text: `Upgrade ${title}` }),
      h(
        "p",
        {},
        h("span", { class: "muted", text: "Policy " }),
        h("strong", { text: policyName ?? "(unnamed)" }),
        h("span", { class: "muted", text: " · " }),
        h("span", { class: "versions", text: `${s.fromVersion ?? "?"} → ${s.toVersion}` }),
      ),
    );
    if (s.breaking.length) {
      const id = `${this._id}-ack`;
      const list = h("ul");
      for (const entry of s.breaking) {
        for (const ch of Array.isArray(entry.changes) ? entry.changes : []) {
          if (ch.type !== "breaking-change") continue;
          const li = h("li", {}, h("strong", { text: `${entry.version}: ` }), ch.description ?? "");
          if (typeof ch.link === "string" && /^https?:\/\//i.test(ch.link)) {
            li.append(" ", h("a", { href: ch.link, target: "_blank", rel: "noopener noreferrer", text: "details" }));
          }
          list.append(li);
        }
      }
      const box = h("input", {
        type: "checkbox",
        id,
        "data-key": "ack",
        checked: this._acknowledged,
        onchange: (e) => {
          this._acknowledged = e.target.checked;
          this._update();
        },
      });
      header.append(
        h(
          "section",
          { class: "callout", part: "callout", role: "note", "aria-label": "Breaking changes" },
          h("h3", { text: "Breaking changes" }),
          h("p", { text: `This upgrade crosses versions with breaking changes. Review them before upgrading.` }),
          list,
          h("p", {}, box, " ", h("label", { for: id, text: "I have reviewed the breaking changes" })),
        ),
      );
    }
    return header;
  }

  _renderSummary(s) {
    const conflicts = s.resolution.conflicts.length;
    const changes = s.resolution.changes.length;
    const stat = (cls, n, label) =>
      h("div", { class: `stat ${cls}`, part: `stat stat-${cls}` }, h("strong", { text: String(n) }), h("span", { text: label }));
    return h(
      "section",
      { class: "summary", part: "summary", "aria-label": "Summary", role: "status", "aria-live": "polite" },
      stat("conflicts", conflicts, conflicts === 1 ? "conflict" : "conflicts"),
      stat("changes", changes, changes === 1 ? "change" : "changes"),
      stat("unchanged", s.unchanged ? s.unchanged.length : "…", "unchanged"),
    );
  }

  _renderFilter() {
    const fs = h("fieldset", { class: "filter", part: "filter" }, h("legend", { text: "Show" }));
    for (const [value, label] of FILTERS) {
      const id = `${this._id}-filter-${value}`;
      fs.append(
        h(
          "span",
          {},
          h("input", {
            type: "radio",
            name: `${this._id}-filter`,
            id,
            value,
            "data-key": `filter-${value}`,
            checked: this._filter === value,
            onchange: () => {
              this._filter = value;
              this._update();
            },
          }),
          " ",
          h("label", { for: id, text: label }),
        ),
      );
    }
    return fs;
  }

  _visibleChanges(s) {
    let list = s.resolution.changes;
    if (this._filter === "conflicts") list = list.filter((c) => c.severity === "conflict");
    if (this._filter === "all") list = list.concat(this._unchanged(s));
    return list;
  }

  _renderChanges(s) {
    const section = h("section", { part: "changes", "aria-label": "Changes" });
    const list = this._visibleChanges(s);
    if (!list.length) {
      section.append(
        h("p", {
          class: "empty ok-text",
          text: this._filter === "conflicts" ? "No conflicts: nothing blocks this upgrade." : "Nothing to show.",
        }),
      );
      return section;
    }
    // Group by input › stream; groups with conflicts first, then in the order the core gave.
    const groups = new Map();
    for (const ch of list) {
      const key = ch.scope === "package" ? "" : `${ch.input ?? ""}\u0000${ch.dataset ?? ""}`;
      if (!groups.has(key)) groups.set(key, { key, input: ch.input, dataset: ch.dataset, scope: ch.scope, items: [] });
      groups.get(key).items.push(ch);
    }
    const ordered = [...groups.values()].map((g, i) => ({
      g,
      i,
      rank: Math.min(...g.items.map((c) => (c.kind === "unchanged" ? 3 : SEVERITY_RANK[c.severity] ?? 2))),
    }));
    ordered.sort((a, b) => a.rank - b.rank || a.i - b.i);
    for (const { g } of ordered) {
      g.items.sort(
        (a, b) =>
          (a.kind === "unchanged" ? 3 : SEVERITY_RANK[a.severity] ?? 2) -
          (b.kind === "unchanged" ? 3 : SEVERITY_RANK[b.severity] ?? 2),
      );
      const label = g.key === "" ? "Integration settings" : [g.input, g.dataset].filter(Boolean).join(" › ");
      const n = g.items.filter((c) => c.severity === "conflict" && c.kind !== "unchanged").length;
      const group = h(
        "section",
        { class: "group", part: "group", "aria-label": label },
        h(
          "header",
          {},
          h("h3", { text: label }),
          n ? h("span", { class: "badge conflict", text: `${n} conflict${n === 1 ? "" : "s"}` }) : null,
        ),
      );
      for (const ch of g.items) group.append(this._renderChange(ch, s));
      section.append(group);
    }
    return section;
  }

  _defFor(ch, s) {
    const name = ch.var;
    if (!name) return undefined;
    const d = s.defs;
    if (ch.scope === "stream" && ch.dataset) {
      return d.stream.get(`${ch.dataset}\u0000${ch.input}\u0000${name}`) ?? d.stream.get(`${ch.dataset}\u0000*\u0000${name}`);
    }
    if (ch.scope === "input") {
      // `input` is the effective name; its type is the input type for single-template packages.
      for (const [k, def] of d.input) if (k.endsWith(`\u0000${name}`) && (!ch.input || ch.input.endsWith(k.split("\u0000")[0]))) return def;
      for (const [k, def] of d.input) if (k.endsWith(`\u0000${name}`)) return def;
    }
    return d.pkg.get(name);
  }

  _renderChange(ch, s) {
    const unchanged = ch.kind === "unchanged";
    const sev = unchanged ? "unchanged" : ch.severity;
    const title = ch.title || ch.var || ch.dataset || ch.input || "Policy";
    const row = h(
      "article",
      { class: `change ${sev}`, part: `change change-${sev}`, "data-kind": ch.kind, "data-path": ch.proposed_path ?? ch.current_path ?? "" },
      h(
        "div",
        { class: "title-row" },
        h("h4", { text: title }),
        ch.var && ch.title && ch.title !== ch.var ? h("code", { class: "muted", text: ch.var }) : null,
        h("span", { class: `badge ${sev}`, part: "badge", text: KIND_WORDS[ch.kind] ?? ch.kind.replace(/_/g, " ") }),
        !unchanged ? h("span", { class: `badge ${sev}`, part: "badge", text: ch.severity }) : null,
      ),
    );
    if (!unchanged) row.append(h("p", { class: "message", text: ch.message }));
    const dl = h("dl", { class: "values" });
    if (ch.current_path !== null || ch.old_value !== undefined) {
      dl.append(h("dt", { text: unchanged ? "Value" : "Old value" }), h("dd", { class: "old", text: showValue(ch.old_value) }));
    }
    if (!unchanged && ch.proposed_path !== null) {
      dl.append(h("dt", { text: "New value" }), h("dd", { class: "new", text: showValue(ch.new_value) }));
    }
    if (dl.childElementCount) row.append(dl);
    if (ch.var && ch.proposed_path && /\/vars\/[^/]+$/.test(ch.proposed_path)) {
      row.append(this._renderEditor(ch, s));
    } else if (ch.severity === "conflict" && ch.proposed_path) {
      row.append(this._renderStreamActions(ch));
    }
    return row;
  }

  /** For conflicts not tied to one var: offer to disable the stream or input that holds them. */
  _renderStreamActions(ch) {
    const m = /^(\/inputs\/\d+(?:\/streams\/\d+)?)/.exec(ch.proposed_path);
    if (!m) return h("span");
    const path = m[1];
    return h(
      "div",
      { class: "actions" },
      h("button", {
        type: "button",
        "data-key": `disable:${path}`,
        text: path.includes("/streams/") ? "Disable this stream" : "Disable this input",
        onclick: () => {
          this._streamEdits.set(path, { path, action: "disable" });
          this._update();
        },
      }),
    );
  }

  _renderEditor(ch, s) {
    const path = ch.proposed_path;
    const def = this._defFor(ch, s) ?? {};
    const type = ch.type ?? def.type ?? "text";
    const secret = ch.secret === true || def.secret === true || type === "password";
    const multi = def.multi === true || Array.isArray(pointerGet(s.resolution.package_policy, `${path}/value`));
    const entry = pointerGet(s.resolution.package_policy, path);
    const current = entry && typeof entry === "object" ? entry.value : undefined;
    const edit = this._edits.get(path);
    const id = `${this._id}-ed-${path.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
    const label = `${ch.title || ch.var}${def.required ? " (required)" : ""}`;
    const wrap = h("div", { class: "editor", part: "editor" });
    const commit = (value) => {
      this._yamlErrors.delete(path);
      this._edits.set(path, { path, action: "set", value });
      this._update();
    };
    const describe = `${id}-msg`;
    const message = h("p", { id: describe, class: "error-text", role: "status", "aria-live": "polite" });
    let control;

    if (multi) {
      control = this._renderMultiEditor(id, label, type, secret, current, commit, def);
    } else if (type === "bool") {
      control = h(
        "span",
        {},
        h("input", {
          type: "checkbox",
          id,
          "data-key": `ed:${path}`,
          checked: current === true,
          onchange: (e) => commit(e.target.checked),
        }),
        " ",
        h("label", { for: id, text: label }),
      );
    } else if (type === "select" && Array.isArray(def.options)) {
      const sel = h("select", { id, "data-key": `ed:${path}`, onchange: (e) => commit(e.target.value === "" ? null : e.target.value) });
      sel.append(h("option", { value: "", text: "(none)" }));
      for (const o of def.options) {
        const opt = h("option", { value: String(o.value), text: o.text ?? String(o.value) });
        if (String(o.value) === String(current)) opt.selected = true;
        sel.append(opt);
      }
      control = h("span", { class: "editor" }, h("label", { for: id, text: label }), sel);
    } else if (type === "yaml" || type === "textarea") {
      const ta = h("textarea", {
        id,
        "data-key": `ed:${path}`,
        "data-type": type,
        spellcheck: false,
        "aria-describedby": describe,
        oninput: (e) => {
          if (type !== "yaml") return;
          const err = yamlError(e.target.value);
          message.textContent = err ?? "";
          if (err) this._yamlErrors.set(path, err);
          else this._yamlErrors.delete(path);
          e.target.setAttribute("aria-invalid", err ? "true" : "false");
          this._updateFooterOnly();
        },
        onchange: (e) => {
          if (type === "yaml" && yamlError(e.target.value)) {
            this._updateFooterOnly();
            return;
          }
          commit(e.target.value);
        },
      });
      ta.value = secret ? "" : typeof current === "string" ? current : current == null ? "" : JSON.stringify(current);
      control = h("span", { class: "editor" }, h("label", { for: id, text: `${label}${type === "yaml" ? " (YAML)" : ""}` }), ta);
      const pending = this._yamlErrors.get(path);
      if (pending) message.textContent = pending;
    } else {
      const numeric = type === "integer";
      const input = h("input", {
        type: secret ? "password" : numeric ? "number" : "text",
        id,
        "data-key": `ed:${path}`,
        autocomplete: secret ? "new-password" : "off",
        step: numeric ? "1" : undefined,
        placeholder: secret ? (current != null ? "Secret set: type to replace" : "Enter a secret value") : undefined,
        onchange: (e) => {
          const raw = e.target.value;
          if (numeric) commit(raw === "" ? null : Number.isFinite(Number(raw)) ? Number(raw) : raw);
          else commit(raw === "" ? null : raw);
        },
        onkeydown: (e) => {
          if (e.key === "Enter") e.target.dispatchEvent(new Event("change"));
        },
      });
      // Secrets are never written into the DOM: the field starts empty and the user types anew.
      if (!secret && current !== undefined && current !== null) input.value = typeof current === "string" ? current : String(current);
      control = h("span", { class: "editor" }, h("label", { for: id, text: label }), input);
    }
    wrap.append(control);
    if (def.description) wrap.append(h("p", { class: "muted", text: def.description }));
    wrap.append(message);

    const actions = h("div", { class: "actions" });
    if (ch.current_path || ch.details?.renamed_from) {
      actions.append(
        h("button", {
          type: "button",
          "data-key": `keep:${path}`,
          text: "Keep previous",
          onclick: () => {
            this._yamlErrors.delete(path);
            this._edits.set(path, { path, action: "keep_previous" });
            this._update();
          },
        }),
      );
    }
    actions.append(
      h("button", {
        type: "button",
        "data-key": `default:${path}`,
        text: "Use new default",
        onclick: () => {
          this._yamlErrors.delete(path);
          this._edits.set(path, { path, action: "use_default" });
          this._update();
        },
      }),
    );
    if (edit) {
      actions.append(
        h("button", {
          type: "button",
          "data-key": `undo:${path}`,
          text: "Undo edit",
          onclick: () => {
            this._yamlErrors.delete(path);
            this._edits.delete(path);
            this._update();
          },
        }),
      );
    }
    if (ch.severity === "conflict" && ch.dataset) {
      const m = /^(\/inputs\/\d+\/streams\/\d+)/.exec(path);
      if (m) {
        actions.append(
          h("button", {
            type: "button",
            "data-key": `disable:${m[1]}`,
            text: "Disable this stream",
            onclick: () => {
              this._streamEdits.set(m[1], { path: m[1], action: "disable" });
              this._update();
            },
          }),
        );
      }
    }
    wrap.append(actions);
    return wrap;
  }

  _renderMultiEditor(id, label, type, secret, current, commit, def) {
    const values = Array.isArray(current) ? current.slice() : current == null ? [] : [current];
    const box = h("fieldset", { class: "editor", part: "multi" }, h("legend", { text: `${label} (one value per row)` }));
    const read = () => {
      const out = [];
      for (const inp of box.querySelectorAll("input[data-item]")) {
        const raw = inp.value;
        if (raw === "") continue;
        out.push(type === "integer" && Number.isFinite(Number(raw)) ? Number(raw) : raw);
      }
      return out;
    };
    values.forEach((v, i) => {
      const inp = h("input", {
        type: secret ? "password" : type === "integer" ? "number" : "text",
        "data-item": String(i),
        "data-key": `${id}-item-${i}`,
        "aria-label": `${label} value ${i + 1}`,
        onchange: () => commit(read()),
        onkeydown: (e) => {
          if (e.key === "Enter") commit(read());
        },
      });
      if (!secret) inp.value = typeof v === "string" ? v : JSON.stringify(v);
      box.append(
        h(
          "div",
          { class: "multi-row" },
          inp,
          h("button", {
            type: "button",
            "data-key": `${id}-remove-${i}`,
            "aria-label": `Remove ${label} value ${i + 1}`,
            text: "Remove",
            onclick: () => {
              inp.value = "";
              commit(read());
            },
          }),
        ),
      );
    });
    const adder = h("input", {
      type: secret ? "password" : type === "integer" ? "number" : "text",
      "data-key": `${id}-new`,
      id,
      "aria-label": `New ${label} value`,
      placeholder: "Add a value",
      onkeydown: (e) => {
        if (e.key === "Enter" && e.target.value !== "") commit([...read(), coerce(e.target.value, type)]);
      },
      onchange: (e) => {
        if (e.target.value !== "") commit([...read(), coerce(e.target.value, type)]);
      },
    });
    box.append(h("div", { class: "multi-row" }, adder));
    if (def.description) box.append(h("p", { class: "muted", text: def.description }));
    return box;
  }

  _renderPrevious(s) {
    const current = JSON.stringify(maskPolicy(this._currentPolicy, s.secretNames), null, 2);
    const proposed = JSON.stringify(maskPolicy(s.resolution.package_policy, s.secretNames), null, 2);
    const pane = (title, text, part) =>
      h("div", {}, h("h3", { text: title }), h("pre", { part, tabindex: "0", "aria-label": title, text }));
    return h(
      "details",
      {
        class: "previous",
        part: "previous-config",
        open: this._previousOpen,
        ontoggle: (e) => {
          this._previousOpen = e.target.open;
        },
      },
      h("summary", { "data-key": "previous-config", text: "Previous configuration" }),
      h(
        "div",
        { class: "side-by-side" },
        pane(`Current (${s.fromVersion ?? "?"})`, current, "previous-json"),
        pane(`Proposed (${s.toVersion})`, proposed, "proposed-json"),
      ),
    );
  }

  // ---- Agent configuration: what the agents run before and after the upgrade (`agent.diff`) ----

  /** What the agent diff depends on: the inputs' generation and the edits. */
  _agentKey() {
    return `${this._agentGen}\u0000${JSON.stringify(this.edits)}`;
  }

  _renderAgent() {
    const id = `${this._id}-agent`;
    const panel = h("div", { id, class: "agent-panel" });
    this._agentPanel = panel;
    this._fillAgentPanel();
    return h(
      "details",
      {
        class: "agent-config",
        part: "agent-config",
        open: this._agentOpen,
        ontoggle: (e) => {
          const open = e.target.open;
          if (open === this._agentOpen || !e.target.isConnected) return;
          this._agentOpen = open;
          if (open) this._ensureAgent(0);
          else {
            clearTimeout(this._agentTimer);
            this._agentTimer = null;
          }
        },
      },
      h("summary", { "data-key": "agent-config", "aria-controls": id, text: "Agent configuration" }),
      panel,
    );
  }

  /** Schedules `agent.diff` for the current proposal unless its result (or a run) is already there. */
  _ensureAgent(delay) {
    const key = this._agentKey();
    if (this._agent && this._agent.key === key) return;
    const previous = this._agent ? (this._agent.status === "done" ? this._agent.result : this._agent.previous) : null;
    this._agent = { key, status: "loading", previous };
    this._fillAgentPanel();
    clearTimeout(this._agentTimer);
    this._agentTimer = setTimeout(() => this._computeAgent(key), delay);
  }

  async _computeAgent(key) {
    this._agentTimer = null;
    let mod;
    try {
      mod = await loadAgentModule(this._agentWasm);
    } catch (e) {
      if (this._agent && this._agent.key === key) {
        this._agent = { key, status: "error", message: `The agent configuration module could not be loaded: ${errorText(e)}` };
        this._fillAgentPanel();
      }
      return;
    }
    // Superseded by a later edit or new inputs while the module loaded.
    const s = this._state;
    if (!s || !this._agentTemplates || !this._agent || this._agent.key !== key || key !== this._agentKey()) return;
    const args = {
      current: this._currentPolicy,
      proposed: s.resolution.package_policy,
      package_info: this._targetPackage,
      agent_templates: this._agentTemplates,
    };
    if (this._currentPackage && this._currentAgentTemplates) {
      args.current_package_info = this._currentPackage;
      args.current_agent_templates = this._currentAgentTemplates;
    }
    try {
      this._agent = { key, status: "done", result: mod.agentDiff(args) };
    } catch (e) {
      this._agent = { key, status: "error", message: errorText(e) };
    }
    mark("fleetup:agent-rendered");
    this._fillAgentPanel();
    this.dispatchEvent(new CustomEvent("fleetup-agent-ready", { bubbles: true, composed: true }));
  }

  /** Redraws the agent panel's content only (keeps focus on the control that had it). */
  _fillAgentPanel() {
    const panel = this._agentPanel;
    if (!panel) return;
    const active = this._root.activeElement;
    const key = active && panel.contains(active) ? active.getAttribute("data-key") : null;
    panel.replaceChildren(...this._agentContent());
    if (key) {
      const again = panel.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
  }

  _agentContent() {
    const a = this._agent;
    const status = h("p", { class: "muted", role: "status", part: "agent-status" });
    if (!a) return [status];
    if (a.status === "error") {
      return [status, h("p", { class: "error-text", role: "alert", part: "error", text: a.message })];
    }
    const result = a.status === "done" ? a.result : a.previous;
    if (a.status === "loading") {
      status.textContent = result ? "Updating for your edits…" : "Loading the agent configuration…";
      status.setAttribute("aria-busy", "true");
    }
    if (!result) return [status];
    const changes = Array.isArray(result.changes) ? result.changes : [];
    const count = (...kinds) => changes.filter((c) => kinds.includes(c.kind)).length;
    const started = count("stream_started");
    const stopped = count("stream_stopped");
    const moved = count("stream_moved");
    const keys = count("key_added", "key_removed", "key_changed");
    const inputs = count("input_started", "input_stopped");
    if (a.status === "done") {
      status.textContent = changes.length
        ? `After the upgrade: ${plural(started, "stream")} started, ${stopped} stopped, ${moved} moved; ${plural(keys, "key")} changed` +
          (inputs ? `; ${plural(inputs, "input")} started or stopped.` : ".")
        : "The agents run the same configuration after the upgrade.";
    }
    const out = [status];
    const stat = (cls, n, label) =>
      h("div", { class: `stat ${cls}`, part: `stat stat-${cls}` }, h("strong", { text: String(n) }), h("span", { text: label }));
    out.push(
      h(
        "div",
        { class: "summary", part: "agent-summary" },
        stat("streams-started", started, started === 1 ? "stream started" : "streams started"),
        stat("streams-stopped", stopped, stopped === 1 ? "stream stopped" : "streams stopped"),
        stat("streams-moved", moved, moved === 1 ? "stream moved" : "streams moved"),
        stat("keys-changed", keys, keys === 1 ? "key changed" : "keys changed"),
      ),
    );
    if (!(this._currentPackage && this._currentAgentTemplates)) {
      out.push(
        h("p", {
          class: "muted",
          text: "Today's side comes from the compiled inputs stored in the policy (set currentPackage and currentAgentTemplates to compile it).",
        }),
      );
    }
    // Changes grouped by input › stream, in the core's order.
    const groups = new Map();
    for (const ch of changes) {
      const key = `${ch.input_type}\u0000${ch.dataset ?? ""}`;
      if (!groups.has(key)) groups.set(key, { input: ch.input_type, dataset: ch.dataset, items: [] });
      groups.get(key).items.push(ch);
    }
    const list = h("section", { part: "agent-changes", "aria-label": "Agent configuration changes" });
    for (const g of groups.values()) {
      const label = g.dataset ? `${g.input} › ${g.dataset}` : `${g.input} input`;
      // Labelled apart from the review's own groups, which may name the same input › stream.
      const group = h("section", { class: "group", part: "group", "aria-label": `Agent: ${label}` }, h("header", {}, h("h3", { text: label })));
      for (const ch of g.items) group.append(renderAgentChange(ch));
      list.append(group);
    }
    if (groups.size) out.push(list);
    if (typeof result.unified === "string" && result.unified !== "") {
      out.push(h("h3", { text: "Agent inputs (YAML), unified diff" }), renderUnified(result.unified));
    }
    return out;
  }

  _renderFooter() {
    const blockers = this._blockers();
    const status = h("p", {
      class: blockers.length ? "error-text" : "ok-text",
      part: "status",
      id: `${this._id}-blockers`,
      text: blockers.length ? `Blocked: ${blockers.join("; ")}.` : "Ready to upgrade.",
    });
    const button = h("button", {
      type: "button",
      class: "primary",
      part: "upgrade-button",
      "data-key": "upgrade",
      "aria-describedby": `${this._id}-blockers`,
      disabled: blockers.length > 0,
      text: "Upgrade integration",
      onclick: () => {
        if (this._blockers().length) return;
        this.dispatchEvent(
          new CustomEvent("fleetup-upgrade", {
            bubbles: true,
            composed: true,
            detail: structuredClone(this._state.resolution.package_policy),
          }),
        );
      },
    });
    this._footer = h("div", { class: "footer", part: "footer" }, button, status);
    return this._footer;
  }

  /** Refreshes the button and its status line only (keeps an editor with a syntax error as it is). */
  _updateFooterOnly() {
    if (!this._footer) return;
    const next = this._renderFooter();
    const old = this._container.querySelector(".footer");
    if (old) old.replaceWith(next);
  }
}

/** A performance mark, for hosts and the load-time measurement (no-op where unsupported). */
function mark(name) {
  try {
    if (typeof performance !== "undefined" && performance.mark) performance.mark(name);
  } catch {
    // Marks are diagnostics only.
  }
}

function errorText(e) {
  const code = e && e.code ? `${e.code}: ` : "";
  return `${code}${e && e.message ? e.message : String(e)}`;
}

/** One `agent.diff` change record (all data as text). */
function renderAgentChange(ch) {
  const [words, tone] = AGENT_KINDS[ch.kind] ?? [String(ch.kind).replace(/_/g, " "), "info"];
  const row = h(
    "article",
    { class: `change ${tone}`, part: `agent-change change-${tone}`, "data-kind": ch.kind, "data-path": ch.path ?? "" },
    h(
      "div",
      { class: "title-row" },
      ch.path ? h("h4", {}, h("code", { text: ch.path })) : h("h4", { text: words }),
      h("span", { class: `badge ${tone}`, part: "badge", text: words }),
    ),
    h("p", { class: "message", text: ch.message }),
  );
  const dl = h("dl", { class: "values" });
  if (ch.before !== undefined) dl.append(h("dt", { text: "Before" }), h("dd", { class: "old", text: showValue(ch.before) }));
  if (ch.after !== undefined) dl.append(h("dt", { text: "After" }), h("dd", { class: "new", text: showValue(ch.after) }));
  if (dl.childElementCount) row.append(dl);
  return row;
}

/** A unified diff as a `<pre>` of one block per line, added and removed lines marked (text only). */
function renderUnified(text) {
  const lines = text.replace(/\n$/, "").split("\n");
  const pre = h("pre", {
    class: "agent-diff",
    part: "agent-diff",
    tabindex: "0",
    "data-key": "agent-diff",
    "aria-label": "Unified diff of the agent inputs: lines starting with + are added, with - removed",
  });
  for (const [i, line] of lines.slice(0, MAX_DIFF_LINES).entries()) {
    const cls = i < 2 && /^(\+\+\+|---)( |$)/.test(line) ? "file" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
    pre.append(h("span", { class: `line ${cls}`, text: `${line}\n` }));
  }
  if (lines.length > MAX_DIFF_LINES) {
    pre.append(h("span", { class: "line hunk", text: `… (${(lines.length - MAX_DIFF_LINES).toLocaleString("en")} more lines)` }));
  }
  return pre;
}

function coerce(raw, type) {
  return type === "integer" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

/** The core's YAML parser as a syntax check: the error message, or null when the text parses. */
function yamlError(text) {
  if (text.trim() === "") return null;
  try {
    parseYaml(text);
    return null;
  } catch (e) {
    return `YAML syntax error: ${e && e.message ? e.message : String(e)}`;
  }
}

// Start fetching and compiling the core as soon as the element is imported, so it overlaps the
// host's own data loading; failures surface (and are retried) when an element first renders.
if (typeof window !== "undefined") init().catch(() => {});

if (typeof customElements !== "undefined" && !customElements.get("fleetup-upgrade-review")) {
  customElements.define("fleetup-upgrade-review", FleetupUpgradeReview);
}
