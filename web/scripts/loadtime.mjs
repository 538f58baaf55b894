// Load → interactive for the aws pair in headless Chromium: navigation start → the element's
// `fleetup-ready` event on the demo page, a fresh browser context (no cache) per run.
// Prints the median and p90 of RUNS runs (default 15) and the median run's breakdown.
//
// Usage: node web/scripts/loadtime.mjs [RUNS] [PAIR]   (needs playwright-core and Chromium)

import { chromium } from "playwright-core";

import { reviewFixtures } from "./fixtures.mjs";
import { startServer } from "./serve.mjs";

const RUNS = Number(process.argv[2] ?? 15);
const PAIR = process.argv[3] ?? "aws-1.23.4-1.28.0";
const CHROMIUM = process.env.FLEETUP_CHROMIUM ?? "/usr/bin/chromium";

/** Opens the demo on `pair` in a fresh context and returns the timings of one load. */
export async function measureLoad(browser, url, pair) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      document.addEventListener("fleetup-ready", () => {
        window.__readyAt = performance.now();
      });
    });
    await page.goto(`${url}?${new URLSearchParams({ pair, theme: "light" })}`);
    await page.waitForFunction(() => window.__readyAt !== undefined, null, { timeout: 30000 });
    return await page.evaluate(() => {
      const at = (n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null;
      const res = performance
        .getEntriesByType("resource")
        .map((r) => [r.name.replace(/^.*\//, ""), Math.round(r.responseEnd)]);
      return {
        ready: window.__readyAt,
        wasm: at("fleetup:wasm-ready"),
        computed: at("fleetup:computed"),
        rendered: at("fleetup:rendered"),
        res,
      };
    });
  } finally {
    await context.close();
  }
}

/** Median and 90th percentile (nearest rank) of `xs`. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: rank(0.5), p90: rank(0.9), min: s[0], max: s.at(-1) };
}

const fixtures = await reviewFixtures();
const server = await startServer({ port: 0, fixtures });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
try {
  // One warm-up load (the browser process itself, not the page, is being warmed).
  await measureLoad(browser, server.url, PAIR);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measureLoad(browser, server.url, PAIR));
  const st = stats(runs.map((r) => r.ready));
  runs.sort((a, b) => a.ready - b.ready);
  const mid = runs[Math.ceil(runs.length / 2) - 1];
  console.log(
    `${PAIR}: load → interactive over ${RUNS} runs, ms: median ${st.median.toFixed(1)}, p90 ${st.p90.toFixed(1)}, ` +
      `min ${st.min.toFixed(1)}, max ${st.max.toFixed(1)}`,
  );
  console.log(`median run: ${JSON.stringify(mid)}`);
} finally {
  await browser.close();
  await server.close();
}
