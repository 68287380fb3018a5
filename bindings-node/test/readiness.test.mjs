// Rep readiness through the Node binding (docs/content.md, "Readiness"; the vectors check the
// numbers): `as_of` as a Date or a string, opportunities optional, errors with codes and paths.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const { readiness } = revcore

const PROGRAM = {
  id: 'P1',
  name: 'Onboarding',
  roles: ['ae'],
  modules: [{ id: 'm1', title: 'Discovery', weight: 3 }, { id: 'm2', title: 'Demo' }],
}
const REP = { id: 'R1', name: 'Ann', role: 'ae', time_zone: 'UTC', start_date: '2026-01-05' }
const DONE = [{ rep_id: 'R1', program_id: 'P1', item_id: 'm1', completed_at: '2026-01-20T09:00:00Z' }]

test('as_of as a Date or a string gives the same report; opportunities may be left out', () => {
  const a = readiness([PROGRAM], [REP], DONE, null, { as_of: new Date('2026-02-01T00:00:00Z') })
  const b = readiness([PROGRAM], [REP], DONE, undefined, { as_of: '2026-02-01T00:00:00Z' })
  assert.deepEqual(a, b)
  const rep = a.reps[0]
  assert.deepEqual([rep.score, rep.required, rep.completed], [75, 2, 1])
  assert.deepEqual(rep.missing.map((m) => m.item_id), ['m2'])
})

test('the ramp reaches a share of the first quota', () => {
  const won = {
    id: 'O1', created_at: '2026-01-10T00:00:00Z', stage: 'Closed Won', owner_id: 'R1',
    amount: { amount: 500, currency: 'USD' }, closed_at: '2026-01-25T00:00:00Z',
  }
  const rep = { ...REP, quotas: [{ start: '2026-01-01', end: '2026-03-31', amount: { amount: 1000, currency: 'USD' } }] }
  const { ramp } = readiness([PROGRAM], [rep], DONE, [won], { as_of: '2026-02-01T00:00:00Z', ramp_quota_share: 0.5 }).reps[0]
  assert.equal(ramp.days_to_first_win, 20)
  assert.equal(ramp.quota_share_reached_on, '2026-01-25')
  assert.deepEqual(ramp.quota_target, { amount: 500, currency: 'USD' })
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
  assert.deepEqual(problems(() => readiness([PROGRAM], [REP], DONE, null, {})), [
    'parse',
    [['options.as_of', 'missing_field']],
  ])
  assert.deepEqual(problems(() => readiness('programs', [REP], [], null, { as_of: '2026-02-01T00:00:00Z' })), [
    'parse',
    [['programs', 'invalid_type']],
  ])
  assert.deepEqual(
    problems(() =>
      readiness([{ ...PROGRAM, modules: [{ id: 'm', title: 'M', weight: -1 }] }], [REP], [], null, {
        as_of: '2026-02-01T00:00:00Z',
        ramp_quota_share: 11,
      }),
    ),
    ['invalid_config', [['programs[0].modules[0].weight', 'invalid_value'], ['options.ramp_quota_share', 'invalid_value']]],
  )
  assert.equal(problems(() => readiness([PROGRAM], [REP], [], null, undefined))[0], 'parse')
})
