// Differential check: random grammar-shaped inputs through node-semver 7.8.5 (serve.mjs) and
// `fleetup call`, comparing results (and error codes). Usage:
//   node diff.mjs [COUNT] [SEED]      (FLEETUP=path/to/fleetup, default ../../target/debug/fleetup)
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const count = Number(process.argv[2] || 20000)
let seed = Number(process.argv[3] || 1) >>> 0
const rnd = () => {
  // xorshift32: reproducible runs.
  seed ^= seed << 13; seed >>>= 0
  seed ^= seed >>> 17
  seed ^= seed << 5; seed >>>= 0
  return seed / 4294967296
}
const pick = (a) => a[Math.floor(rnd() * a.length)]

const nums = ['0', '1', '2', '3', '10', '01', '00', '9007199254740991', '9007199254740992', '99999999999999999999999', 'x', 'X', '*']
const pres = ['alpha', 'beta.1', '0', '1', 'rc.1', 'pre', 'SNAPSHOT', '01', 'a-b', '-', '9007199254740993', '9007199254740990', 'x', '0.a', 'x.1', 'alpha.0.beta', '00', '1a', 'a.', '.a', '', '1.2.3', 'beta+b', 'X-1']
const ops = ['', '', '', '<', '>', '<=', '>=', '=', '~', '~>', '^', '==', '=<', '!=', '> ', '~ ', '^ ', 'v', '= v', ' v ', 'V']
const ws = [' ', ' ', '  ', '\t', '\u00a0', '\ufeff', '\u0085', '', '\n', '\u2028', ' +b ', '+x ']

const part = () => {
  let s = pick(nums)
  const r = rnd()
  if (r < 0.75) s += '.' + pick(nums)
  if (r < 0.6) s += '.' + pick(nums)
  if (rnd() < 0.25) s += (rnd() < 0.8 ? '-' : '') + pick(pres)
  if (rnd() < 0.15) s += '+' + pick(['build', 'b.1', '00', 'x-y', ''])
  if (rnd() < 0.03) s += '.' + pick(nums)
  return s
}
const comparator = () => pick(ops) + part()
const set = () => {
  const r = rnd()
  if (r < 0.15) return part() + pick([' - ', ' -', ' - ', '-']) + part()
  const n = 1 + Math.floor(rnd() * 3)
  const out = []
  for (let i = 0; i < n; i++) out.push(comparator())
  return out.join(pick(ws))
}
// Character soup from the grammar's alphabet: finds odd concatenations the shaped generator misses.
const soup = () => {
  const alphabet = '0123456789..--++  xX*v=<>~^||\tabr\u00a0'
  const n = Math.floor(rnd() * 24)
  let s = ''
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)]
  return s
}
const range = () => {
  if (rnd() < 0.2) return soup()
  const r = rnd()
  if (r < 0.04) return pick(['', '*', 'x', '||', ' ', 'blerg', '>=*', '<x', '>X', '~', '^', '>=0.0.0', '>=0.0.0-0'])
  const n = 1 + Math.floor(rnd() * 2.5)
  const out = []
  for (let i = 0; i < n; i++) out.push(set())
  return out.join(pick(['||', ' || ', ' ||', '|| ']))
}
const version = () => {
  if (rnd() < 0.1) return soup()
  const r = rnd()
  if (r < 0.1) return pick(['', 'v1.2.3', ' 1.2.3 ', '=1.2.3', '1.2', '1.2.3.4', 'not a version', '1.2.3beta', '01.2.3'])
  return (rnd() < 0.1 ? pick(ops) : '') + part()
}
const options = () => {
  const r = rnd()
  if (r < 0.35) return undefined
  // JS-truthiness forms node-semver accepts: a bare truthy value means loose.
  if (r < 0.45) return pick([true, false, 1, 0, 'yes', '', null, [], {}, { loose: 1 }, { loose: 0 }, { includePrerelease: true }])
  return { loose: rnd() < 0.5, include_prerelease: rnd() < 0.5 }
}

const reqs = []
for (let i = 0; i < count; i++) {
  const o = options()
  const k = rnd()
  let req
  if (k < 0.3) req = { op: 'semver.satisfies', args: { version: version(), range: range(), options: o } }
  else if (k < 0.5) req = { op: 'semver.valid_range', args: { range: range(), options: o } }
  else if (k < 0.58) req = { op: 'semver.min_version', args: { range: range(), options: o } }
  else if (k < 0.66) req = { op: pick(['semver.gtr', 'semver.ltr']), args: { version: version(), range: range(), options: o } }
  else if (k < 0.74) req = { op: 'semver.intersects', args: { range1: range(), range2: range(), options: o } }
  else if (k < 0.8) req = { op: 'semver.max_satisfying', args: { versions: [version(), version(), version()], range: range(), options: o } }
  else if (k < 0.9) req = { op: pick(['semver.valid', 'semver.parse', 'semver.prerelease']), args: { version: version(), options: o } }
  else req = { op: pick(['semver.compare', 'semver.compare_build', 'semver.compare_main', 'semver.compare_pre']), args: { a: version(), b: version(), options: o } }
  reqs.push(JSON.stringify(req))
}
const input = reqs.join('\n') + '\n'
const fleetup = process.env.FLEETUP || path.join(here, '../../target/debug/fleetup')
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`)
  return r.stdout.trimEnd().split('\n')
}
const node = run(process.execPath, [path.join(here, 'serve.mjs')])
const ours = run(fleetup, ['call'])
let bad = 0
const same = (a, b) => {
  if (a.error || b.error) return !!(a.error && b.error && a.error.code === b.error.code)
  return JSON.stringify(a.ok) === JSON.stringify(b.ok)
}
for (let i = 0; i < reqs.length; i++) {
  const a = JSON.parse(node[i])
  const b = JSON.parse(ours[i])
  if (!same(a, b)) {
    if (bad < 40) console.log(`MISMATCH ${reqs[i]}\n  node:    ${node[i]}\n  fleetup: ${ours[i]}`)
    bad++
  }
}
console.log(`${reqs.length} requests, ${bad} mismatches`)
process.exit(bad ? 1 : 0)
