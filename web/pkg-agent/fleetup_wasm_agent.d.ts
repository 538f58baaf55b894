/* tslint:disable */
/* eslint-disable */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A request of the JSON operation contract. */
export interface FleetupRequest { op: string; args?: { [key: string]: JsonValue } | null; }

/** The error object of the contract. */
export interface FleetupErrorInfo {
    /** Stable code, e.g. "INVALID_VERSION". */
    code: string;
    /** One human sentence. */
    message: string;
    /** JSON Pointer into the request's args, where it applies. */
    path?: string;
}

/** A response envelope: exactly one of `ok` or `error`. */
export type FleetupResponse = { ok: JsonValue } | { error: FleetupErrorInfo };

/** What typed functions throw: a JS Error with the core's stable code. */
export interface FleetupError extends Error {
    name: "FleetupError";
    code: string;
    number: number;
    path?: string;
}

/** node-semver options. */
export interface SemverOptions { loose?: boolean; include_prerelease?: boolean; }

/** One var of a package policy. */
export interface PolicyVar { value?: JsonValue; type?: string; frozen?: boolean; }

/** A stream of a package policy input. */
export interface PolicyStream {
    id?: string;
    enabled: boolean;
    data_stream: { type?: string; dataset: string; [key: string]: JsonValue | undefined };
    vars?: { [name: string]: PolicyVar };
    compiled_stream?: JsonValue;
    [key: string]: JsonValue | undefined;
}

/** An input of a package policy. */
export interface PolicyInput {
    type: string;
    policy_template?: string;
    enabled: boolean;
    vars?: { [name: string]: PolicyVar };
    streams: PolicyStream[];
    [key: string]: JsonValue | undefined;
}

/** A package policy as Fleet's API returns and accepts it. */
export interface PackagePolicy {
    id?: string;
    name: string;
    namespace?: string;
    description?: string;
    enabled?: boolean;
    policy_id?: string | null;
    policy_ids?: string[];
    package?: { name: string; title?: string; version: string };
    vars?: { [name: string]: PolicyVar };
    inputs: PolicyInput[];
    /** Present on dry-run proposals: Kibana's flattened validation errors. */
    errors?: { key: string; message: string }[];
    [key: string]: JsonValue | undefined;
}

/** A var definition of a package (manifest `vars` entry). */
export interface VarDef {
    name: string;
    type: string;
    title?: string;
    description?: string;
    multi?: boolean;
    required?: boolean;
    show_user?: boolean;
    secret?: boolean;
    default?: JsonValue;
    options?: { value: string; text: string }[];
    [key: string]: JsonValue | undefined;
}

/** A PackageInfo as Fleet's EPM API returns it (only the fields fleetup reads are typed). */
export interface PackageInfo {
    name: string;
    version: string;
    title?: string;
    vars?: VarDef[];
    policy_templates?: JsonValue[];
    data_streams?: JsonValue[];
    changelog?: ChangelogEntry[];
    [key: string]: JsonValue | undefined;
}

/** One entry of changelog.yml. */
export interface ChangelogEntry {
    version: string;
    changes: { description: string; type: string; link?: string }[];
}

/** Kibana's flattened validation error. */
export interface KibanaError { key: string; message: string; }

/** Change kinds, as stable codes. */
export type ChangeKind =
| "input_added" | "input_removed" | "stream_added" | "stream_removed" | "input_type_changed"
| "enabled_changed" | "var_added" | "var_added_required" | "var_removed"
| "var_removed_user_value" | "value_kept" | "value_kept_default_changed" | "value_reset"
| "type_changed" | "multi_changed" | "required_changed" | "now_secret" | "var_moved"
| "likely_rename" | "deprecated" | "validation_error" | "unchanged";

/** One field-level change; values are already masked for secrets. */
export interface Change {
    kind: ChangeKind;
    severity: "conflict" | "attention" | "info";
    scope: "package" | "input" | "stream";
    policy_template?: string;
    input?: string;
    dataset?: string;
    var?: string;
    current_path: string | null;
    proposed_path: string | null;
    old_value?: JsonValue;
    new_value?: JsonValue;
    title?: string;
    type?: string;
    secret?: boolean;
    message: string;
    kibana_errors?: KibanaError[];
    details?: { [key: string]: JsonValue };
}

/** Counts of a change list. */
export interface ChangeSummary {
    conflicts: number;
    attention: number;
    info: number;
    by_kind: { [kind: string]: number };
}

/** Fleet's dry-run result for one policy, plus fleetup's change list. */
export interface DryRunResult {
    name: string;
    diff: [PackagePolicy, PackagePolicy];
    hasErrors: boolean;
    changes?: Change[];
    [key: string]: JsonValue | undefined;
}

/** Arguments of `planPolicy` (`plan.policy`). */
export interface PlanPolicyArgs {
    package_policy: PackagePolicy;
    package_info: PackageInfo;
    previous_package_info?: PackageInfo;
    previous_package_infos?: PackageInfo[];
    changelog?: ChangelogEntry[];
    installation?: JsonValue;
    mode?: "setup" | "install" | "agentless";
    include_unchanged?: boolean;
    include_proposed?: boolean;
}

/** The upgrade decision of one policy. */
export type Decision =
| "upgrade_automatically" | "upgrade_available" | "needs_review" | "blocked_by_deprecations"
| "blocked_by_breaking_changes" | "already_current" | "newer_than_target";

/** The result of `planPolicy`. */
export interface PolicyPlan {
    id: string | null;
    name: string | null;
    from_version: string | null;
    to_version: string;
    decision: Decision;
    reasons: { code: string; message: string }[];
    has_errors: boolean;
    summary: ChangeSummary;
    changes: Change[];
    proposed?: PackagePolicy;
    error?: FleetupErrorInfo;
}

/** One conflict-resolution edit, addressed by a JSON Pointer into the proposed policy. */
export interface Edit {
    path: string;
    action?: "set" | "keep_previous" | "use_default" | "disable" | "enable";
    value?: JsonValue;
    from?: string;
}

/** Arguments of `resolve` (`plan.resolve`). */
export interface ResolveArgs {
    package_policy: PackagePolicy;
    package_info: PackageInfo;
    previous_package_info?: PackageInfo;
    edits?: Edit[];
}

/** The result of `resolve`: the policy ready for Fleet's update API and what still blocks. */
export interface Resolution {
    package_policy: PackagePolicy;
    has_errors: boolean;
    errors: KibanaError[];
    conflicts: Change[];
    summary: ChangeSummary;
    changes: Change[];
}

/** Kibana's validation result (nested like the policy; `null` where a field is valid). */
export type ValidationResult = { [key: string]: JsonValue };



/**
 * Runs a request object `{op, args}` and returns the response envelope: `{ok: result}` or
 * `{error: {code, message, path?}}`. Never throws for bad input.
 */
export function call(request: FleetupRequest): FleetupResponse;

/**
 * Runs a request given as bytes (a `Uint8Array`, which must hold UTF-8) and returns the
 * response envelope as UTF-8 bytes; invalid UTF-8 gets an `INVALID_UTF8` envelope, as in C.
 */
export function callBytes(request: Uint8Array): Uint8Array;

/**
 * Runs a request given as JSON text and returns the response envelope as JSON text (the same
 * bytes `fleetup call` prints). A non-string request gets an `INVALID_ARGUMENT` envelope.
 */
export function callJson(request: string): string;

/**
 * node-semver `compare(a, b, options)`: -1, 0 or 1; throws `INVALID_VERSION` for bad input.
 */
export function compare(a: string, b: string, options?: SemverOptions | null): number;

/**
 * Fleet's upgrade dry run for one policy (`fleet.upgrade_dry_run`):
 * `{name, diff: [current, proposed], hasErrors, changes}`.
 */
export function dryRun(package_policy: PackagePolicy, package_info: PackageInfo): DryRunResult;

/**
 * Runs operation `op` on `args` and returns its result; throws a `FleetupError` (with `code`,
 * `number` and `path`) on failure.
 */
export function invoke(op: string, args: JsonValue): JsonValue;

/**
 * Parses a YAML document as Kibana's js-yaml would; throws `INVALID_YAML` with the line and
 * column in the message. Used for live syntax checks of `yaml` vars.
 */
export function parseYaml(text: string): JsonValue;

/**
 * The upgrade plan of one policy (`plan.policy`): decision, reasons, changes and summary.
 */
export function planPolicy(args: PlanPolicyArgs): PolicyPlan;

/**
 * Applies conflict-resolution edits and re-validates (`plan.resolve`).
 */
export function resolve(args: ResolveArgs): Resolution;

/**
 * node-semver `satisfies(version, range, options)`: never throws; bad input answers false.
 */
export function satisfies(version: string, range: string, options?: SemverOptions | null): boolean;

/**
 * Kibana's `validatePackagePolicy` (`fleet.validate_package_policy`).
 */
export function validate(package_policy: PackagePolicy, package_info: PackageInfo): ValidationResult;

/**
 * The fleetup version of this build.
 */
export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly call: (a: any) => [number, number, number];
    readonly callBytes: (a: any) => any;
    readonly callJson: (a: any) => [number, number];
    readonly compare: (a: any, b: any, c: number) => [number, number, number];
    readonly dryRun: (a: any, b: any) => [number, number, number];
    readonly invoke: (a: any, b: any) => [number, number, number];
    readonly parseYaml: (a: any) => [number, number, number];
    readonly planPolicy: (a: any) => [number, number, number];
    readonly resolve: (a: any) => [number, number, number];
    readonly satisfies: (a: any, b: any, c: number) => [number, number, number];
    readonly validate: (a: any, b: any) => [number, number, number];
    readonly version: () => [number, number];
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
