//! TypeScript declarations for every JSON shape the exports take or return. They are emitted
//! into the generated `.d.ts` by wasm-bindgen, so `web/pkg` is typed without a separate file.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
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
"#;
