// ContentLibrary.analytics through the Node binding (docs/content.md, "Analytics"; the vectors
// check the numbers): `as_of` as a Date or a string, errors with codes and paths.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const { ContentLibrary } = createRequire(import.meta.url)('../index.js')

const ASSETS = [{ id: 'A1', title: 'Case study', type: 'case_study', status: 'published', published_at: '2026-01-10' }]
const EVENTS = [{ asset_id: 'A1', kind: 'share', at: '2026-03-15T10:00:00Z', opportunity_id: 'O1' }]
const OPPS = [{ id: 'O1', created_at: '2026-03-01T00:00:00Z', stage: 'Closed Won', closed_at: '2026-04-01T00:00:00Z' }]

test('as_of as a Date or a string', () => {
  const lib = new ContentLibrary(ASSETS)
  const a = lib.analytics(EVENTS, OPPS, { as_of: new Date('2026-07-01T00:00:00Z') })
  const b = lib.analytics(EVENTS, OPPS, { as_of: '2026-07-01T00:00:00Z' })
  assert.deepEqual(a, b)
  assert.equal(a.influence[0].used.won, 1)
})

test('bad input throws typed errors naming the field', () => {
  const lib = new ContentLibrary(ASSETS)
  assert.throws(
    () => lib.analytics(EVENTS, OPPS, {}),
    (e) => e.code === 'parse' && e.errors[0].path === 'options.as_of' && e.errors[0].code === 'missing_field',
  )
  assert.throws(
    () => lib.analytics(EVENTS, [{ ...OPPS[0], stage: 'Signed' }], { as_of: '2026-07-01T00:00:00Z' }),
    (e) => e.code === 'validation' && e.errors[0].path === 'opportunities[0].stage',
  )
})
