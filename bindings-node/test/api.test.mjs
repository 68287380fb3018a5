// Behaviour a Node user notices: the API's shape, data in the wire format (snake_case keys,
// plain numbers), Condition round trips, deterministic sample data, the async variant.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const revcore = require('../index.js')
const { Condition, sample } = revcore

const LEAD = { id: 'L1', created_at: '2026-01-05T10:00:00Z' }

test('version is the core version and the package version', () => {
  const workspace = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8')
  const cargoVersion = workspace.match(/^\[workspace\.package\][^[]*?^version = "([^"]+)"/ms)[1]
  assert.equal(revcore.version, cargoVersion)
  assert.equal(require('../package.json').version, revcore.version)
})

test('the exports are the documented API, in camelCase', () => {
  for (const name of ['validate', 'normalize', 'schema', 'kinds', 'defaultPipeline', 'classifyStage']) {
    assert.equal(typeof revcore[name], 'function', name)
  }
  assert.equal(typeof Condition, 'function')
  assert.equal(typeof sample.generate, 'function')
  assert.equal(typeof sample.generateAsync, 'function')
})

test('kinds and their schemas', () => {
  const kinds = revcore.kinds()
  assert.ok(kinds.includes('lead') && kinds.includes('world') && kinds.includes('condition'))
  assert.equal(new Set(kinds).size, kinds.length)
  for (const kind of kinds) {
    const schema = revcore.schema(kind)
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', kind)
    JSON.stringify(schema)
  }
  assert.equal(revcore.schema('pipeline').additionalProperties, false) // a config: deny unknown keys
})

test('validate returns nothing for a good document', () => {
  assert.equal(revcore.validate('lead', LEAD), undefined)
  assert.equal(revcore.validate('pipeline', revcore.defaultPipeline()), undefined)
})

test('normalize moves unknown keys into attributes and leaves the input alone', () => {
  const input = { ...LEAD, region: 'emea', campaign: 'q1-webinar', attributes: { source_detail: 'webinar' } }
  const before = structuredClone(input)
  const lead = revcore.normalize('lead', input)
  assert.deepEqual(lead.attributes, { campaign: 'q1-webinar', source_detail: 'webinar' })
  assert.equal(lead.region, 'emea')
  assert.equal(lead.id, 'L1')
  assert.equal(lead.status, 'new')
  assert.deepEqual(input, before)
})

test('normalize checks stages against a given pipeline', () => {
  const opportunity = { id: 'O1', created_at: '2026-01-05T10:00:00Z', stage: 'closedwon' }
  assert.equal(revcore.normalize('opportunity', opportunity, revcore.defaultPipeline()).stage, 'closedwon')
  assert.throws(
    () => revcore.validate('opportunity', { ...opportunity, stage: 'nowhere' }, revcore.defaultPipeline()),
    (err) => err.code === 'validation' && err.errors[0].path === 'stage',
  )
})

test('numbers come back as plain numbers', () => {
  const money = revcore.normalize('money', { amount: '1234.50', currency: 'USD' })
  assert.deepEqual(money, { amount: 1234.5, currency: 'USD' })
  const lead = revcore.normalize('lead', { ...LEAD, employees: 4_000_000_000 })
  assert.equal(typeof lead.employees === 'number' || lead.employees === undefined, true)
})

test('classifyStage finds stages by key, name or alias, else null', () => {
  assert.equal(revcore.classifyStage('closedwon').kind, 'won')
  assert.equal(revcore.classifyStage('Closed Won').key, 'won')
  assert.equal(revcore.classifyStage('no such stage'), null)
  const stage = revcore.defaultPipeline().stages[0]
  assert.deepEqual(revcore.classifyStage(stage.key), stage)
})

test('Condition: matches, explain, fields', () => {
  const condition = new Condition({
    all: [
      { field: 'country', in: ['US', 'CA'] },
      { field: 'attributes.employees', gt: 100 },
    ],
  })
  assert.equal(condition.matches({ country: 'us', attributes: { employees: 500 } }), true)
  assert.equal(condition.matches({ country: 'FR', attributes: { employees: 500 } }), false)
  assert.deepEqual(condition.fields, ['attributes.employees', 'country'])
  const why = condition.explain({ country: 'US' })
  assert.equal(why.matched, false)
  assert.equal(why.node.all[1].reason, 'missing')
  assert.ok(condition instanceof Condition)
})

test('Condition: toJSON round trip, JSON.stringify, and a Condition as a spec', () => {
  const spec = { any: [{ field: 'email', email_domain: ['acme.com'] }, { not: { field: 'country', eq: 'US' } }] }
  const condition = new Condition(spec)
  const canonical = condition.toJSON()
  assert.deepEqual(new Condition(canonical).toJSON(), canonical)
  assert.deepEqual(JSON.parse(JSON.stringify(condition)), canonical)
  assert.deepEqual(new Condition(condition).toJSON(), canonical)
  assert.deepEqual(revcore.normalize('condition', spec), canonical)
})

test('a record may be a class instance or a null-prototype object', () => {
  class Lead {
    constructor() {
      this.country = 'US'
    }
  }
  const condition = new Condition({ field: 'country', eq: 'US' })
  assert.equal(condition.matches(new Lead()), true)
  assert.equal(condition.matches(Object.assign(Object.create(null), { country: 'US' })), true)
  // Only own enumerable string keys count, as in JSON.stringify.
  assert.equal(condition.matches(Object.create({ country: 'US' })), false)
  const hidden = {}
  Object.defineProperty(hidden, 'country', { value: 'US', enumerable: false })
  assert.equal(condition.matches(hidden), false)
  assert.equal(condition.matches({ [Symbol('country')]: 'US', country: 'US' }), true)
})

test('sample data is deterministic for a seed', () => {
  const a = sample.generate({ seed: 7 })
  const b = sample.generate({ seed: 7 })
  assert.deepEqual(a, b)
  assert.notDeepEqual(sample.generate({ seed: 8 }), a)
  for (const key of ['reps', 'teams', 'territories', 'accounts', 'contacts', 'leads', 'opportunities',
    'pipeline', 'content', 'events', 'content_events']) {
    assert.ok(key in a, key)
  }
  assert.ok(a.leads.length > 0)
  JSON.stringify(a) // plain data: no BigInt anywhere
})

test('a generated world validates', () => {
  assert.equal(revcore.validate('world', sample.generate({ seed: 3 })), undefined)
})

test('generateAsync resolves to what generate returns', async () => {
  const promise = sample.generateAsync({ seed: 5 })
  assert.ok(promise instanceof Promise)
  assert.deepEqual(await promise, sample.generate({ seed: 5 }))
  assert.deepEqual(await sample.generateAsync(), sample.generate())
})

test('unknown sample options are rejected', async () => {
  assert.throws(() => sample.generate({ seed: 1, color: 'red' }), (err) => err.code === 'parse')
  await assert.rejects(sample.generateAsync({ seed: 1, color: 'red' }), (err) => err.code === 'parse')
})
