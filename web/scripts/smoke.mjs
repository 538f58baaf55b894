// Quick check of the built package in Node: loads web/pkg and runs one request of each kind.
import { init, call, satisfies, version, parseYaml } from "../src/index.js";

await init();
const checks = [
  ["version", /^\d+\.\d+\.\d+/.test(version())],
  ["satisfies", satisfies("9.1.0", "^8.13.0 || ^9.0.0") === true],
  ["call", JSON.stringify(call({ op: "semver.compare", args: { a: "1.2.3", b: "1.10.0" } })) === '{"ok":-1}'],
  ["errors", call({ op: "nope" }).error?.code === "UNKNOWN_OP"],
  ["yaml", parseYaml("a: 1").a === 1],
];
const failed = checks.filter(([, ok]) => !ok).map(([n]) => n);
console.log(`${checks.length - failed.length} passed, ${failed.length} failed`);
if (failed.length) {
  console.error(`smoke-web failed: ${failed.join(", ")}`);
  process.exit(1);
}
