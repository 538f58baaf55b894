// A tiny static server for the demo and the browser tests: serves web/ and, at
// /fixtures/index.json and /fixtures/<id>.json, the review fixtures (bundled example + corpus pairs from ../shared),
// and at /fixtures/agent/<id>.json their agent templates (apart, so a review's first paint does not wait for them).
// Every page gets a strict Content-Security-Policy (only 'wasm-unsafe-eval' added), unless the
// query has `nocsp`, which the hostile-value tests use to prove the widget is safe on its own.
//
// Usage: node web/scripts/serve.mjs [--port 8087] [--host 127.0.0.1]

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { reviewFixtures, webDir, hasShared } from "./fixtures.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
};

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Starts the server; resolves to `{url, close}`. Port 0 picks a free port. */
export async function startServer({ port = 8087, host = "127.0.0.1", fixtures } = {}) {
  const list = fixtures ?? (await reviewFixtures());
  // One small index and one document per pair, so a page only downloads the pair it shows.
  const index = JSON.stringify(list.map((f) => ({ id: f.id, title: f.title })));
  const byId = new Map(
    list.map(({ agentTemplates, currentAgentTemplates, ...f }) => [f.id, JSON.stringify(f)]),
  );
  const agentById = new Map(
    list
      .filter((f) => f.agentTemplates)
      .map((f) => [f.id, JSON.stringify({ agentTemplates: f.agentTemplates, currentAgentTemplates: f.currentAgentTemplates ?? null })]),
  );
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
      if (!url.searchParams.has("nocsp")) headers["content-security-policy"] = CSP;
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204, headers).end();
        return;
      }
      const m = /^\/fixtures\/(agent\/)?([A-Za-z0-9_.-]+)\.json$/.exec(url.pathname);
      if (m) {
        const body = m[1] ? agentById.get(m[2]) : m[2] === "index" ? index : byId.get(m[2]);
        if (body === undefined) {
          res.writeHead(404, headers).end("no such fixture");
          return;
        }
        res.writeHead(200, { ...headers, "content-type": TYPES[".json"] });
        res.end(body);
        return;
      }
      let path = decodeURIComponent(url.pathname);
      if (path === "/") path = "/demo/index.html";
      const file = normalize(join(webDir, path));
      // Only files under web/, and never its node_modules.
      if (!file.startsWith(webDir + sep) || file.includes(`${sep}node_modules${sep}`)) {
        res.writeHead(403, headers).end("forbidden");
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, headers).end("not found");
        return;
      }
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(await readFile(file));
    } catch (e) {
      res.writeHead(500).end(String(e && e.message));
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, ok);
  });
  const addr = server.address();
  return {
    url: `http://${host}:${addr.port}/`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (process.argv[1] && normalize(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
  };
  if (!hasShared()) console.log("../shared is absent: the demo shows the bundled example only");
  const { url } = await startServer({ port: Number(arg("--port", 8087)), host: arg("--host", "127.0.0.1") });
  console.log(`fleetup widget demo at ${url} (Ctrl-C to stop)`);
}
