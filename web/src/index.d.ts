// Types of the fleetup JS API. The JSON shapes come from the WebAssembly build's declarations.
import type {
  FleetupRequest,
  FleetupResponse,
  JsonValue,
  SemverOptions,
  PackagePolicy,
  PackageInfo,
  DryRunResult,
  PlanPolicyArgs,
  PolicyPlan,
  ResolveArgs,
  Resolution,
  ValidationResult,
} from "../pkg/fleetup_wasm.js";

export type * from "../pkg/fleetup_wasm.js";

/** What `init` accepts: a URL, a fetch Response, bytes or a compiled module. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Loads the WebAssembly module once; later calls return the same promise. */
export function init(input?: WasmSource | Promise<WasmSource>): Promise<void>;
/** Whether `init()` has completed. */
export function isReady(): boolean;
/** Runs a request and returns the envelope; never throws for bad input. */
export function call(request: FleetupRequest): FleetupResponse;
/** Runs a request given as JSON text; returns the envelope as JSON text. */
export function callJson(text: string): string;
/** Runs a request given as UTF-8 bytes; returns the envelope as UTF-8 bytes (`INVALID_UTF8` for bad bytes). */
export function callBytes(request: Uint8Array): Uint8Array;
/** Runs `op` on `args`; returns the result or throws a `FleetupError`. */
export function invoke(op: string, args?: { [key: string]: JsonValue }): JsonValue;
/** node-semver `satisfies`. */
export function satisfies(version: string, range: string, options?: SemverOptions): boolean;
/** node-semver `compare`: -1, 0 or 1; throws `INVALID_VERSION`. */
export function compare(a: string, b: string, options?: SemverOptions): -1 | 0 | 1;
/** Fleet's upgrade dry run for one policy. */
export function dryRun(packagePolicy: PackagePolicy, packageInfo: PackageInfo): DryRunResult;
/** The upgrade plan of one policy. */
export function planPolicy(args: PlanPolicyArgs): PolicyPlan;
/** Applies conflict-resolution edits and re-validates. */
export function resolve(args: ResolveArgs): Resolution;
/** Kibana's `validatePackagePolicy`. */
export function validate(packagePolicy: PackagePolicy, packageInfo: PackageInfo): ValidationResult;
/** Parses YAML as Kibana's js-yaml does; throws `INVALID_YAML`. */
export function parseYaml(text: string): JsonValue;
/** The fleetup version of the WebAssembly build. */
export function version(): string;
/** The text that replaces secret values. */
export const MASK: "********";

/** A change in what the agents run (`agent.diff`). */
export interface AgentChange {
  kind:
    | "input_started"
    | "input_stopped"
    | "stream_started"
    | "stream_stopped"
    | "stream_moved"
    | "key_added"
    | "key_removed"
    | "key_changed";
  input_type: string;
  dataset?: string;
  path?: string;
  before?: JsonValue;
  after?: JsonValue;
  message: string;
}

/** Agent templates of one package version: `{"<path in the package>": "<template text>"}`. */
export type AgentTemplates = { [path: string]: string };

/** Arguments of `agent.diff`. */
export interface AgentDiffArgs {
  current: PackagePolicy;
  proposed: PackagePolicy;
  /** The target version's PackageInfo. */
  package_info: PackageInfo;
  /** The target version's templates (compile `proposed`). */
  agent_templates?: AgentTemplates;
  /** With `current_agent_templates`: compile `current` (otherwise its stored `compiled_*` fields). */
  current_package_info?: PackageInfo | null;
  current_agent_templates?: AgentTemplates | null;
  agent_version?: string;
  output_id?: string;
  namespace?: string;
}

/** Result of `agent.diff`; password and secret values are masked everywhere. */
export interface AgentDiff {
  before: JsonValue[];
  after: JsonValue[];
  changes: AgentChange[];
  /** Unified diff of the `inputs:` YAML. */
  unified: string;
}

/** Arguments of `agent.standalone_inputs`. */
export interface StandaloneInputsArgs {
  package_policy: PackagePolicy;
  package_info: PackageInfo;
  agent_templates: AgentTemplates;
  agent_version?: string;
}

/** Result of `agent.standalone_inputs` (real values: it is the file an agent runs). */
export interface StandaloneInputs {
  inputs: JsonValue[];
  yaml: string;
}

/** The loaded agent module; its functions are synchronous and throw `FleetupError`. */
export interface AgentModule {
  call(request: FleetupRequest): FleetupResponse;
  callJson(text: string): string;
  invoke(op: string, args?: { [key: string]: JsonValue }): JsonValue;
  agentDiff(args: AgentDiffArgs): AgentDiff;
  standaloneInputs(args: StandaloneInputsArgs): StandaloneInputs;
  standaloneUpgrade(args: { [key: string]: JsonValue }): JsonValue;
  compileTemplate(args: { [key: string]: JsonValue }): JsonValue;
  version(): string;
}

/**
 * Loads the agent module (`pkg-agent/`, the core plus the Handlebars engine) once; later calls
 * return the same promise. Accepts what `init` accepts.
 */
export function loadAgentModule(input?: WasmSource | Promise<WasmSource>): Promise<AgentModule>;
/** `agent.diff`, loading the agent module on first use. */
export function agentDiff(args: AgentDiffArgs): Promise<AgentDiff>;
/** `agent.standalone_inputs`, loading the agent module on first use. */
export function standaloneInputs(args: StandaloneInputsArgs): Promise<StandaloneInputs>;
