// The widget in real headless Chromium (Debian's, driven by playwright-core) on the bundled
// example and the corpus pairs: conflicts shown = the dry run's, fixing them by typing and
// clicking, the upgrade event's policy = the core's for the same edits, hostile values, secrets,
// keyboard-only use, an axe-core scan, and screenshots in target/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { init, dryRun, resolve, invoke, agentDiff } from "../src/index.js";
import { reviewFixtures, hasShared, repoDir, webDir, plantWindowsPassword } from "../scripts/fixtures.mjs";
import { startServer } from "../scripts/serve.mjs";

const CHROMIUM = process.env.FLEETUP_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const shots = join(repoDir, "target", "screenshots");
const SECRET = "S3cr3t-planted-7f1c9a";

let chromium = null;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  chromium = null;
}
const skip = !chromium
  ? "SKIPPED: playwright-core is not installed (run scripts/bootstrap.sh)"
  : !existsSync(CHROMIUM)
    ? `SKIPPED: no Chromium at ${CHROMIUM} (run scripts/bootstrap.sh)`
    : false;

let browser;
let server;
let fixtures = [];

before(async () => {
  if (skip) {
    console.log(skip);
    return;
  }
  await init();
  fixtures = await reviewFixtures();
  if (!hasShared()) console.log("SKIPPED corpus pairs: ../shared is absent (bundled example only)");
  server = await startServer({ port: 0, fixtures });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

async function openPage({ pair, theme = "light", nocsp = false, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("fleetup-ready", () => {
      window.__readyAt = performance.now();
    });
    document.addEventListener("fleetup-upgrade", (e) => {
      window.__upgrades = (window.__upgrades ?? []).concat([e.detail]);
    });
  });
  const q = new URLSearchParams({ pair, theme });
  if (nocsp) q.set("nocsp", "1");
  await page.goto(`${server.url}?${q}`);
  await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 30000 });
  return { page, context, errors, requests };
}

const review = (page) => page.locator("fleetup-upgrade-review");

/** Paths of the conflict records the widget shows. */
async function shownConflictPaths(page) {
  return page.locator("fleetup-upgrade-review article.change.conflict").evaluateAll((els) =>
    els.map((e) => e.getAttribute("data-path")).sort(),
  );
}

const pathOf = (c) => c.proposed_path ?? c.current_path ?? "";

async function chooseFilter(page, value) {
  await review(page).locator(`input[type=radio][value="${value}"]`).check();
}

/** Fixes every conflict through the UI: type a value, then fall back to buttons. */
async function fixConflicts(page) {
  const tried = new Map();
  for (let round = 0; round < 60; round++) {
    const conflict = review(page).locator("article.change.conflict").first();
    if ((await conflict.count()) === 0) return;
    const path = await conflict.getAttribute("data-path");
    const attempt = tried.get(path) ?? 0;
    tried.set(path, attempt + 1);
    const text = conflict.locator('input[type=text], input[type=number], input[type=password]').first();
    const area = conflict.locator("textarea").first();
    const select = conflict.locator("select").first();
    if (attempt === 0 && (await text.count())) {
      const type = await text.getAttribute("type");
      await text.fill(type === "number" ? "1" : "fixed-by-test");
      await text.press("Enter");
    } else if (attempt === 0 && (await area.count())) {
      await area.fill("fixed: by-test\n");
      await area.press("Tab");
    } else if (attempt === 0 && (await select.count())) {
      await select.selectOption({ index: 1 });
    } else if (attempt <= 1 && (await conflict.getByRole("button", { name: "Use new default" }).count())) {
      await conflict.getByRole("button", { name: "Use new default" }).click();
    } else if (await conflict.getByRole("button", { name: /^Disable this/ }).count()) {
      await conflict.getByRole("button", { name: /^Disable this/ }).first().click();
    } else {
      assert.fail(`cannot fix the conflict at ${path} through the UI`);
    }
  }
  assert.fail("conflicts remain after 60 rounds");
}

async function acknowledgeIfNeeded(page) {
  const ack = review(page).locator('input[type=checkbox][data-key="ack"]');
  if (await ack.count()) {
    assert.equal(await review(page).getByRole("button", { name: "Upgrade integration" }).isDisabled(), true);
    await ack.check();
  }
}

for (const id of ["acme_web", "windows-1.5.1-1.6.0", "fleet_server-0.1.7-0.2.0", "aws-1.23.4-1.28.0"]) {
  test(`review ${id}: conflicts = dry run, fix in place, upgrade = core's resolve`, { skip }, async (t) => {
    const f = fixtures.find((x) => x.id === id);
    if (!f) {
      t.skip(`SKIPPED: fixture ${id} needs ../shared`);
      return;
    }
    const { page, context, errors } = await openPage({ pair: id });
    try {
      // What Fleet's dry run reports for this policy, computed in Node by the same core.
      const dry = dryRun(f.currentPolicy, f.targetPackage);
      const dryConflicts = (dry.changes ?? []).filter((c) => c.severity === "conflict").map(pathOf).sort();
      const dryErrors = dry.diff[1].errors ?? [];
      assert.equal(dry.hasErrors, dryErrors.length > 0);
      await chooseFilter(page, "conflicts");
      const shown = await shownConflictPaths(page);
      assert.deepEqual(shown, dryConflicts, "the conflicts shown are the dry run's");
      assert.equal(shown.length > 0, dry.hasErrors, "conflicts shown iff the dry run has errors");
      // Every Kibana error key is covered by a conflict the widget shows.
      const base = resolve({ package_policy: f.currentPolicy, package_info: f.targetPackage, previous_package_info: f.currentPackage });
      for (const err of dryErrors) {
        assert.ok(
          base.conflicts.some((c) => (c.kibana_errors ?? []).some((k) => k.key === err.key) && shown.includes(pathOf(c))),
          `dry-run error ${err.key} is shown`,
        );
      }
      const summary = await review(page).locator(".stat.conflicts strong").first().textContent();
      assert.equal(Number(summary), shown.length);
      // The unchanged count (filled in after the first paint) is the core's.
      const proposed = { ...base.package_policy, ...(base.errors.length ? { errors: base.errors } : {}) };
      const full = invoke("plan.changes", {
        current: f.currentPolicy,
        proposed,
        package_info: f.targetPackage,
        previous_package_info: f.currentPackage,
        include_unchanged: true,
      });
      const wantUnchanged = String(full.changes.filter((c) => c.kind === "unchanged").length);
      await page.waitForFunction(
        (want) => document.querySelector("fleetup-upgrade-review").shadowRoot.querySelector(".stat.unchanged strong")?.textContent === want,
        wantUnchanged,
      );

      // The breaking-changes callout appears exactly when the changelog has entries in (from, to].
      const from = f.currentPolicy.package.version;
      const breaking = f.changelog ? invoke("fleet.breaking_changes", { changelog: f.changelog, from, to: f.targetPackage.version }) : [];
      assert.equal(await review(page).locator(".callout").count(), breaking.length ? 1 : 0, "breaking-changes callout");
      const button = review(page).getByRole("button", { name: "Upgrade integration" });
      if (shown.length) assert.equal(await button.isDisabled(), true, "blocked while conflicts remain");

      await fixConflicts(page);
      await acknowledgeIfNeeded(page);
      assert.equal(await button.isDisabled(), false, "the button enables once nothing blocks");
      await chooseFilter(page, "changes");
      await page.screenshot({ path: join(shots, `${id}-light.png`), fullPage: true });

      const edits = await review(page).evaluate((el) => el.edits);
      await button.click();
      const upgrades = await page.evaluate(() => window.__upgrades ?? []);
      assert.equal(upgrades.length, 1, "one fleetup-upgrade event");
      const expected = resolve({
        package_policy: f.currentPolicy,
        package_info: f.targetPackage,
        previous_package_info: f.currentPackage,
        edits,
      });
      assert.equal(expected.has_errors, false);
      assert.deepEqual(upgrades[0], expected.package_policy, "the event's policy is the core's for the same edits");
      assert.deepEqual(errors, [], "no page errors");
    } finally {
      await context.close();
    }
  });
}

test("dark theme (attribute and prefers-color-scheme) and screenshots", { skip }, async () => {
  for (const f of fixtures) {
    const { page, context } = await openPage({ pair: f.id, theme: "dark", colorScheme: "dark" });
    try {
      const bg = await review(page).evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, "rgb(22, 23, 28)", "dark background");
      await page.screenshot({ path: join(shots, `${f.id}-dark.png`), fullPage: true });
    } finally {
      await context.close();
    }
  }
  // System preference without a theme attribute.
  const { page, context } = await openPage({ pair: "acme_web", theme: "", colorScheme: "dark" });
  try {
    const bg = await review(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, "rgb(22, 23, 28)");
    const light = await openPage({ pair: "acme_web", theme: "light", colorScheme: "dark" });
    assert.equal(await review(light.page).evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(255, 255, 255)");
    await light.context.close();
  } finally {
    await context.close();
  }
});

/** Sets `value` on every non-secret var of a policy (all levels). */
function setAllVars(policy, fn) {
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    if (node.vars && typeof node.vars === "object") {
      for (const [name, entry] of Object.entries(node.vars)) fn(name, entry);
    }
    Object.values(node).forEach(walk);
  };
  walk(policy);
}

test("hostile values render as text and secrets never reach the DOM", { skip }, async () => {
  const f = fixtures.find((x) => x.id === "acme_web");
  const hostile = structuredClone(f.currentPolicy);
  const big = "A".repeat(100 * 1024);
  const payloads = [
    `<img src=x onerror="window.__pwned='img'">`,
    `</script><script>window.__pwned='script'</script>`,
    `"><svg onload="window.__pwned='svg'">`,
    big,
  ];
  hostile.name = payloads[0];
  hostile.description = payloads[1];
  const secretNames = new Set();
  for (const info of [f.currentPackage, f.targetPackage]) {
    const walk = (n) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== "object") return;
      if (typeof n.name === "string" && (n.secret === true || n.type === "password")) secretNames.add(n.name);
      Object.values(n).forEach(walk);
    };
    walk(info);
  }
  assert.ok(secretNames.size > 0, "the example has a secret var to plant into");
  let i = 0;
  setAllVars(hostile, (name, entry) => {
    if (secretNames.has(name)) entry.value = SECRET;
    else if (entry.type === "text" || typeof entry.value === "string" || entry.value == null) {
      entry.value = payloads[i++ % payloads.length];
    }
  });

  const { page, context, errors } = await openPage({ pair: "acme_web", nocsp: true });
  try {
    await review(page).evaluate((el, p) => {
      el.currentPolicy = p;
    }, hostile);
    await page.waitForFunction(() => document.querySelector("fleetup-upgrade-review").resolution !== null);
    await chooseFilter(page, "all");
    await review(page).locator("details.previous summary").click();
    // Type the secret into nothing, click around, then read the whole DOM.
    const dom = await page.evaluate(() => {
      const el = document.querySelector("fleetup-upgrade-review");
      const root = el.shadowRoot;
      const values = [...root.querySelectorAll("input, textarea, select")].map((x) => x.value);
      return {
        html: document.documentElement.outerHTML + root.innerHTML,
        text: root.textContent,
        values,
        imgs: root.querySelectorAll("img, svg, script").length,
        pwned: window.__pwned ?? null,
      };
    });
    assert.equal(dom.pwned, null, "no hostile script ran");
    assert.equal(dom.imgs, 0, "no element was created from data");
    assert.ok(dom.text.includes(`<img src=x onerror="window.__pwned='img'">`), "hostile markup is shown as text");
    assert.ok(dom.text.includes("</script><script>"), "closing script tags are shown as text");
    assert.ok(dom.text.includes("more characters"), "very long values are summarised");
    assert.ok(!dom.html.includes(SECRET), "the planted secret is not in the DOM");
    assert.ok(!dom.values.some((v) => v.includes(SECRET)), "no form control holds the secret");
    // The upgrade, once unblocked, carries the secret to Fleet (the event), never to the page.
    await fixConflicts(page);
    await acknowledgeIfNeeded(page);
    await review(page).getByRole("button", { name: "Upgrade integration" }).click();
    const after = await page.evaluate(() => document.documentElement.outerHTML + document.querySelector("fleetup-upgrade-review").shadowRoot.innerHTML);
    assert.ok(!after.includes(SECRET));
    const upgrades = await page.evaluate(() => window.__upgrades ?? []);
    assert.equal(upgrades.length, 1);
    assert.ok(JSON.stringify(upgrades[0]).includes(SECRET), "the event keeps the real secret for Fleet");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("YAML editors check syntax live and block the upgrade while invalid", { skip }, async (t) => {
  // The first fixture whose target package declares a yaml var (every corpus pair does).
  const hasYaml = (info) => JSON.stringify(info).includes('"type":"yaml"');
  const f = fixtures.find((x) => hasYaml(x.targetPackage));
  if (!f) {
    t.skip("SKIPPED: no fixture has a yaml var (../shared is absent)");
    return;
  }
  const { page, context } = await openPage({ pair: f.id });
  try {
    await fixConflicts(page);
    await acknowledgeIfNeeded(page);
    await chooseFilter(page, "all");
    const button = review(page).getByRole("button", { name: "Upgrade integration" });
    assert.equal(await button.isDisabled(), false);
    const area = review(page).locator('textarea[data-type="yaml"]').first();
    assert.ok((await area.count()) > 0, `${f.id} shows a yaml editor under "All fields"`);
    const key = await area.getAttribute("data-key");
    const same = review(page).locator(`textarea[data-key="${key}"]`);
    await same.fill("key: [unclosed\nother: x");
    const msg = await same.evaluate((el) => el.getRootNode().getElementById(el.getAttribute("aria-describedby")).textContent);
    assert.match(msg, /YAML syntax error/);
    assert.equal(await same.getAttribute("aria-invalid"), "true");
    assert.equal(await button.isDisabled(), true, "a syntax error blocks the upgrade");
    await same.fill("key: [closed]\n");
    assert.equal(await button.isDisabled(), false, "fixing the syntax unblocks it");
    await same.press("Tab");
    const edits = await review(page).evaluate((el) => el.edits);
    assert.ok(edits.some((e) => e.action === "set" && e.value === "key: [closed]\n"), "the YAML text became an edit");
  } finally {
    await context.close();
  }
});

test("keyboard only: tab to the conflict, type, Enter, acknowledge with Space, upgrade with Enter", { skip }, async () => {
  const id = fixtures.some((x) => x.id === "windows-1.5.1-1.6.0") ? "windows-1.5.1-1.6.0" : "acme_web";
  const { page, context } = await openPage({ pair: id });
  try {
    const deepActive = () =>
      page.evaluate(() => {
        let a = document.activeElement;
        while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
        if (!a) return null;
        const style = getComputedStyle(a);
        return {
          key: a.getAttribute("data-key"),
          tag: a.tagName,
          type: a.getAttribute("type"),
          outline: style.outlineStyle,
          inConflict: Boolean(a.closest && a.closest("article.change.conflict")),
          disabled: a.disabled === true,
        };
      });
    const tabTo = async (pred, what) => {
      for (let n = 0; n < 400; n++) {
        await page.keyboard.press("Tab");
        const a = await deepActive();
        if (a && pred(a)) return a;
      }
      assert.fail(`could not reach ${what} with Tab`);
    };
    // Fix each conflict: Tab to its first text field, type, Enter.
    for (let round = 0; round < 20; round++) {
      if ((await review(page).locator("article.change.conflict").count()) === 0) break;
      const a = await tabTo((x) => x.inConflict && x.tag === "INPUT" && (x.type === "text" || x.type === "number"), "a conflict editor");
      assert.notEqual(a.outline, "none", "focus is visible");
      await page.keyboard.type(a.type === "number" ? "1" : "from-keyboard");
      await page.keyboard.press("Enter");
      await page.keyboard.press("Shift+Tab");
    }
    assert.equal(await review(page).locator("article.change.conflict").count(), 0, "conflicts fixed from the keyboard");
    if (await review(page).locator('input[data-key="ack"]').count()) {
      const a = await tabTo((x) => x.key === "ack", "the acknowledge checkbox");
      assert.ok(a);
      await page.keyboard.press("Space");
    }
    const b = await tabTo((x) => x.key === "upgrade", "the upgrade button");
    assert.equal(b.disabled, false);
    assert.notEqual(b.outline, "none", "focus is visible on the button");
    await page.keyboard.press("Enter");
    const upgrades = await page.evaluate(() => window.__upgrades ?? []);
    assert.equal(upgrades.length, 1, "Enter on the button upgrades");
  } finally {
    await context.close();
  }
});

test("axe-core: no serious or critical violations (light and dark, every filter)", { skip }, async () => {
  const axeSource = readFileSync(join(webDir, "node_modules", "axe-core", "axe.min.js"), "utf8");
  const report = [];
  for (const f of fixtures) {
    for (const theme of ["light", "dark"]) {
      const { page, context } = await openPage({ pair: f.id, theme, nocsp: true, colorScheme: theme });
      try {
        await page.addScriptTag({ content: axeSource });
        await review(page).locator("details.previous summary").click();
        for (const filter of ["conflicts", "changes", "all"]) {
          await chooseFilter(page, filter);
          const violations = await page.evaluate(async () => {
            const r = await window.axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help, target: v.nodes[0]?.target }));
          });
          const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
          report.push({ pair: f.id, theme, filter, violations });
          assert.deepEqual(bad, [], `${f.id} ${theme} ${filter}: ${JSON.stringify(bad)}`);
        }
      } finally {
        await context.close();
      }
    }
  }
  writeFileSync(join(shots, "axe-report.json"), JSON.stringify(report, null, 2));
});

test("load to interactive for the aws pair", { skip }, async (t) => {
  if (!fixtures.some((x) => x.id === "aws-1.23.4-1.28.0")) {
    t.skip("SKIPPED: the aws pair needs ../shared");
    return;
  }
  const runs = [];
  for (let i = 0; i < 15; i++) {
    const { page, context } = await openPage({ pair: "aws-1.23.4-1.28.0" });
    try {
      runs.push(
        await page.evaluate(() => {
          const at = (n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null;
          const res = performance.getEntriesByType("resource").map((r) => [r.name.replace(/^.*\//, ""), Math.round(r.responseEnd)]);
          return { ready: window.__readyAt, wasm: at("fleetup:wasm-ready"), computed: at("fleetup:computed"), rendered: at("fleetup:rendered"), res };
        }),
      );
    } finally {
      await context.close();
    }
  }
  runs.sort((a, b) => a.ready - b.ready);
  // Nearest-rank median and p90 of the 15 runs.
  const median = runs[7].ready;
  const p90 = runs[13].ready;
  console.log(`aws 1.23.4 → 1.28.0 load → interactive (navigation start → fleetup-ready), ms: median ${median.toFixed(1)}, p90 ${p90.toFixed(1)}, runs ${runs.map((r) => r.ready.toFixed(1)).join(", ")}`);
  console.log(`median run breakdown: ${JSON.stringify(runs[7])}`);
  writeFileSync(join(shots, "timing.json"), JSON.stringify({ pair: "aws-1.23.4-1.28.0", runs }, null, 2));
  // A generous ceiling so a loaded CI machine does not flake; the target (300 ms) is reported.
  assert.ok(median < 5000, `median ${median} ms`);
});

// ---- Agent configuration panel ----

const agentRequests = (requests) => requests.filter((u) => /pkg-agent|fleetup_wasm_agent/.test(u));

/** Tabs (keyboard only) to the element with `data-key` = key inside the widget; returns its tag. */
async function tabToKey(page, key) {
  for (let n = 0; n < 600; n++) {
    await page.keyboard.press("Tab");
    const k = await page.evaluate(() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a ? a.getAttribute("data-key") : null;
    });
    if (k === key) return;
  }
  assert.fail(`could not reach ${key} with Tab`);
}

/** The agent changes the widget shows, as sorted `kind|path|message|before|after` strings. */
async function shownAgentChanges(page) {
  return review(page)
    .locator("details.agent-config article.change")
    .evaluateAll((els) =>
      els
        .map((e) => {
          const text = (sel) => e.querySelector(sel)?.textContent ?? "";
          return `${e.dataset.kind}|${e.dataset.path}|${text(".message")}|${text("dd.old")}|${text("dd.new")}`;
        })
        .sort(),
    );
}
const shown = (v) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
const agentKeys = (diff) => diff.changes.map((c) => `${c.kind}|${c.path ?? ""}|${c.message}|${shown(c.before)}|${shown(c.after)}`).sort();

/** Waits until the open agent panel has a result (or an error) for the widget's current edits. */
async function waitAgent(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector("fleetup-upgrade-review").shadowRoot;
    const st = root.querySelector("details.agent-config [role=status]");
    return st && !st.hasAttribute("aria-busy") && (st.textContent !== "" || root.querySelector("details.agent-config [role=alert]"));
  }, null, { timeout: 30000 });
}

test("agent configuration: not loaded until opened, opened by keyboard, changes = agentDiff, recomputed on edits", { skip }, async (t) => {
  const f = fixtures.find((x) => x.id === "kubernetes-1.3.3-1.4.0");
  if (!f) {
    t.skip("SKIPPED: the kubernetes pair needs ../shared");
    return;
  }
  const { page, context, errors, requests } = await openPage({ pair: f.id });
  try {
    const summary = review(page).locator('summary[data-key="agent-config"]');
    await summary.waitFor();
    assert.equal(await summary.textContent(), "Agent configuration");
    // Everything else works on the core module alone: switch filters, open the previous configuration.
    for (const filter of ["all", "conflicts", "changes"]) await chooseFilter(page, filter);
    await review(page).locator("details.previous summary").click();
    await page.waitForTimeout(300);
    assert.deepEqual(agentRequests(requests), [], "the agent module is not requested before the panel is opened");
    assert.ok(requests.some((u) => u.endsWith("/pkg/fleetup_wasm_bg.wasm")), "the core module was loaded");

    await tabToKey(page, "agent-config");
    await page.keyboard.press("Enter");
    assert.equal(await review(page).locator("details.agent-config").evaluate((d) => d.open), true, "Enter opens it");
    await waitAgent(page);
    assert.deepEqual(
      agentRequests(requests).map((u) => u.replace(/^.*\//, "")).sort(),
      ["fleetup_wasm_agent.js", "fleetup_wasm_agent_bg.wasm"],
      "opening loads the agent module",
    );

    // The same inputs through the JS API in Node.
    const expected = await agentDiff({
      current: f.currentPolicy,
      proposed: resolve({ package_policy: f.currentPolicy, package_info: f.targetPackage, previous_package_info: f.currentPackage, edits: [] }).package_policy,
      package_info: f.targetPackage,
      agent_templates: f.agentTemplates,
      current_package_info: f.currentPackage,
      current_agent_templates: f.currentAgentTemplates,
    });
    assert.deepEqual(await shownAgentChanges(page), agentKeys(expected), "the changes shown are agentDiff's");
    const moved = review(page).locator('details.agent-config article[data-kind="stream_moved"]');
    assert.equal(await moved.count(), 1);
    assert.match(await moved.textContent(), /kubernetes\.container_logs moves from the logfile input to the filestream input/);
    assert.equal(await review(page).locator("details.agent-config .stat.streams-moved strong").textContent(), "1");
    assert.ok(await review(page).locator('details.agent-config article[data-kind="input_started"]').count(), "filestream input started");
    const pre = review(page).locator("details.agent-config pre.agent-diff");
    assert.equal(await pre.textContent(), expected.unified.endsWith("\n") ? expected.unified : `${expected.unified}\n`, "the unified diff, as text");
    const added = expected.unified.split("\n").filter((l, i) => i > 1 && l.startsWith("+")).length;
    assert.equal(await pre.locator(".line.add").count(), added, "added lines are marked");
    assert.ok(await pre.locator(".line.del", { hasText: "type: logfile" }).count(), "the logfile line is marked removed");

    // An edit while open: uncheck the container logs' symlinks; the panel follows (debounced).
    await chooseFilter(page, "all");
    const path = await review(page).evaluate((el) => {
      const inputs = el.resolution.package_policy.inputs;
      for (const [i, input] of inputs.entries()) {
        for (const [j, st] of (input.streams ?? []).entries()) {
          if (st.data_stream?.dataset === "kubernetes.container_logs") return `/inputs/${i}/streams/${j}/vars/symlinks`;
        }
      }
      return null;
    });
    assert.ok(path);
    await review(page).locator(`input[data-key="ed:${path}"]`).uncheck();
    await waitAgent(page);
    const edits = await review(page).evaluate((el) => el.edits);
    assert.deepEqual(edits, [{ path, action: "set", value: false }]);
    const afterEdit = await agentDiff({
      current: f.currentPolicy,
      proposed: resolve({ package_policy: f.currentPolicy, package_info: f.targetPackage, previous_package_info: f.currentPackage, edits }).package_policy,
      package_info: f.targetPackage,
      agent_templates: f.agentTemplates,
      current_package_info: f.currentPackage,
      current_agent_templates: f.currentAgentTemplates,
    });
    assert.notDeepEqual(agentKeys(afterEdit), agentKeys(expected), "the edit changes the agent configuration");
    await page.waitForFunction(
      (want) => {
        const root = document.querySelector("fleetup-upgrade-review").shadowRoot;
        return root.querySelector("details.agent-config pre.agent-diff")?.textContent.includes(want);
      },
      "+        prospector.scanner.symlinks: false",
    );
    assert.deepEqual(await shownAgentChanges(page), agentKeys(afterEdit), "recomputed for the edit");
    assert.equal(agentRequests(requests).length, 2, "the module is loaded once");
    assert.deepEqual(errors, [], "no page errors");
  } finally {
    await context.close();
  }
});

test("agent configuration: the planted password never reaches the DOM; template errors are shown as text", { skip }, async (t) => {
  const f = fixtures.find((x) => x.id === "windows-1.5.1-1.6.0");
  if (!f) {
    t.skip("SKIPPED: the windows pair needs ../shared");
    return;
  }
  const { page, context, errors } = await openPage({ pair: f.id });
  try {
    await review(page).locator('summary[data-key="agent-config"]').waitFor();
    // Current side from the (absent) stored compiled inputs: everything the agent runs is added,
    // so the httpjson input with its password is in the diff (masked).
    const planted = plantWindowsPassword(f.currentPolicy, SECRET);
    await review(page).evaluate((el, p) => {
      el.currentAgentTemplates = null;
      el.currentPolicy = p;
    }, planted);
    await page.waitForFunction(() => document.querySelector("fleetup-upgrade-review").resolution !== null);
    await review(page).locator('summary[data-key="agent-config"]').click();
    await waitAgent(page);
    const pre = await review(page).locator("details.agent-config pre.agent-diff").textContent();
    assert.match(pre, /^\+ +auth\.basic\.password: '?\*{8}'?$/m, "the password is in the agent configuration, masked");
    assert.ok(await review(page).locator("details.agent-config", { hasText: "stored in the policy" }).count(), "the missing current templates are explained");
    const dom = await page.evaluate(() => {
      const root = document.querySelector("fleetup-upgrade-review").shadowRoot;
      return document.documentElement.outerHTML + root.innerHTML + [...root.querySelectorAll("input, textarea")].map((x) => x.value).join("\n");
    });
    assert.ok(!dom.includes(SECRET), "the planted password is not in the DOM");

    // A broken template: the error is the core's message, shown as text in the panel.
    const broken = { ...f.agentTemplates };
    const key = Object.keys(broken).find((k) => k.includes("httpjson"));
    broken[key] = `{{#if password}}<img src=x onerror="window.__pwned=1">{{/unless}}`;
    await review(page).evaluate((el, tpl) => {
      el.agentTemplates = tpl;
    }, broken);
    await waitAgent(page);
    const alert = review(page).locator("details.agent-config [role=alert]");
    assert.match(await alert.textContent(), /^TEMPLATE_ERROR: /);
    assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
    assert.equal(await review(page).locator("details.agent-config img").count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("agent configuration: axe-core (light and dark) and screenshots", { skip }, async (t) => {
  const f = fixtures.find((x) => x.id === "kubernetes-1.3.3-1.4.0") ?? fixtures.find((x) => x.id === "acme_web");
  if (!f.agentTemplates) {
    t.skip("SKIPPED: no fixture with agent templates");
    return;
  }
  const axeSource = readFileSync(join(webDir, "node_modules", "axe-core", "axe.min.js"), "utf8");
  const report = [];
  for (const theme of ["light", "dark"]) {
    const { page, context } = await openPage({ pair: f.id, theme, nocsp: true, colorScheme: theme });
    try {
      await page.addScriptTag({ content: axeSource });
      await review(page).locator('summary[data-key="agent-config"]').click();
      await waitAgent(page);
      assert.ok(await review(page).locator("details.agent-config pre.agent-diff").count(), "the diff is shown");
      const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help, target: v.nodes[0]?.target }));
      });
      report.push({ pair: f.id, theme, panel: "agent-config", violations });
      // Moderate ones too, for the panel: its landmarks must not repeat the review's.
      assert.deepEqual(violations.map((v) => v.id), [], `${f.id} ${theme}: ${JSON.stringify(violations)}`);
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(bad, [], `${f.id} ${theme}: ${JSON.stringify(bad)}`);
      await review(page).locator("details.agent-config").screenshot({ path: join(shots, `${f.id}-agent-${theme}.png`) });
    } finally {
      await context.close();
    }
  }
  writeFileSync(join(shots, "axe-report-agent.json"), JSON.stringify(report, null, 2));
});
