// ContentLibrary from Node: the sample library, search, recommendations, changes and bad input
// (docs/content.md).

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const world = revcore.sample.generate({ seed: 7, content: 300 })

test('the sample library searches with snippets, deterministically', () => {
  const lib = new revcore.ContentLibrary(world.content)
  assert.equal(lib.length, world.content.length)
  const hits = lib.search('case study pipeline', null, 5)
  assert.equal(hits.length, 5)
  assert.deepEqual(Object.keys(hits[0]).sort(), ['asset_id', 'score', 'snippet', 'title', 'type'])
  assert.ok(hits.every((h) => h.snippet.includes('**')))
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score)
  assert.deepEqual(lib.search('case study pipeline', undefined, 5), hits)
  assert.equal(lib.search('pipeline').length, 10)
})

test('recommendations leave out drafts, archived, expired and other languages', () => {
  const lib = new revcore.ContentLibrary(world.content)
  const byId = new Map(world.content.map((a) => [a.id, a]))
  const stage = world.content.find((a) => a.tags?.stages?.length).tags.stages[0]
  const recs = lib.recommend({ stage, language: 'en', as_of: '2026-06-30' }, 20)
  assert.ok(recs.length > 0)
  for (const r of recs) {
    const a = byId.get(r.asset_id)
    assert.equal(a.status, 'published')
    assert.ok(a.tags.languages.includes('en'))
    assert.ok(!a.expires_at || a.expires_at > '2026-06-30')
    const sum = r.reasons.reduce((s, x) => s + x.points, 0)
    assert.equal(r.score, Math.round(sum * 1e4) / 1e4)
  }
})

test('changes keep the index in step and fail with typed errors', () => {
  const lib = new revcore.ContentLibrary(world.content)
  const asset = { id: 'new-1', title: 'Zyxquon routing explained', type: 'video', status: 'published' }
  lib.add(asset)
  assert.deepEqual(lib.search('zyxquon').map((h) => h.asset_id), ['new-1'])
  assert.throws(() => lib.add(asset), (e) => e.code === 'conflict' && e.errors[0].path === 'asset.id')
  lib.update({ ...asset, title: 'Plain routing explained' })
  assert.deepEqual(lib.search('zyxquon'), [])
  assert.equal(lib.remove('new-1').title, 'Plain routing explained')
  assert.throws(() => lib.remove('new-1'), (e) => e.code === 'not_found' && e.errors[0].path === 'asset_id')
  assert.throws(() => lib.get('new-1'), (e) => e.code === 'not_found')
})

test('bad input throws errors naming the argument, never crashes', () => {
  const lib = new revcore.ContentLibrary(world.content)
  assert.throws(() => lib.search('x'.repeat(1001)), (e) => e.code === 'validation' && e.errors[0].code === 'query_too_long')
  assert.throws(() => lib.search('pipeline', null, 0), (e) => e.errors[0].path === 'limit')
  assert.throws(() => lib.search('pipeline', null, 2.5), (e) => e.code === 'parse' && e.errors[0].path === 'limit')
  assert.throws(() => lib.search(42), (e) => e.code === 'parse' && e.errors[0].path === 'query')
  assert.throws(() => lib.search('x', { colour: 'red' }), (e) => e.errors[0].path === 'filters.colour')
  assert.throws(() => lib.recommend({ stage: 'proposal' }, 5, [{ asset_id: 'nope' }]), (e) => e.code === 'not_found')
  assert.throws(() => new revcore.ContentLibrary([{ id: 'a', title: 'A', type: 'deck' }, { id: 'a', title: 'B', type: 'deck' }]),
    (e) => e.code === 'validation' && e.errors[0].path === 'assets[1].id')
  for (const q of ['"quoted phrase"', '-', '*', 'a:b', '((', '\u0000', 'é'.repeat(999)]) lib.search(q)
})

test('as_of may be a Date: its UTC day counts, in filters and in deal contexts', () => {
  const lib = new revcore.ContentLibrary(world.content)
  const stage = world.content.find((a) => a.tags?.stages?.length).tags.stages[0]
  const day = '2026-06-30'
  const at = new Date('2026-06-30T21:00:00-02:00') // 2026-06-30T23:00:00Z
  assert.deepEqual(lib.search('pipeline', { as_of: at }, 10), lib.search('pipeline', { as_of: day }, 10))
  assert.deepEqual(
    lib.recommend({ stage, language: 'en', as_of: at }, 10),
    lib.recommend({ stage, language: 'en', as_of: day }, 10),
  )
  assert.throws(() => lib.search('pipeline', { as_of: 'soon' }), (e) => e.code === 'parse' && e.errors[0].path === 'filters.as_of')
})
