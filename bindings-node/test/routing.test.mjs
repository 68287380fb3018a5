// Lead routing through the Node binding (docs/routing.md is the contract; the vectors check the
// decisions themselves): `now` as Date or string, errors with codes and paths, preview leaves
// the state alone, state round trip, batch == one by one == JSON text == async, garbage never
// crashes the process.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const { Router, simulate, sample } = revcore

const NOW = '2026-03-02T15:00:00Z' // a Monday, inside working hours
const CONFIG = {
  version: 1,
  rules: [
    { id: 'students', condition: { field: 'email', ends_with: '.edu' }, target: { queue: 'nurture' } },
    { id: 'all', target: { pool: 'p' } },
  ],
  pools: [
    {
      id: 'p',
      strategy: 'weighted_round_robin',
      members: [{ rep_id: 'R-1' }, { rep_id: 'R-2', weight: 2 }, { rep_id: 'R-3' }],
      daily_cap: 50,
    },
  ],
  fallback_queue: 'unassigned',
  sla: { first_touch_minutes: 30 },
}
const HOURS = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }]
const REPS = ['R-1', 'R-2', 'R-3'].map((id) => ({
  id,
  name: `Rep ${id}`,
  role: 'ae',
  time_zone: 'America/New_York',
  working_hours: HOURS,
}))
const lead = (i) => ({
  id: `L-${i}`,
  created_at: '2026-03-02T14:00:00Z',
  email: i % 7 === 0 ? `s${i}@uni.edu` : `p${i}@corp${i}.com`,
  country: 'US',
})
const LEADS = Array.from({ length: 120 }, (_, i) => lead(i))

const world = sample.generate({ seed: 3 })

/** Asserts `fn` throws a revcore error with `code` whose first problem is at `path`. */
function throwsRevcore(fn, code, path) {
  let caught
  try {
    fn()
  } catch (err) {
    caught = err
  }
  assert.ok(caught, 'expected an error')
  assert.ok(caught instanceof Error, String(caught))
  assert.equal(caught.code, code, caught.message)
  assert.ok(Array.isArray(caught.errors) && caught.errors.length > 0, caught.message)
  if (path !== undefined) assert.equal(caught.errors[0].path, path, caught.message)
  return caught
}

test('a Date `now` routes exactly like its string form', () => {
  const a = new Router(CONFIG, REPS)
  const b = new Router(CONFIG, REPS)
  for (const l of LEADS.slice(0, 20)) {
    assert.deepEqual(a.route(l, new Date(NOW)), b.route(l, NOW))
  }
  assert.deepEqual(a.preview(LEADS[1], new Date(NOW)), b.preview(LEADS[1], NOW))
  assert.deepEqual(a.routeBatch(LEADS, new Date(NOW)), b.routeBatch(LEADS, NOW))
  assert.deepEqual(a.state(), b.state())
  // Any offset names the same instant.
  assert.deepEqual(a.preview(LEADS[1], '2026-03-02T10:00:00-05:00'), b.preview(LEADS[1], NOW))
})

test('an invalid Date, a bad string or another type as `now` is a parse error at `now`', async () => {
  const router = new Router(CONFIG, REPS)
  for (const now of [new Date('nope'), 'yesterday', '2026-03-02', 1772463600000, null, undefined, {}, ['x']]) {
    throwsRevcore(() => router.route(LEADS[1], now), 'parse', 'now')
    throwsRevcore(() => router.preview(LEADS[1], now), 'parse', 'now')
    throwsRevcore(() => router.routeBatch(LEADS, now), 'parse', 'now')
    throwsRevcore(() => router.routeBatchJson(JSON.stringify(LEADS), now), 'parse', 'now')
    await assert.rejects(router.routeBatchAsync(LEADS, now), (err) => err.code === 'parse' && err.errors[0].path === 'now')
  }
  assert.equal(router.state().version, 0, 'nothing was routed')
})

test('bad configs and reps throw with code and path', () => {
  throwsRevcore(() => new Router({ ...CONFIG, version: 2 }, REPS), 'invalid_config', 'config.version')
  const unknownRep = structuredClone(CONFIG)
  unknownRep.pools[0].members[1].rep_id = 'R-9'
  const err = throwsRevcore(() => new Router(unknownRep, REPS), 'invalid_config', 'config.pools[0].members[1].rep_id')
  assert.equal(err.errors[0].code, 'unknown_reference')
  assert.equal(err.name, 'ConfigError')
  const badRegex = structuredClone(CONFIG)
  badRegex.rules[0].condition = { field: 'email', matches: '(' }
  throwsRevcore(() => new Router(badRegex, REPS), 'invalid_config', 'config.rules[0].condition.matches')
  // Wrong shapes are parse errors under the argument's name.
  throwsRevcore(() => new Router({ ...CONFIG, rules: 'all' }, REPS), 'parse', 'config.rules')
  throwsRevcore(() => new Router(CONFIG, 'reps'), 'parse', 'reps')
  throwsRevcore(() => new Router(CONFIG, REPS, [{ id: 1n }]), 'parse', 'accounts[0].id')
  throwsRevcore(() => new Router(CONFIG, REPS, null, { version: 'x' }), 'parse')
  throwsRevcore(() => new Router(CONFIG, [{ ...REPS[0], time_zone: 'Mars/Base' }, ...REPS.slice(1)]), 'invalid_config', 'reps[0].time_zone')
  // Bad leads name the lead.
  const router = new Router(CONFIG, REPS)
  throwsRevcore(() => router.route({ id: 'L1' }, NOW), 'parse')
  throwsRevcore(() => router.route({ id: 'L1', created_at: NaN }, NOW), 'parse', 'lead.created_at')
  const batch = throwsRevcore(() => router.routeBatch([LEADS[0], { id: 'L1' }, 3], NOW), 'parse')
  assert.deepEqual(batch.errors.map((p) => p.path.replace(/\..*/, '')), ['leads[1]', 'leads[2]'])
  const text = throwsRevcore(() => router.routeBatchJson(JSON.stringify([LEADS[0], { id: 'L1' }, 3]), NOW), 'parse')
  assert.deepEqual(text.errors.map((p) => p.path), batch.errors.map((p) => p.path))
  throwsRevcore(() => router.routeBatchJson('[{', NOW), 'parse', 'leads')
  throwsRevcore(() => router.routeBatchJson(LEADS, NOW), 'parse', 'leads')
  assert.equal(router.state().version, 0, 'failed calls change nothing')
})

test('preview decides without changing the state', () => {
  const router = new Router(CONFIG, REPS)
  router.routeBatch(LEADS.slice(0, 5), NOW)
  const before = router.state()
  const previewed = router.preview(LEADS[10], NOW)
  assert.deepEqual(router.state(), before)
  assert.deepEqual(router.preview(LEADS[10], NOW), previewed)
  assert.equal(previewed.state_version, before.version + 1)
  assert.deepEqual(router.route(LEADS[10], NOW), previewed, 'route then decides what preview said')
})

test('a router built from an exported state continues identically', () => {
  const whole = new Router(CONFIG, REPS)
  const first = new Router(CONFIG, REPS)
  const expected = whole.routeBatch(LEADS, NOW)
  const head = first.routeBatch(LEADS.slice(0, 37), NOW)
  const state = JSON.parse(JSON.stringify(first.state()))
  const second = new Router(CONFIG, REPS, undefined, state)
  assert.deepEqual(second.state(), first.state())
  const tail = second.routeBatch(LEADS.slice(37), NOW)
  assert.deepEqual([...head, ...tail], expected)
  assert.deepEqual(second.state(), whole.state())
})

function routeEveryWay(config, reps, accounts, leads, now) {
  const routers = Array.from({ length: 4 }, () => new Router(config, reps, accounts))
  const oneByOne = leads.map((l) => routers[0].route(l, now))
  const batch = routers[1].routeBatch(leads, now)
  const text = JSON.parse(routers[2].routeBatchJson(JSON.stringify(leads), now))
  return { routers, oneByOne, batch, text }
}

test('routeBatch equals routing one by one equals routeBatchJson; routeBatchAsync too', async () => {
  const { routers, oneByOne, batch, text } = routeEveryWay(CONFIG, REPS, undefined, LEADS, NOW)
  assert.deepEqual(batch, oneByOne)
  assert.deepEqual(text, oneByOne)
  const later = await routers[3].routeBatchAsync(LEADS, new Date(NOW))
  assert.deepEqual(later, oneByOne)
  for (const r of routers.slice(1)) assert.deepEqual(r.state(), routers[0].state())
  assert.ok(oneByOne.some((d) => d.queue === 'nurture') && oneByOne.some((d) => d.owner_id === 'R-2'))
  await assert.rejects(routers[3].routeBatchAsync([{ id: 'L1' }], NOW), (err) => err.code === 'parse' && err.errors[0].path.startsWith('leads[0]'))
  await assert.rejects(routers[3].routeBatchAsync([() => 1], NOW), (err) => err.code === 'parse' && err.errors[0].path === 'leads[0]')
})

test('the sample world routes the same every way, and simulates', { skip: !world.routing_config && 'sample.generate() has no routing_config yet' }, async () => {
  const { routing_config: config, reps, accounts, leads } = world
  const { routers, oneByOne, batch, text } = routeEveryWay(config, reps, accounts, leads, NOW)
  assert.deepEqual(batch, oneByOne)
  assert.deepEqual(text, oneByOne)
  assert.deepEqual(await routers[3].routeBatchAsync(leads, NOW), oneByOne)
  assert.ok(oneByOne.some((d) => d.owner_id !== null))
  const report = simulate(config, reps, leads, accounts)
  assert.equal(report.leads, leads.length)
  assert.deepEqual(simulate(config, reps, leads, accounts), report)
  throwsRevcore(() => simulate(config, reps, [{ id: 'x' }], accounts), 'parse')
  throwsRevcore(() => simulate({ ...config, version: 0 }, reps, leads), 'invalid_config', 'config.version')
})

test('garbage never crashes the process', async () => {
  const router = new Router(CONFIG, REPS)
  const cyclic = { id: 'L1', created_at: NOW }
  cyclic.email = cyclic // in a key routing reads (a cycle elsewhere is never read)
  const garbage = [
    undefined, null, 0, -1, NaN, Infinity, 10n, 'x', '', Symbol('s'), () => 1, [], [[]], {},
    new Map(), new Set([1]), new Uint8Array(4), new Date('nope'), new Error('e'), cyclic,
    { toJSON() { throw new Error('boom') } }, Object.create(null), [undefined], { id: {} },
  ]
  const calls = (g) => [
    () => new Router(g, REPS),
    () => new Router(CONFIG, g),
    () => new Router(CONFIG, REPS, g),
    () => new Router(CONFIG, REPS, null, g),
    () => router.route(g, NOW),
    () => router.route(LEADS[1], g),
    () => router.preview(g, NOW),
    () => router.routeBatch(g, NOW),
    () => router.routeBatch([g], NOW),
    () => router.routeBatchJson(g, NOW),
    () => router.routeBatchJson(JSON.stringify([g]) ?? 'null', NOW),
    () => simulate(g, REPS, LEADS),
    () => simulate(CONFIG, REPS, g),
    () => simulate(CONFIG, REPS, LEADS, g),
  ]
  for (const g of garbage) {
    for (const call of calls(g)) {
      try {
        call()
      } catch (err) {
        assert.ok(err instanceof Error, String(err))
      }
    }
    try {
      await router.routeBatchAsync(g, NOW)
    } catch (err) {
      assert.ok(err instanceof Error, String(err))
    }
  }
  // Strings that are not JSON, and JSON of every wrong shape.
  for (const text of ['', 'nul', '{}', '[1,2]', '[[]]', '"x"', '['.repeat(10_000), '[' + '{"a":'.repeat(200)]) {
    throwsRevcore(() => router.routeBatchJson(text, NOW), 'parse')
  }
  assert.equal(router.state().version, 0)
  // Still alive, still routing.
  assert.equal(router.route(LEADS[1], NOW).state_version, 1)
})
