// node-semver 7.8.5 vs fleetup on the same inputs, in one run:
//   1. in-process: satisfies(versionString, rangeString) in a Node loop vs fleetup's own Rust
//      timing loop (`fleetup semver bench`), plus both with pre-parsed arguments;
//   2. JSON Lines: the same request lines through `fleetup call` vs a Node loop (serve.mjs) that
//      reads them from stdin and writes responses, timed end to end.
// Inputs: every `conditions.kibana.version` of ../../../shared/corpus/packages against Kibana
// 7.9.0–9.2.x (a built-in sample when shared/ is absent). Run through ./run.sh.
import { createRequire } from 'node:module'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)
const semver = require('semver')
const here = path.dirname(fileURLToPath(import.meta.url))
const fleetup = process.env.FLEETUP || path.join(here, '../../target/release/fleetup')
const seconds = Number(process.env.SECONDS_PER_LOOP || 2)

const FALLBACK = ['^7.16.0 || ^8.0.0', '^7.14.0', '^8.0.0', '^7.13.0', '^8.2.1', '^7.15.0',
  '^7.14.0 || ^8.0.0', '^7.9.0', '^8.13.0 || ^9.0.0']

// The `conditions.kibana.version` of a manifest (dotted or nested form), as benches/semver.rs reads it.
const kibanaRange = (text) => {
  let inKibana = false
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (!t || t.startsWith('#')) continue
    let v = null
    if (t.startsWith('kibana.version:')) v = t.slice('kibana.version:'.length)
    else if (inKibana && t.startsWith('version:')) v = t.slice('version:'.length)
    if (v !== null) return v.trim().replace(/^["']|["']$/g, '')
    inKibana = t === 'kibana:'
  }
  return null
}

const corpus = path.join(here, '../../../shared/corpus/packages')
let ranges = []
if (fs.existsSync(corpus)) {
  for (const pkg of fs.readdirSync(corpus)) {
    const dir = path.join(corpus, pkg)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const rel of fs.readdirSync(dir)) {
      const m = path.join(dir, rel, 'manifest.yml')
      if (!fs.existsSync(m)) continue
      const r = kibanaRange(fs.readFileSync(m, 'utf8'))
      if (r !== null) ranges.push(r)
    }
  }
}
if (!ranges.length) {
  console.log(`note: ${corpus} not found; using ${FALLBACK.length} built-in ranges`)
  ranges = FALLBACK
}
const versions = []
for (let m = 9; m <= 17; m++) for (let p = 0; p <= 3; p++) versions.push(`7.${m}.${p}`)
for (let m = 0; m <= 19; m++) for (let p = 0; p <= 3; p++) versions.push(`8.${m}.${p}`)
for (let m = 0; m <= 2; m++) for (let p = 0; p <= 3; p++) versions.push(`9.${m}.${p}`)
const pairs = []
for (const v of versions) for (const r of ranges) pairs.push([v, r])

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetup-semver-bench-'))
const pairsFile = path.join(tmp, 'pairs.json')
fs.writeFileSync(pairsFile, JSON.stringify(pairs))

// Node in-process loops: same shape as the Rust ones (warm-up, then whole passes for ~seconds).
const timeLoop = (f) => {
  let sink = f()
  const start = process.hrtime.bigint()
  let rounds = 0
  const limit = BigInt(Math.round(seconds * 1e9))
  while (process.hrtime.bigint() - start < limit) {
    sink += f()
    rounds++
  }
  const ns = Number(process.hrtime.bigint() - start)
  return { ns: ns / (rounds * pairs.length), sink }
}
const nodeStr = timeLoop(() => {
  let hits = 0
  for (const [v, r] of pairs) if (semver.satisfies(v, r)) hits++
  return hits
})
const parsed = pairs.map(([v, r]) => [new semver.SemVer(v), new semver.Range(r)])
const nodeParsed = timeLoop(() => {
  let hits = 0
  for (const [v, r] of parsed) if (r.test(v)) hits++
  return hits
})

const rust = spawnSync(fleetup, ['semver', 'bench', pairsFile, '--seconds', String(seconds)], { encoding: 'utf8' })
if (rust.status !== 0) {
  console.error(`fleetup semver bench failed: ${rust.stderr}`)
  process.exit(1)
}
const ours = JSON.parse(rust.stdout)
const nodeHits = pairs.filter(([v, r]) => semver.satisfies(v, r)).length

// JSON Lines: the same requests through both, end to end (process start included).
const repeat = Math.max(1, Math.ceil(200000 / pairs.length))
const lines = []
for (let k = 0; k < repeat; k++) {
  for (const [v, r] of pairs) lines.push(JSON.stringify({ op: 'semver.satisfies', args: { version: v, range: r } }))
}
const linesFile = path.join(tmp, 'requests.jsonl')
fs.writeFileSync(linesFile, lines.join('\n') + '\n')
const timeProcess = (cmd, args) => {
  const fd = fs.openSync(linesFile, 'r')
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { stdio: [fd, 'pipe', 'inherit'], maxBuffer: 1 << 30, encoding: 'utf8' })
  const ns = Number(process.hrtime.bigint() - start)
  fs.closeSync(fd)
  if (r.status !== 0) throw new Error(`${cmd} failed`)
  return { ns, out: r.stdout }
}
const jlNode = timeProcess(process.execPath, [path.join(here, 'serve.mjs')])
const jlOurs = timeProcess(fleetup, ['call'])
const same = jlNode.out === jlOurs.out

const fmt = (x) => x.toFixed(1).padStart(8)
console.log(`inputs: ${ranges.length} ranges x ${versions.length} Kibana versions = ${pairs.length} pairs; node ${process.version}, semver ${require('semver/package.json').version}`)
console.log(`answers: in-process ${nodeHits} vs ${ours.hits} satisfied pairs (${nodeHits === ours.hits ? 'same' : 'DIFFERENT'}), JSON Lines output ${same ? 'identical' : 'DIFFERENT'}`)
console.log('')
console.log('                                  node-semver     fleetup    ratio')
console.log(`satisfies(string, string) ns/call ${fmt(nodeStr.ns)}    ${fmt(ours.ns_per_call_strings)}   ${(nodeStr.ns / ours.ns_per_call_strings).toFixed(1)}x`)
console.log(`Range.test(pre-parsed)    ns/call ${fmt(nodeParsed.ns)}    ${fmt(ours.ns_per_call_parsed)}   ${(nodeParsed.ns / ours.ns_per_call_parsed).toFixed(1)}x`)
const perLine = (t) => t.ns / lines.length
console.log(`JSON Lines (${lines.length} requests) ns/line ${fmt(perLine(jlNode))}    ${fmt(perLine(jlOurs))}   ${(jlNode.ns / jlOurs.ns).toFixed(1)}x`)
console.log(`JSON Lines wall time, ms           ${fmt(jlNode.ns / 1e6)}    ${fmt(jlOurs.ns / 1e6)}`)
fs.rmSync(tmp, { recursive: true, force: true })
if (!same || nodeHits !== ours.hits) process.exit(1)
