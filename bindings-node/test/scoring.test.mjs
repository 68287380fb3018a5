// Rule scoring through the Node binding (docs/scoring.md is the contract; the vectors check the
// scores themselves): `now` as Date or string, events optional, errors with codes and paths,
// batch == one by one == async, garbage never crashes the process.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const { Scorer, sample } = revcore

const NOW = '2026-03-01T00:00:00Z'
const MODEL = {
  version: 1,
  fit_rules: [
    { id: 'na', label: 'North America', condition: { field: 'country', in: ['US', 'CA'] }, points: 15, group: 'firmographics' },
    { id: 'big', label: '500+ employees', condition: { field: 'employees', gte: 500 }, points: 25, group: 'firmographics' },
    { id: 'exec', label: 'Executive', condition: { field: 'title', contains: 'VP' }, points: 20 },
  ],
  engagement_rules: [
    { id: 'demo', label: 'Requested a demo', event: 'demo_request', points: 30, cap: 40, half_life_days: 7, lookback_days: 30 },
    { id: 'visits', label: 'Visited the site', event: 'page_view', points: 2, cap: 5, lookback_days: 30 },
  ],
  negative_rules: [{ id: 'unsub', label: 'Unsubscribed', event: 'unsubscribe', points: -15 }],
  groups: [{ id: 'firmographics', cap: 30 }],
  grades: { fit: [40, 25, 10], engagement: [40, 20, 5] },
  mql: { fit_min: 25, engagement_min: 20 },
}
const LEAD = { id: 'L-1', created_at: '2026-02-01T09:00:00Z', country: 'US', employees: 800, title: 'VP Sales' }
const EVENTS = [
  { lead_id: 'L-1', kind: 'demo_request', at: '2026-02-22T00:00:00Z' }, // one half-life: 15
  { lead_id: 'L-1', kind: 'page_view', at: '2026-02-27T00:00:00Z' },
  { lead_id: 'L-2', kind: 'demo_request', at: '2026-02-28T00:00:00Z' },
  { lead_id: 'L-1', kind: 'email_open', at: '2026-02-28T00:00:00Z' },
  { lead_id: 'L-1', kind: 'demo_request', at: '2026-03-02T00:00:00Z' }, // future
]
const lead = (i, extra = {}) => ({ ...LEAD, id: `L-${i}`, ...extra })

/** Asserts `fn` throws a revcore error with `code`; returns its [path, code] pairs. */
function problems(fn, code) {
  let caught
  try {
    fn()
  } catch (err) {
    caught = err
  }
  assert.ok(caught instanceof Error, `expected an error, got ${caught}`)
  assert.equal(caught.code, code, caught.message)
  assert.ok(Array.isArray(caught.errors) && caught.errors.length > 0, caught.message)
  return caught.errors.map((p) => [p.path, p.code])
}

test('a score', () => {
  const score = new Scorer(MODEL).score(LEAD, EVENTS, NOW)
  assert.equal(score.lead_id, 'L-1')
  assert.equal(score.fit, 50) // na 15 + big 15 (group cap 30) + exec 20
  assert.equal(score.engagement, 17) // demo 15 (one half-life) + a visit 2
  assert.equal(score.total, 67)
  assert.equal(score.grade, 'A3')
  assert.equal(score.mql, false)
  assert.deepEqual(score.contributions.map((c) => c.rule_id), ['na', 'big', 'exec', 'demo', 'visits'])
  assert.deepEqual(score.contributions[1], {
    rule_id: 'big', label: '500+ employees', side: 'fit', points: 15, group: 'firmographics', capped_from: 25,
  })
  assert.deepEqual(score.events, { counted: 2, future: 1, outside_lookback: 0, unscored: 1, other_lead: 1 })
})

test('events may be null, undefined or empty; a Date `now` scores like its string', () => {
  const scorer = new Scorer(MODEL)
  const none = scorer.score(LEAD, null, NOW)
  assert.deepEqual(scorer.score(LEAD, undefined, NOW), none)
  assert.deepEqual(scorer.score(LEAD, [], NOW), none)
  assert.equal(none.engagement, 0)
  const want = scorer.score(LEAD, EVENTS, NOW)
  assert.deepEqual(scorer.score(LEAD, EVENTS, new Date(NOW)), want)
  assert.deepEqual(scorer.score(LEAD, EVENTS, '2026-02-28T19:00:00-05:00'), want)
  const dated = EVENTS.map((e) => ({ ...e, at: new Date(e.at) }))
  assert.deepEqual(scorer.score({ ...LEAD, created_at: new Date(LEAD.created_at) }, dated, new Date(NOW)), want)
})

test('scoreBatch equals scoring one by one, and scoreBatchAsync too', async () => {
  const scorer = new Scorer(MODEL)
  const leads = [1, 2, 3, 4].map((i) => lead(i)).concat([lead(5, { country: 'FR', title: 'Intern' })])
  const events = leads.flatMap((l) => EVENTS.slice(0, 2).map((e) => ({ ...e, lead_id: l.id }))).concat(EVENTS)
  const oneByOne = leads.map((l) => scorer.score(l, events, NOW))
  assert.deepEqual(scorer.scoreBatch(leads, events, NOW), oneByOne)
  assert.deepEqual(scorer.scoreBatch(leads, events, new Date(NOW)), oneByOne)
  assert.deepEqual(await scorer.scoreBatchAsync(leads, events, NOW), oneByOne)
  assert.deepEqual(scorer.scoreBatch(leads, null, NOW), leads.map((l) => scorer.score(l, null, NOW)))
  assert.deepEqual(await scorer.scoreBatchAsync(leads, undefined, NOW), leads.map((l) => scorer.score(l, null, NOW)))
  assert.deepEqual(scorer.scoreBatch([], events, NOW), [])
  assert.deepEqual(await scorer.scoreBatchAsync([], events, NOW), [])
})

test('leadFields names what scoring reads; other keys are never read', () => {
  const scorer = new Scorer(MODEL)
  assert.deepEqual(scorer.leadFields(), ['country', 'created_at', 'employees', 'id', 'title'])
  const dirty = { ...LEAD, phone: NaN, converted_at: new Date('nope'), big: 10n, m: new Map() }
  assert.deepEqual(scorer.score(dirty, EVENTS, NOW), scorer.score(LEAD, EVENTS, NOW))
  assert.deepEqual(scorer.scoreBatch([dirty], EVENTS, NOW), [scorer.score(LEAD, EVENTS, NOW)])
})

test('a bad model throws under `model`', () => {
  assert.deepEqual(problems(() => new Scorer({ ...MODEL, version: 2, fit_rules: [{ ...MODEL.fit_rules[0], points: -1 }] }), 'invalid_config'), [
    ['model.version', 'unsupported_version'],
    ['model.fit_rules[0].points', 'invalid_points'],
  ])
  assert.deepEqual(problems(() => new Scorer({ ...MODEL, colour: 'blue' }), 'parse'), [['model.colour', 'unknown_field']])
  const { grades, ...noGrades } = MODEL
  assert.deepEqual(problems(() => new Scorer(noGrades), 'parse'), [['model.grades', 'missing_field']])
  assert.deepEqual(
    problems(() => new Scorer({ ...MODEL, fit_rules: [{ ...MODEL.fit_rules[0], points: NaN }] }), 'parse').map(([p]) => p),
    ['model.fit_rules[0].points'],
  )
  for (const model of [42, 'x', null, undefined, []]) {
    assert.ok(problems(() => new Scorer(model), 'parse').every(([p]) => p.startsWith('model')))
  }
})

test('a bad lead throws under `lead`, bad events under `events[i]`', () => {
  const scorer = new Scorer(MODEL)
  assert.deepEqual(problems(() => scorer.score({ ...LEAD, employees: 'many' }, EVENTS, NOW), 'parse').map(([p]) => p), ['lead.employees'])
  assert.deepEqual(problems(() => scorer.score({ ...LEAD, employees: NaN }, EVENTS, NOW), 'parse').map(([p]) => p), ['lead.employees'])
  assert.deepEqual(problems(() => scorer.score({ created_at: LEAD.created_at }, EVENTS, NOW), 'parse'), [['lead.id', 'missing_field']])
  for (const bad of [42, 'L-1', null, [LEAD]]) {
    assert.ok(problems(() => scorer.score(bad, EVENTS, NOW), 'parse').every(([p]) => p.startsWith('lead')))
  }
  const events = [EVENTS[0], { lead_id: 'L-1', kind: 'page_view', at: 'soon' }, { lead_id: 'L-1', at: NOW }]
  assert.deepEqual(problems(() => scorer.score(LEAD, events, NOW), 'parse'), [
    ['events[1].at', 'invalid_value'],
    ['events[2].kind', 'missing_field'],
  ])
  assert.deepEqual(problems(() => scorer.score(LEAD, [EVENTS[0], { ...EVENTS[1], url: 1n }], NOW), 'parse').map(([p]) => p), ['events[1].url'])
  assert.deepEqual(problems(() => scorer.score(LEAD, { lead_id: 'L-1' }, NOW), 'parse').map(([p]) => p), ['events'])
})

test('batch errors name the lead and the event, sync and async', async () => {
  const scorer = new Scorer(MODEL)
  const leads = [LEAD, { ...LEAD, id: 'L-2', created_at: 'yesterday' }, { created_at: LEAD.created_at }]
  const events = [{ lead_id: 'L-1', kind: 'email_open', at: 'soon' }]
  const want = [
    ['leads[1].created_at', 'invalid_value'],
    ['leads[2].id', 'missing_field'],
    ['events[0].at', 'invalid_value'],
  ]
  assert.deepEqual(problems(() => scorer.scoreBatch(leads, events, NOW), 'parse'), want)
  await assert.rejects(scorer.scoreBatchAsync(leads, events, NOW), (err) => {
    assert.deepEqual(err.errors.map((p) => [p.path, p.code]), want)
    return err.code === 'parse'
  })
  await assert.rejects(scorer.scoreBatchAsync([() => 1], null, NOW), (err) => err.code === 'parse' && err.errors[0].path === 'leads[0]')
  await assert.rejects(scorer.scoreBatchAsync('x', null, NOW), (err) => err.code === 'parse' && err.errors[0].path === 'leads')
})

test('an invalid Date, a bad string, another type or no `now` is a parse error at `now`', async () => {
  const scorer = new Scorer(MODEL)
  for (const now of [new Date('nope'), 'yesterday', '2026-03-01', 1772323200000, null, undefined, {}, ['x']]) {
    assert.deepEqual(problems(() => scorer.score(LEAD, EVENTS, now), 'parse').map(([p]) => p), ['now'])
    assert.deepEqual(problems(() => scorer.scoreBatch([LEAD], EVENTS, now), 'parse').map(([p]) => p), ['now'])
    await assert.rejects(scorer.scoreBatchAsync([LEAD], EVENTS, now), (err) => err.code === 'parse' && err.errors[0].path === 'now')
  }
  assert.deepEqual(problems(() => scorer.score(LEAD, EVENTS), 'parse').map(([p]) => p), ['now'])
  assert.deepEqual(problems(() => scorer.scoreBatch([LEAD]), 'parse').map(([p]) => p), ['now'])
})

test('the sample world scores the same every way', { skip: !sample.generate({ seed: 3 }).scoring_model && 'sample.generate() has no scoring_model yet' }, async () => {
  const world = sample.generate({ seed: 3, leads: 50 })
  const scorer = new Scorer(world.scoring_model)
  const batch = scorer.scoreBatch(world.leads, world.events, NOW)
  assert.deepEqual(batch.map((s) => s.lead_id), world.leads.map((l) => l.id))
  assert.deepEqual(await scorer.scoreBatchAsync(world.leads, world.events, NOW), batch)
  assert.deepEqual(world.leads.slice(0, 5).map((l) => scorer.score(l, world.events, NOW)), batch.slice(0, 5))
})

test('garbage never crashes the process', async () => {
  const scorer = new Scorer(MODEL)
  const cyclic = { id: 'L1', created_at: NOW }
  cyclic.country = cyclic
  const garbage = [
    undefined, null, 0, -1, NaN, Infinity, 10n, 'x', '', Symbol('s'), () => 1, [], [[]], {},
    new Map(), new Set([1]), new Uint8Array(4), new Date('nope'), new Error('e'), cyclic,
    { toJSON() { throw new Error('boom') } }, Object.create(null), [undefined], { id: {} },
  ]
  const calls = (g) => [
    () => new Scorer(g),
    () => scorer.score(g, EVENTS, NOW),
    () => scorer.score(LEAD, g, NOW),
    () => scorer.score(LEAD, [g], NOW),
    () => scorer.score(LEAD, EVENTS, g),
    () => scorer.scoreBatch(g, EVENTS, NOW),
    () => scorer.scoreBatch([g], EVENTS, NOW),
    () => scorer.scoreBatch([LEAD], g, NOW),
  ]
  for (const g of garbage) {
    for (const call of calls(g)) {
      try {
        call()
      } catch (err) {
        assert.ok(err instanceof Error, String(err))
      }
    }
    for (const args of [[g, EVENTS, NOW], [[LEAD], g, NOW], [[g], [g], g]]) {
      try {
        await scorer.scoreBatchAsync(...args)
      } catch (err) {
        assert.ok(err instanceof Error, String(err))
      }
    }
  }
  assert.equal(scorer.score(LEAD, EVENTS, NOW).total, 67)
})
