// Types of the <fleetup-upgrade-review> custom element.
import type { PackagePolicy, PackageInfo, ChangelogEntry, Edit, Resolution, AgentTemplates, WasmSource } from "./index.js";

/** `detail` of the `fleetup-change` event, fired after every edit is re-validated. */
export interface FleetupChangeDetail {
  edits: Edit[];
  hasErrors: boolean;
  conflicts: number;
  canUpgrade: boolean;
  /** The resolved policy so far (not yet safe to send when `canUpgrade` is false). */
  packagePolicy: PackagePolicy;
}

/** The upgrade review widget. Importing "@fleetup/web/element" registers it. */
export class FleetupUpgradeReview extends HTMLElement {
  /** The current package policy (Fleet's saved-object shape). */
  currentPolicy: PackagePolicy | null;
  /** The target version's PackageInfo. */
  targetPackage: PackageInfo | null;
  /** The installed version's PackageInfo (optional). */
  currentPackage: PackageInfo | null;
  /** Parsed changelog.yml entries (optional; defaults to `targetPackage.changelog`). */
  changelog: ChangelogEntry[] | null;
  /**
   * The target version's agent templates (optional): shows the "Agent configuration" panel,
   * computed by the agent module, which is loaded only when the panel is first opened.
   * Setting it keeps the edits.
   */
  agentTemplates: AgentTemplates | null;
  /** The installed version's agent templates (optional; with `currentPackage`, compiles the current policy). */
  currentAgentTemplates: AgentTemplates | null;
  /** Where the agent module's `.wasm` is, when not next to its glue (anything `loadAgentModule` accepts). */
  agentWasm: WasmSource | Promise<WasmSource> | undefined;
  /** The edits made so far, in the `plan.resolve` shape. */
  readonly edits: Edit[];
  /** The latest resolution, or null before the first one. */
  readonly resolution: Resolution | null;
  /** Whether "Upgrade integration" is enabled. */
  readonly canUpgrade: boolean;
}

declare global {
  interface HTMLElementTagNameMap {
    "fleetup-upgrade-review": FleetupUpgradeReview;
  }
  interface HTMLElementEventMap {
    /** Fired after each edit with the re-validated state. */
    "fleetup-change": CustomEvent<FleetupChangeDetail>;
    /** Fired by "Upgrade integration": `detail` is the resolved policy ready for Fleet's API. */
    "fleetup-upgrade": CustomEvent<PackagePolicy>;
    /** Fired once when the first review is rendered. */
    "fleetup-ready": CustomEvent<void>;
    /** Fired each time the open "Agent configuration" panel shows a new result (or error). */
    "fleetup-agent-ready": CustomEvent<void>;
  }
}
