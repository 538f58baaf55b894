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
