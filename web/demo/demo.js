// Demo page: pick a fixture (bundled example or corpus pair) and review its upgrade.
import "../src/element.js";

const review = document.getElementById("review");
const pair = document.getElementById("pair");
const theme = document.getElementById("theme");
const log = document.getElementById("log");

const params = new URLSearchParams(location.search);
const fetchJson = (url) => fetch(url).then((r) => (r.ok ? r.json() : null));
// The pair named in the URL is fetched alongside the index rather than after it.
const early = params.get("pair") ? fetchJson(`/fixtures/${encodeURIComponent(params.get("pair"))}.json`) : null;
const fixtures = await fetchJson("/fixtures/index.json");
for (const f of fixtures) pair.append(new Option(f.title, f.id));

// The agent templates are fetched once the first review is on screen: they only feed the
// "Agent configuration" panel, so they stay off the critical path of the first paint.
const firstReady = new Promise((ok) => review.addEventListener("fleetup-ready", ok, { once: true }));
let shown = 0;

async function show(id, prefetched = null) {
  const ticket = ++shown;
  const known = fixtures.some((x) => x.id === id) ? id : fixtures[0].id;
  const f = (known === id && (await prefetched)) || (await fetchJson(`/fixtures/${encodeURIComponent(known)}.json`));
  if (ticket !== shown) return;
  review.changelog = f.changelog ?? null;
  review.currentPackage = f.currentPackage;
  review.targetPackage = f.targetPackage;
  review.currentPolicy = f.currentPolicy;
  review.agentTemplates = null;
  review.currentAgentTemplates = null;
  await firstReady;
  const t = await fetchJson(`/fixtures/agent/${encodeURIComponent(known)}.json`);
  if (ticket !== shown || !t) return;
  review.currentAgentTemplates = t.currentAgentTemplates;
  review.agentTemplates = t.agentTemplates;
}

if (params.get("pair")) pair.value = params.get("pair");
if (params.get("theme")) theme.value = params.get("theme");
function applyTheme() {
  if (theme.value) review.setAttribute("theme", theme.value);
  else review.removeAttribute("theme");
  document.body.className = theme.value;
}
applyTheme();
show(pair.value, early);
pair.addEventListener("change", () => show(pair.value));
theme.addEventListener("change", applyTheme);

review.addEventListener("fleetup-change", (e) => {
  log.textContent = `fleetup-change: ${e.detail.conflicts} conflict(s), canUpgrade=${e.detail.canUpgrade}`;
});
review.addEventListener("fleetup-upgrade", (e) => {
  window.__lastUpgrade = e.detail;
  // The policy may hold secrets in clear (it is what Fleet's API takes), so the page shows a summary only.
  const p = e.detail;
  log.textContent =
    `fleetup-upgrade: ready for PUT /api/fleet/package_policies/${p.id ?? "{id}"}\n` +
    `name: ${p.name}\npackage: ${p.package?.name} ${p.package?.version}\ninputs: ${p.inputs?.length ?? 0}`;
});
