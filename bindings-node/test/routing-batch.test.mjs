// `routeBatch` / `routeBatchAsync` (index.js + encode.rs): the decisions decoded from the
// compact encoding are exactly what `JSON.parse(routeBatchJson(...))` gives on an identical
// router (deepStrictEqual, and `JSON.stringify` byte for byte the core's JSON), whichever way
// the leads cross (flat: src/leads.rs; JSON text of their wanted keys; or the native object
// reader); only the keys
// routing reads (`leadFields()`) are read, and problems there keep their codes and paths.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const revcore = createRequire(import.meta.url)('../index.js')
const { Router, sample } = revcore
const { leadsText, leadsFlat, routeBatchFlat, decodeDecisions } = revcore.__batchInternals

// A Wednesday, 10:00:00.123 in New York: inside working hours, with milliseconds.
const NOW = '2026-03-04T15:00:00.123Z'
const HOURS = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }]
const rep = (id, extra = {}) => ({
  id,
  name: `Rep ${id}`,
  role: 'ae',
  time_zone: 'America/New_York',
  working_hours: HOURS,
  ...extra,
})
const REPS = [
  rep('R-1'),
  rep('R-2', { out_of_office: [{ start: '2026-03-02T00:00:00Z', end: '2026-03-06T00:00:00Z', reason: 'vacation' }] }),
  rep('R-3', { active: false }),
  rep('R-4', { weight: 2 }),
  rep('R-5', { holidays: ['2026-03-04'] }),
  rep('R-6', { time_zone: 'Asia/Tokyo' }), // 00:00 on Thursday there: outside hours
  rep('R-7', { capacity: 1 }),
]
const CONFIG = {
  version: 1,
  matching: { by_domain: true, by_company_name: true, name_similarity: 0.9, sticky: true, sticky_fallback: 'rules' },
  rules: [
    { id: 'big', condition: { field: 'employees', gte: 1000 }, target: 'territories', sla_minutes: 7 },
    // A double JSON text must carry exactly (serde_json's float_roundtrip).
    { id: 'scored', condition: { field: 'score', gte: 0.30000000000000004 }, target: { queue: 'scored' } },
    { id: 'events', condition: { field: 'source', eq: 'event' }, target: { queue: 'events' } },
    { id: 'vip', condition: { field: 'source', eq: 'vip' }, target: { rep: 'R-2' } },
    { id: 'direct', condition: { field: 'source', eq: 'direct' }, target: { rep: 'R-1' } },
    { id: 'weighted', condition: { field: 'segment', eq: 'w' }, target: { pool: 'w' } },
    { id: 'nobody', condition: { field: 'source', eq: 'nobody' }, target: { pool: 'off' } },
    { id: 'all', condition: { field: 'country', in: ['US', 'DE', 'JP'] }, target: { pool: 'rr' } },
  ],
  territories: [
    { id: 'na', name: 'North America', condition: { field: 'country', in: ['US', 'CA'] }, pool: 'rr' },
    { id: 'na-ent', name: 'NA Enterprise', parent_id: 'na', condition: { field: 'employees', gte: 5000 }, pool: 'w' },
  ],
  pools: [
    {
      id: 'rr',
      strategy: 'round_robin',
      members: ['R-1', 'R-2', 'R-3', 'R-5', 'R-6', 'R-4', 'R-7'].map((rep_id) => ({ rep_id })),
      daily_cap: 4,
    },
    { id: 'w', strategy: 'weighted_round_robin', members: [{ rep_id: 'R-1' }, { rep_id: 'R-4' }] },
    { id: 'off', strategy: 'least_loaded', members: [{ rep_id: 'R-2' }, { rep_id: 'R-3' }] },
  ],
  fallback_queue: 'unassigned',
  sla: { first_touch_minutes: 30 },
}
const ACCOUNTS = [
  { id: 'A-1', name: 'Acme Inc', domain: 'acme.com', owner_id: 'R-1' },
  { id: 'A-2', name: 'Beta', domain: 'beta.com', owner_id: 'R-2' },
  { id: 'A-3', name: 'Gamma', domain: 'gamma.com', owner_id: 'R-3' },
  { id: 'A-4', name: 'Delta', domain: 'delta.com', owner_id: 'R-99' },
  { id: 'A-5', name: 'Épsilon Société Générale', domain: 'epsilon.fr' },
  { id: 'A-6', name: 'Tokio', domain: 'tokio.jp', owner_id: 'R-6' },
]
const at = '2026-03-04T14:00:00Z'
const LEADS = [
  { id: 'L-free', created_at: at, email: 'ana@gmail.com', country: 'US' },
  { id: 'L-sticky', created_at: at, email: 'bob@acme.com', country: 'FR' },
  { id: 'L-site', created_at: at, website: 'https://www.acme.com/about', country: 'US' },
  { id: 'L-ooo', created_at: at, email: 'cy@beta.com', country: 'US' },
  { id: 'L-inactive', created_at: at, email: 'di@gamma.com', country: 'DE' },
  { id: 'L-unknown', created_at: at, email: 'ed@delta.com', country: 'JP' },
  { id: 'L-hours', created_at: at, email: 'fu@tokio.jp', country: 'JP' },
  { id: 'L-name', created_at: at, company: 'Epsilon Societe Generale SA', country: 'US' },
  { id: 'L-missing', created_at: at },
  { id: 'L-event', created_at: at, source: 'event', employees: 10 },
  { id: 'L-vip', created_at: at, source: 'vip' },
  { id: 'L-direct', created_at: at, source: 'direct' },
  { id: 'L-attr', created_at: at, attributes: { segment: 'w' } },
  { id: 'L-attr-top', created_at: at, segment: 'w', notes: 'kept out of routing' },
  { id: 'L-nobody', created_at: at, source: 'nobody' },
  { id: 'L-na-ent', created_at: at, employees: 6000, country: 'US' },
  { id: 'L-na', created_at: at, employees: 2000, country: 'CA' },
  { id: 'L-no-territory', created_at: at, employees: 2000, country: 'DE' },
  { id: 'L-nul-\u0000-id', created_at: at, country: 'US', company: 'Nul\u0000 Co' },
  { id: 'L-ünï-日本-😀', created_at: new Date(at), country: 'US', email: 'zoë@例え.jp' },
  { id: 'L-"quoted"\\\n\t', created_at: at, country: 'US', employees: 999 },
  { id: 'L-score', created_at: at, score: 0.30000000000000004 },
  { id: 'L-score-low', created_at: at, attributes: { score: 0.3 } },
  ...Array.from({ length: 30 }, (_, i) => ({ id: `L-${i}`, created_at: at, country: 'US', email: `p${i}@corp${i}.com` })),
]

/** A lead of a class: not a plain object, so its batch goes through the native reader. */
class LeadRecord {
  constructor(fields) {
    Object.assign(this, fields)
  }
}

/**
 * Routes `leads` on identical routers every way: `routeBatch`, `routeBatchJson` (the core's
 * JSON), `routeBatchAsync`, and `routeBatch` of the same leads as class instances (the
 * native reader); checks they agree, byte for byte, and returns the decisions.
 */
async function agreeEveryWay(config, reps, accounts, leads, now) {
  const routers = Array.from({ length: 5 }, () => new Router(config, reps, accounts))
  assert.notEqual(leadsText(leads, routers[0]), undefined, 'these leads cross as text')
  const batch = routers[0].routeBatch(leads, now)
  const text = routers[1].routeBatchJson(JSON.stringify(leads), now)
  const expected = JSON.parse(text)
  assert.deepStrictEqual(batch, expected)
  assert.equal(JSON.stringify(batch), text, 'the core JSON, byte for byte')
  // The flat half alone: the same decisions, or (a string holding NUL) null and nothing routed,
  // routeBatch then sending the batch as text.
  const flat = leadsFlat(leads, routers[4])
  assert.notEqual(flat, undefined, 'these leads cross flat')
  const viaFlat = routeBatchFlat(routers[4], flat, now)
  if (JSON.stringify(leads).includes('\\u0000')) {
    assert.equal(viaFlat, null, 'a NUL in a string: not taken flat')
    assert.equal(routers[4].state().version, 0)
  } else {
    assert.notEqual(viaFlat, null, 'taken flat')
    assert.equal(JSON.stringify(decodeDecisions(viaFlat)), text)
    // Decoded again: the decoder is now compiled for every step mask of this batch.
    assert.equal(JSON.stringify(decodeDecisions(viaFlat)), text, 'decoded again')
  }
  const later = await routers[2].routeBatchAsync(leads, now)
  assert.deepStrictEqual(later, expected)
  assert.equal(JSON.stringify(later), text)
  const records = leads.map((l) => new LeadRecord(l))
  assert.equal(leadsText(records, routers[3]), undefined, 'class instances are read natively')
  const read = routers[3].routeBatch(records, now)
  assert.deepStrictEqual(read, expected)
  assert.equal(JSON.stringify(read), text)
  for (const r of routers.slice(1, viaFlat === null ? 4 : 5)) assert.deepStrictEqual(r.state(), routers[0].state())
  return batch
}

test('sample leads: routeBatch is JSON.parse(routeBatchJson) exactly, every way', async () => {
  const world = sample.generate({ seed: 11, leads: 400 })
  const { routing_config: config, reps, accounts, leads } = world
  const decisions = await agreeEveryWay(config, reps, accounts, leads, '2026-03-02T15:00:00Z')
  assert.equal(decisions.length, leads.length)
  assert.ok(decisions.some((d) => d.owner_id !== null) && decisions.some((d) => d.sla_due !== null))
  // Dates where the leads have strings: still text, same decisions.
  const dated = leads.map((l) => ({ ...l, created_at: new Date(l.created_at) }))
  const a = new Router(config, reps, accounts)
  const b = new Router(config, reps, accounts)
  assert.notEqual(leadsText(dated, a), undefined)
  assert.deepStrictEqual(a.routeBatch(dated, new Date('2026-03-02T15:00:00Z')), b.routeBatch(leads, '2026-03-02T15:00:00Z'))
})

test('hand-made leads: every trace step, sub-second SLA times, NUL and non-ASCII ids', async () => {
  const seen = new Set()
  const note = (decisions) => {
    for (const d of decisions) {
      for (const s of d.trace) {
        seen.add(`${s.step}:${s.result ?? ''}:${s.reason ?? ''}:${s.by ?? ''}`)
        if (s.missing_fields) seen.add(`missing:${s.missing_fields.join(',')}`)
        if (s.domain) seen.add(`domain:${s.domain}`)
      }
    }
  }
  const decisions = await agreeEveryWay(CONFIG, REPS, ACCOUNTS, LEADS, NOW)
  note(decisions)
  // Without the NUL lead the batch crosses flat (agreeEveryWay checks that half alone).
  await agreeEveryWay(CONFIG, REPS, ACCOUNTS, LEADS.filter((l) => !JSON.stringify(l).includes('\\u0000')), NOW)
  // The owner's own account leads, and the rules; SLA due times keep their milliseconds.
  const sla = decisions.filter((d) => d.sla_due !== null)
  assert.ok(sla.length > 0 && sla.every((d) => d.sla_due.endsWith('.123Z')), JSON.stringify(sla.map((d) => d.sla_due)))
  assert.equal(decisions.find((d) => d.lead_id === 'L-nul-\u0000-id')?.lead_id, 'L-nul-\u0000-id')
  assert.ok(decisions.some((d) => d.lead_id === 'L-ünï-日本-😀'))
  assert.equal(decisions.find((d) => d.lead_id === 'L-score').queue, 'scored')
  assert.notEqual(decisions.find((d) => d.lead_id === 'L-score-low').rule_id, 'scored')
  // Sticky owner unavailable with `sticky_fallback: queue`.
  const toQueue = { ...CONFIG, matching: { ...CONFIG.matching, sticky_fallback: 'queue' } }
  note(await agreeEveryWay(toQueue, REPS, ACCOUNTS, LEADS, NOW))
  // No accounts at all; and other sub-second instants (micro- and nanoseconds, a half second).
  note(await agreeEveryWay(CONFIG, REPS, undefined, LEADS, '2026-03-04T15:00:00.000123Z'))
  const nanos = await agreeEveryWay(CONFIG, REPS, ACCOUNTS, LEADS, '2026-03-04T10:00:00.123456789-05:00')
  assert.ok(nanos.some((d) => d.sla_due?.endsWith('.123456789Z')))
  const half = await agreeEveryWay(CONFIG, REPS, ACCOUNTS, LEADS, '2026-03-04T15:00:00.5Z')
  assert.ok(half.some((d) => d.sla_due?.endsWith(':00.500Z')), JSON.stringify(half.map((d) => d.sla_due)))
  const whole = await agreeEveryWay(CONFIG, REPS, ACCOUNTS, LEADS, '2026-03-04T15:00:00Z')
  assert.ok(whole.some((d) => d.sla_due?.endsWith(':00Z')))

  for (const kind of [
    'account_match:matched::domain',
    'account_match:matched::company_name',
    'account_match:free_mail::',
    'account_match:none::',
    'account_match:no_accounts::',
    'domain:gmail.com',
    'sticky:assigned::',
    'sticky:no_owner::',
    'sticky:owner_unknown::',
    'sticky:owner_inactive::',
    'sticky:owner_unavailable:out_of_office:',
    'sticky:owner_unavailable:outside_hours:',
    'rule:matched::',
    'rule:not_matched::',
    'missing:employees',
    'territory:selected::',
    'territory:none::',
    'candidate:selected::',
    'candidate:skipped:inactive:',
    'candidate:skipped:out_of_office:',
    'candidate:skipped:holiday:',
    'candidate:skipped:outside_hours:',
    'candidate:skipped:not_their_turn:',
    'candidate:skipped:daily_cap_reached:',
    'candidate:skipped:open_cap_reached:',
    'target_rep:assigned::',
    'target_rep:skipped:out_of_office:',
    'fallback::queue_rule:',
    'fallback::no_rule_matched:',
    'fallback::no_territory:',
    'fallback::no_eligible_rep:',
    'fallback::sticky_owner_unavailable:',
    'sla:::',
  ]) {
    assert.ok(seen.has(kind), `no ${kind} step in ${[...seen].sort().join(' ')}`)
  }
})

test('leadFields() lists the keys routing reads', () => {
  const router = new Router(CONFIG, REPS, ACCOUNTS)
  assert.deepStrictEqual(router.leadFields(), [
    'attributes', 'company', 'country', 'created_at', 'email', 'employees', 'id', 'score', 'segment', 'source', 'website',
  ])
  const bare = new Router({ ...CONFIG, matching: { by_domain: false, by_company_name: false } }, REPS)
  assert.ok(!bare.leadFields().includes('email') && bare.leadFields().includes('source'))
  // The native helpers stay out of the API.
  assert.equal(Router.prototype.routeBatchText, undefined)
  assert.equal(Router.prototype.routeBatchTextAsync, undefined)
})

/** The error `fn` throws, or the rejection of the promise it returns. */
async function failure(fn) {
  try {
    await fn()
  } catch (err) {
    return err
  }
  assert.fail('expected an error')
}

const problems = (err) => err.errors.map(({ path, code }) => ({ path, code }))

test('a bad value in a key routing reads: the same error, code and path, as before', async () => {
  const good = { id: 'L-0', created_at: at, country: 'US' }
  const cases = [
    ['created_at', NaN, 'invalid_number'],
    ['employees', Infinity, 'invalid_number'],
    ['employees', -Infinity, 'invalid_number'],
    ['employees', 10n, 'invalid_type'],
    ['country', new Map([['a', 1]]), 'invalid_type'],
    ['created_at', new Date('nope'), 'invalid_date'],
    ['source', Symbol('s'), 'invalid_type'],
    ['source', () => 1, 'invalid_type'],
    ['email', new Uint8Array(2), 'invalid_type'],
  ]
  for (const [key, value, code] of cases) {
    const router = new Router(CONFIG, REPS, ACCOUNTS)
    const lead = { id: 'L-1', created_at: at, [key]: value }
    const expected = [{ path: `leads[1].${key}`, code }]
    const err = await failure(() => router.routeBatch([good, lead], NOW))
    assert.equal(err.code, 'parse', String(err))
    assert.equal(err.name, 'ParseError')
    assert.deepStrictEqual(problems(err), expected, `${key}: ${String(value)}`)
    const later = await failure(() => router.routeBatchAsync([good, lead], NOW))
    assert.deepStrictEqual(problems(later), expected)
    const one = await failure(() => router.route(lead, NOW))
    assert.deepStrictEqual(problems(one), [{ path: `lead.${key}`, code }])
    // Nested in a wanted key (an attribute a condition reads) too.
    const nested = { id: 'L-1', created_at: at, attributes: { segment: { deep: [value] } } }
    const deep = await failure(() => router.routeBatch([good, nested], NOW))
    assert.deepStrictEqual(problems(deep), [{ path: 'leads[1].attributes.segment.deep[0]', code }])
    assert.equal(router.state().version, 0, 'failed calls change nothing')
  }
})

test('a bad value in a key routing does not read is never read', async () => {
  const junk = {
    phone: NaN,
    notes: 10n,
    tags: new Set([1]),
    first_touch_at: new Date('nope'),
    status: 'not-a-status',
    callback: () => 1,
    self: null,
    get boom() {
      throw new Error('never read')
    },
  }
  junk.self = junk // a cycle, never followed
  const clean = LEADS.slice(0, 12)
  const dirty = clean.map((l) => ({ ...l, ...Object.getOwnPropertyDescriptors(junk) }))
  for (const l of dirty) {
    Object.defineProperties(l, Object.getOwnPropertyDescriptors(junk))
  }
  const [a, b, c, d] = Array.from({ length: 4 }, () => new Router(CONFIG, REPS, ACCOUNTS))
  const expected = a.routeBatch(clean, NOW)
  assert.notEqual(leadsText(dirty, b), undefined, 'the wanted keys are JSON-safe: text')
  assert.deepStrictEqual(b.routeBatch(dirty, NOW), expected)
  assert.deepStrictEqual(await c.routeBatchAsync(dirty, NOW), expected)
  // A class instance with the same junk: the native reader skips it too.
  const records = dirty.map((l) => Object.setPrototypeOf(l, LeadRecord.prototype))
  assert.deepStrictEqual(d.routeBatch(records, NOW), expected)
  assert.deepStrictEqual(new Router(CONFIG, REPS, ACCOUNTS).route(records[0], NOW), expected[0])
})

test('not an array, and elements that are not objects: the errors they always gave', async () => {
  const router = new Router(CONFIG, REPS, ACCOUNTS)
  for (const leads of ['x', {}, null, 3, new Map(), undefined, NaN]) {
    const err = await failure(() => router.routeBatch(leads, NOW))
    assert.equal(err.code, 'parse')
    assert.equal(err.errors[0].path, 'leads', String(leads))
    const later = await failure(() => router.routeBatchAsync(leads, NOW))
    assert.deepStrictEqual(problems(later), problems(err))
  }
  // The core's own problems (what JSON can carry) are those of routeBatchJson, every way.
  const bad = [LEADS[0], 3, 'x', null, [1], { id: 'L1' }, { id: 5, created_at: at }, { id: 'L2', created_at: 'yesterday' }, { id: 'L3', created_at: at, email: 42 }, { id: 'L4', created_at: at, employees: -3 }, { id: 'L5', created_at: at, attributes: 'x' }]
  const text = await failure(() => router.routeBatchJson(JSON.stringify(bad), NOW))
  assert.ok(text.errors.length >= 9, JSON.stringify(problems(text)))
  const batch = await failure(() => router.routeBatch(bad, NOW))
  assert.deepStrictEqual(problems(batch), problems(text))
  const objects = bad.filter((l) => typeof l === 'object' && l !== null && !Array.isArray(l))
  const viaText = await failure(() => router.routeBatch(objects, NOW))
  assert.notEqual(leadsText(objects, router), undefined)
  const viaReader = await failure(() => router.routeBatch(objects.map((l) => new LeadRecord(l)), NOW))
  assert.deepStrictEqual(problems(viaReader), problems(viaText))
  assert.deepStrictEqual(viaReader.errors, viaText.errors, 'messages too')
  assert.deepStrictEqual(problems(await failure(() => router.routeBatchAsync(objects, NOW))), problems(viaText))
  // A hole, an undefined element, a Date element.
  for (const leads of [[LEADS[0], undefined], [LEADS[0], , LEADS[1]], [new Date(at)]]) { // eslint-disable-line no-sparse-arrays
    const err = await failure(() => router.routeBatch(leads, NOW))
    assert.equal(err.code, 'parse')
    assert.match(err.errors[0].path, /^leads\[\d\]$/)
  }
  // A bad `now` after good leads, and bad leads before a bad `now`, as before.
  assert.deepStrictEqual(problems(await failure(() => router.routeBatch(LEADS, 'soon'))), [{ path: 'now', code: 'invalid_value' }])
  const first = await failure(() => router.routeBatch([{ id: 'L', created_at: NaN }], 'soon'))
  assert.deepStrictEqual(problems(first), [{ path: 'leads[0].created_at', code: 'invalid_number' }])
  assert.equal(router.state().version, 0)
})

test('what cannot cross as JSON text goes to the native reader, with the same decisions', () => {
  const router = () => new Router(CONFIG, REPS, ACCOUNTS)
  const base = LEADS.slice(0, 6)
  const change = (at, f) => base.map((l, i) => (i === at ? f(l) : l))
  // [name, leads, whether they cross as text]
  const variants = [
    ['a lone surrogate', change(2, (l) => ({ ...l, company: 'Acme \uD800' })), false],
    ['a whole number past 2^53', change(0, (l) => ({ ...l, segment: 2 ** 60 })), false],
    ['a toJSON', change(4, (l) => ({ ...l, toJSON: () => ({ ...l, country: 'DE' }) })), false],
    ['a class instance', change(1, (l) => new LeadRecord(l)), false],
    ['a proxy of an array in a read key', change(3, (l) => ({ ...l, attributes: { segment: new Proxy(['w'], {}) } })), false],
    ['a nested Date subclass', change(3, (l) => ({ ...l, attributes: { segment: new (class extends Date {})(at) } })), false],
    ['nesting past 64 levels', change(5, (l) => ({ ...l, attributes: { segment: JSON.parse('['.repeat(70) + ']'.repeat(70)) } })), false],
    ['a getter', change(1, (l) => Object.defineProperty({ ...l }, 'country', { get: () => 'US', enumerable: true })), true],
    ['a non-enumerable read key (never read)', change(1, (l) => Object.defineProperty({ ...l }, 'country', { value: 'US', enumerable: false })), true],
    ['a null-prototype lead', base.map((l) => Object.assign(Object.create(null), l)), true],
    ['a proxy lead', change(3, (l) => new Proxy({ ...l }, {})), true],
    ['a valid Date in a read key', change(2, (l) => ({ ...l, created_at: new Date(at) })), true],
  ]
  for (const [name, leads, asText] of variants) {
    const r = router()
    assert.equal(leadsText(leads, r) !== undefined, asText, name)
    assert.equal(leadsFlat(leads, r) !== undefined, asText, `${name}: flat as text`)
    const decisions = r.routeBatch(leads, NOW)
    // What the reader makes of them, as JSON (a lone surrogate reads as U+FFFD).
    const readAs = leads.map((l) => (typeof l.toJSON === 'function' ? l.toJSON() : { ...l }))
    const text = JSON.stringify(readAs).replace(/\\ud800/g, '\uFFFD').replace(/"segment":\["w"\]/, '"segment":{"0":"w"}')
    const expected = JSON.parse(router().routeBatchJson(text, NOW))
    assert.deepStrictEqual(decisions, expected, name)
  }
  // A getter that throws in a wanted key: its own error, as before.
  const throwing = [{ id: 'L', created_at: at, get email() { throw new RangeError('boom') } }]
  assert.throws(() => router().routeBatch(throwing, NOW), (err) => err instanceof RangeError && err.message === 'boom')
  // Object.prototype with an enumerable property: every lead would list it; the reader decides.
  Object.prototype.polluted = 1 // eslint-disable-line no-extend-native
  try {
    assert.equal(leadsText(base, router()), undefined)
    assert.equal(leadsFlat(base, router()), undefined)
    assert.deepStrictEqual(router().routeBatch(base, NOW), router().routeBatch(base.map((l) => new LeadRecord(l)), NOW))
  } finally {
    delete Object.prototype.polluted
  }
})

test('index.js evaluated again on the same addon wraps the native methods, not its wrappers', () => {
  const path = fileURLToPath(new URL('../index.js', import.meta.url))
  const require = createRequire(import.meta.url)
  delete require.cache[path]
  const again = require(path)
  assert.equal(again.Router, Router)
  const a = new Router(CONFIG, REPS, ACCOUNTS)
  const b = new Router(CONFIG, REPS, ACCOUNTS)
  assert.equal(JSON.stringify(a.routeBatch(LEADS, NOW)), b.routeBatchJson(JSON.stringify(LEADS), NOW))
})

test('the decoder knows the fields encode.rs writes, in its order', () => {
  const source = readFileSync(new URL('../src/encode.rs', import.meta.url), 'utf8')
  const fields = source.match(/pub const FIELDS: \[&str; \d+\] = \[([^\]]*)\]/)[1].match(/"(\w+)"/g).map((f) => f.slice(1, -1))
  assert.deepStrictEqual(revcore.__batchInternals.STEP_FIELDS, fields)
})

test('routeBatch works where code generation from strings is disallowed', () => {
  const script = `
    const { Router } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
    const [config, reps, accounts, leads, now] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'))
    const a = new Router(config, reps, accounts)
    const b = new Router(config, reps, accounts)
    const text = b.routeBatchJson(JSON.stringify(leads), now)
    if (JSON.stringify(a.routeBatch(leads, now)) !== text) throw new Error('differs')
    let blocked = false
    try { new Function('') } catch { blocked = true }
    process.stdout.write(String(blocked))`
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], {
    input: JSON.stringify([CONFIG, REPS, ACCOUNTS, LEADS, NOW]),
    encoding: 'utf8',
  })
  assert.equal(out, 'true')
})

test('flat leads: every kind of value reads as its JSON text reads', async () => {
  const config = {
    ...CONFIG,
    rules: [
      { id: 'flag', condition: { field: 'vip', eq: true }, target: { queue: 'flag' } },
      { id: 'unflagged', condition: { field: 'vip', eq: false }, target: { queue: 'unflagged' } },
      { id: 'tiny', condition: { field: 'score', lt: 0 }, target: { queue: 'tiny' } },
      ...CONFIG.rules,
    ],
  }
  const leads = [
    { id: 'L-true', created_at: at, vip: true, country: 'US' },
    { id: 'L-false', created_at: new Date(at), vip: false, country: 'US' },
    { id: 'L-null', created_at: at, vip: null, country: null, email: null, employees: null },
    { id: 'L-neg', created_at: at, score: -1e-7 },
    { id: 'L-negzero', created_at: at, score: -0, employees: -0, country: 'US' },
    { id: 'L-tiny', created_at: at, score: 5e-324, attributes: { big: 9007199254740991, small: -9007199254740991 } },
    { id: 'L-big', created_at: at, employees: 4294967295, country: 'DE' },
    { id: 'L-nested', created_at: at, attributes: { segment: 'w', when: new Date(at), list: [1, 'a', null, { b: [] }] } },
    { id: 'L-order', country: 'US', created_at: at, employees: 1000, email: 'ana@acme.com', undefinedKey: undefined, score: undefined },
    Object.assign(Object.create(null), { id: 'L-bare', created_at: at, segment: 'w' }),
    { id: '', created_at: at }, // an empty id is a problem: the batch goes the text way and fails
  ]
  const good = leads.slice(0, -1)
  assert.notEqual(leadsFlat(good, new Router(config, REPS, ACCOUNTS)), undefined)
  await agreeEveryWay(config, REPS, ACCOUNTS, good, NOW)
  // A lead the core refuses: routeBatch reports what routeBatchJson reports, nothing routed.
  const router = new Router(config, REPS, ACCOUNTS)
  assert.equal(routeBatchFlat(router, leadsFlat(leads, router), NOW), null)
  const viaJson = await failure(() => router.routeBatchJson(JSON.stringify(leads), NOW))
  assert.deepStrictEqual(problems(await failure(() => router.routeBatch(leads, NOW))), problems(viaJson))
  assert.deepStrictEqual(problems(await failure(() => router.routeBatchAsync(leads, NOW))), problems(viaJson))
  assert.equal(router.state().version, 0)
  // A wrong-typed field, and a bad `now` with good leads: as before.
  const typed = [...good, { id: 'L-x', created_at: at, employees: 'many' }]
  assert.deepStrictEqual(problems(await failure(() => router.routeBatch(typed, NOW))), [
    { path: `leads[${good.length}].employees`, code: problems(await failure(() => router.routeBatchJson(JSON.stringify(typed), NOW)))[0].code },
  ])
  assert.deepStrictEqual(problems(await failure(() => router.routeBatch(good, 'soon'))), [{ path: 'now', code: 'invalid_value' }])
  assert.deepStrictEqual(problems(await failure(() => router.routeBatchAsync(good, 'soon'))), [{ path: 'now', code: 'invalid_value' }])
  assert.equal(router.state().version, 0)
})

test('flat leads: a getter that routes another batch meanwhile', () => {
  const inner = new Router(CONFIG, REPS, ACCOUNTS)
  let innerDecisions
  const leads = LEADS.slice(0, 8).map((l, i) =>
    i === 3
      ? Object.defineProperty({ ...l }, 'country', {
          enumerable: true,
          get() {
            innerDecisions = inner.routeBatch(LEADS.slice(10, 14), NOW)
            return l.country
          },
        })
      : l,
  )
  const decisions = new Router(CONFIG, REPS, ACCOUNTS).routeBatch(leads, NOW)
  assert.deepStrictEqual(decisions, new Router(CONFIG, REPS, ACCOUNTS).routeBatch(LEADS.slice(0, 8), NOW))
  assert.deepStrictEqual(innerDecisions, new Router(CONFIG, REPS, ACCOUNTS).routeBatch(LEADS.slice(10, 14), NOW))
})

test('a long trace (a pool of 70 reps) decodes the same, every way', async () => {
  const members = Array.from({ length: 70 }, (_, i) => rep(`M-${i}`, i % 3 === 0 ? { active: false } : {}))
  const config = {
    version: 1,
    rules: [{ id: 'all', target: { pool: 'big' } }],
    pools: [{ id: 'big', strategy: 'round_robin', members: members.map((m) => ({ rep_id: m.id })), daily_cap: 1 }],
    fallback_queue: 'unassigned',
    sla: { first_touch_minutes: 30 },
  }
  const leads = Array.from({ length: 60 }, (_, i) => ({ id: `L-${i}`, created_at: at }))
  const decisions = await agreeEveryWay(config, members, undefined, leads, NOW)
  assert.ok(decisions.every((d) => d.trace.length > 70), String(decisions[0].trace.length))
})

test('kept buffers: batches of growing and shrinking sizes decode as the core JSON', () => {
  // The arrays routeBatch keeps (its input and the decisions' codes and numbers) start small,
  // grow, then hold more than a later, smaller batch writes.
  const { routing_config: config, reps, accounts, leads } = sample.generate({ seed: 5, leads: 3000 })
  const a = new Router(config, reps, accounts)
  const b = new Router(config, reps, accounts)
  for (const [from, to] of [[0, 3], [3, 3000], [0, 1], [1, 1], [1, 2500], [2500, 2510]]) {
    const batch = leads.slice(from, to)
    const text = b.routeBatchJson(JSON.stringify(batch), NOW)
    assert.equal(JSON.stringify(a.routeBatch(batch, NOW)), text, `leads ${from}..${to}`)
  }
  assert.deepStrictEqual(a.state(), b.state())
})

test('a `now` whose reading routes another batch: both batches decide as alone', () => {
  const inner = new Router(CONFIG, REPS, ACCOUNTS)
  let innerDecisions
  const now = new Date(NOW)
  // Read (`toJSON`, as JSON.stringify does) by the native call after the outer leads are
  // encoded into the kept arrays, before they are read.
  now.toJSON = function () {
    innerDecisions = inner.routeBatch(LEADS.slice(10, 30), NOW)
    return Date.prototype.toJSON.call(this)
  }
  const decisions = new Router(CONFIG, REPS, ACCOUNTS).routeBatch(LEADS.slice(0, 8), now)
  assert.deepStrictEqual(decisions, new Router(CONFIG, REPS, ACCOUNTS).routeBatch(LEADS.slice(0, 8), NOW))
  assert.deepStrictEqual(innerDecisions, new Router(CONFIG, REPS, ACCOUNTS).routeBatch(LEADS.slice(10, 30), NOW))
})

test('one router, several async batches and sync ones at once: each batch decides as in some order', async () => {
  const { routing_config: config, reps, accounts, leads } = sample.generate({ seed: 9, leads: 1200 })
  const parts = [leads.slice(0, 400), leads.slice(400, 800), leads.slice(800, 1000), leads.slice(1000, 1200)]
  const router = new Router(config, reps, accounts)
  // Two async batches in flight while two sync ones run on the JS thread.
  const pending = [router.routeBatchAsync(parts[0], NOW), router.routeBatchAsync(parts[1], NOW)]
  const sync2 = router.routeBatch(parts[2], NOW)
  const sync3 = router.routeBatch(parts[3], NOW)
  const got = [...(await Promise.all(pending)), sync2, sync3]
  // The core commits a batch under one lock: the batches ran in some order. Find it by the
  // state versions each batch started from, then replay that order on a fresh router.
  const first = (i) => got[i][0].state_version
  const last = (i) => got[i][got[i].length - 1].state_version
  const order = [0, 1, 2, 3].sort((i, j) => first(i) - first(j) || last(i) - last(j))
  assert.ok(order.indexOf(2) < order.indexOf(3), 'the sync batches ran in call order')
  const replay = new Router(config, reps, accounts)
  const expected = []
  for (const i of order) expected[i] = JSON.parse(replay.routeBatchJson(JSON.stringify(parts[i]), NOW))
  for (let i = 0; i < 4; i++) assert.deepStrictEqual(got[i], expected[i], `batch ${i}`)
  assert.deepStrictEqual(router.state(), replay.state())
})

test('lead ids: a string id comes back as the lead_id, any other id goes the text way', () => {
  const router = new Router(CONFIG, REPS, ACCOUNTS)
  const strings = LEADS.slice(0, 5)
  const flat = leadsFlat(strings, router)
  assert.deepStrictEqual(Array.from(flat.ids, (i) => flat.strings[i]), strings.map((l) => l.id))
  // A Date id is its ISO string, as JSON.stringify writes it: valid, but not sent flat.
  const dated = [{ id: new Date(at), created_at: at, country: 'US' }, { id: 7, created_at: at }]
  assert.equal(leadsFlat(dated.slice(0, 1), router), undefined)
  assert.equal(leadsFlat(dated.slice(1), router), undefined)
  const decided = router.routeBatch(dated.slice(0, 1), NOW)
  const reference = new Router(CONFIG, REPS, ACCOUNTS)
  assert.deepStrictEqual(decided, JSON.parse(reference.routeBatchJson(JSON.stringify(dated.slice(0, 1)), NOW)))
  assert.equal(decided[0].lead_id, new Date(at).toISOString())
  assert.throws(() => router.routeBatch(dated.slice(1), NOW), (err) => err.code === 'parse' && problems(err)[0].path === 'leads[0].id')
})
