// Answers fleetup's `semver.*` JSON Lines requests with node-semver 7.8.5, in fleetup's response
// envelope. Used two ways: as the Node side of the JSON Lines benchmark (same input, same
// output shape as `fleetup call`), and as a differential oracle (diff.mjs).
import { createRequire } from 'node:module'
import readline from 'node:readline'

const require = createRequire(import.meta.url)
const semver = require('semver')

// fleetup's options object to node-semver's (other values pass through: node-semver reads a
// bare truthy value as loose, a falsy one as none).
const opts = (a) => {
  const o = a.options
  if (o === undefined || o === null) return {}
  if (typeof o !== 'object' || Array.isArray(o)) return o
  return { loose: o.loose, includePrerelease: o.include_prerelease || o.includePrerelease }
}
const sign = (n) => (n > 0 ? 1 : n < 0 ? -1 : 0)
// Which argument was invalid decides the code (node-semver throws TypeErrors for both).
const errorCode = (op, a) => {
  if (!op.startsWith('semver.compare') && (a.version === undefined || semver.valid(a.version, opts(a)) !== null)) {
    return 'INVALID_RANGE'
  }
  return 'INVALID_VERSION'
}

const ops = {
  'semver.valid': (a) => semver.valid(a.version, opts(a)),
  'semver.parse': (a) => {
    const v = semver.parse(a.version, opts(a))
    return v && { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease, build: v.build }
  },
  'semver.compare': (a) => sign(semver.compare(a.a, a.b, opts(a))),
  'semver.compare_build': (a) => sign(semver.compareBuild(a.a, a.b, opts(a))),
  'semver.compare_main': (a) => sign(new semver.SemVer(a.a, opts(a)).compareMain(new semver.SemVer(a.b, opts(a)))),
  'semver.compare_pre': (a) => sign(new semver.SemVer(a.a, opts(a)).comparePre(new semver.SemVer(a.b, opts(a)))),
  'semver.prerelease': (a) => semver.prerelease(a.version, opts(a)),
  'semver.satisfies': (a) => semver.satisfies(a.version, a.range, opts(a)),
  'semver.valid_range': (a) => semver.validRange(a.range, opts(a)),
  'semver.min_version': (a) => {
    const v = semver.minVersion(a.range, opts(a))
    return v ? v.version : null
  },
  'semver.max_satisfying': (a) => semver.maxSatisfying(a.versions, a.range, opts(a)),
  'semver.gtr': (a) => semver.gtr(a.version, a.range, opts(a)),
  'semver.ltr': (a) => semver.ltr(a.version, a.range, opts(a)),
  'semver.intersects': (a) => semver.intersects(a.range1, a.range2, opts(a)),
}

const answer = (line) => {
  let req
  try {
    req = JSON.parse(line)
  } catch (e) {
    return JSON.stringify({ error: { code: 'INVALID_JSON', message: e.message } })
  }
  const f = ops[req.op]
  if (!f) return JSON.stringify({ error: { code: 'UNKNOWN_OP', message: req.op } })
  try {
    const r = f(req.args || {})
    return '{"ok":' + JSON.stringify(r === undefined ? null : r) + '}'
  } catch (e) {
    return JSON.stringify({ error: { code: errorCode(req.op, req.args || {}), message: String(e.message) } })
  }
}

const out = []
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  out.push(answer(line))
  if (out.length >= 4096) process.stdout.write(out.splice(0).join('\n') + '\n')
})
rl.on('close', () => {
  if (out.length) process.stdout.write(out.join('\n') + '\n')
})
