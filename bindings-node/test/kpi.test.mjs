// KPI reports through the Node binding (docs/kpis.md; the vectors check the numbers): options,
// `as_of` as a Date or a string, the table's shape, errors with codes and paths.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const { kpiReport } = createRequire(import.meta.url)('../index.js')

const opp = (id, owner, stage, close, amount) => ({
  id, owner_id: owner, created_at: '2026-01-05T09:00:00Z', stage, close_date: close, amount: { amount, currency: 'USD' },
})
const OPPS = [
  opp('D1', 'R1', 'Closed Won', '2026-02-20', 1000),
  opp('D2', 'R1', 'Closed Lost', '2026-05-01', 500),
  opp('D3', 'R2', 'Closed Won', '2026-04-15', 3000),
  opp('D4', 'R2', 'Proposal', '2026-06-30', 2000),
]

test('one row without options; groups then a totals row with them', () => {
  assert.deepEqual(kpiReport(OPPS, ['win_rate', 'won_amount']), {
    columns: ['win_rate', 'won_amount'],
    rows: [{ win_rate: 2 / 3, won_amount: 4000 }],
  })
  const t = kpiReport(OPPS, ['won_count'], { group_by: ['owner_id'] })
  assert.deepEqual(t.rows, [
    { owner_id: 'R1', won_count: 1 },
    { owner_id: 'R2', won_count: 1 },
    { owner_id: null, won_count: 2 },
  ])
})

test('as_of as a Date or a string', () => {
  const a = kpiReport(OPPS, ['open_pipeline', 'won_count'], { as_of: new Date('2026-03-01T00:00:00Z') })
  const b = kpiReport(OPPS, ['open_pipeline', 'won_count'], { as_of: '2026-03-01T00:00:00Z' })
  assert.deepEqual(a, b)
  assert.deepEqual(a.rows[0], { open_pipeline: 5500, won_count: 1 })
})

test('bad input throws typed errors naming the field', () => {
  const problems = (fn) => {
    try {
      fn()
    } catch (e) {
      return [e.code, e.errors.map((p) => [p.path, p.code])]
    }
    assert.fail('expected an error')
  }
  assert.deepEqual(problems(() => kpiReport(OPPS, ['win_ratio'], { group_by: ['close_date:fortnight'] })), [
    'invalid_config',
    [['metrics[0]', 'unknown_metric'], ['group_by[0]', 'unknown_period']],
  ])
  assert.deepEqual(problems(() => kpiReport(OPPS, ['win_rate'], { colour: 'blue' })), ['parse', [['colour', 'unknown_field']]])
  assert.deepEqual(problems(() => kpiReport(OPPS, ['win_rate'], { metrics: ['won_count'] })), [
    'parse',
    [['options.metrics', 'conflict']],
  ])
  assert.deepEqual(problems(() => kpiReport(OPPS, ['win_rate'], 'all')), ['parse', [['options', 'invalid_type']]])
  assert.deepEqual(problems(() => kpiReport([{ ...OPPS[0], stage: 'Signed' }], ['win_rate'])), [
    'validation',
    [['opportunities[0].stage', 'unknown_stage']],
  ])
})

test('funnel and coachingFlags', () => {
  const { funnel, coachingFlags } = createRequire(import.meta.url)('../index.js')
  const f = funnel(OPPS, { as_of: new Date('2026-12-31T00:00:00Z') })
  assert.equal(f.deals, 4)
  assert.deepEqual(funnel(OPPS), funnel(OPPS, null))
  const c = coachingFlags(OPPS, ['win_rate'], { min_closed_deals: 1, percentile: 40 })
  assert.equal(c.benchmarks[0].reps, 2)
  assert.deepEqual(c.flags.map((x) => [x.rep_id, x.direction]), [['R1', 'below']])
  assert.throws(() => coachingFlags(OPPS, ['forecast']), (e) => e.code === 'invalid_config' && e.errors[0].path === 'metrics[0]')
})
