// Garbage into every entry point: each call must throw (or reject with) a revcore error with
// the right `code`, `name` and problem path, and the process must live on. Conversion failures
// of JS input are `parse` errors that name the offending path, never a bare napi error.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const { Condition, sample } = revcore

const NAMES = {
  parse: 'ParseError',
  validation: 'ValidationError',
  invalid_config: 'ConfigError',
  not_found: 'NotFoundError',
  conflict: 'ConflictError',
}

const LEAD = { id: 'L1', created_at: '2026-01-05T10:00:00Z' }
const CONDITION = { field: 'country', in: ['US', 'CA'] }

function nested(depth, key) {
  const root = {}
  let node = root
  for (let i = 0; i < depth; i++) {
    node[key] = {}
    node = node[key]
  }
  return root
}

function cyclic() {
  const a = { id: 'L1' }
  a.self = a
  return a
}

/** Asserts `fn` throws a revcore error with `code` whose first problem is at `path`. */
function throwsRevcore(fn, code, path, problem) {
  let caught
  try {
    fn()
  } catch (err) {
    caught = err
  }
  assert.ok(caught, 'expected an error')
  checkError(caught, code, path, problem)
}

function checkError(err, code, path, problem) {
  assert.ok(err instanceof Error, `not an Error: ${err}`)
  assert.equal(err.code, code, err.message)
  assert.equal(err.name, NAMES[code])
  assert.equal(typeof err.message, 'string')
  assert.ok(err.message.startsWith(code), err.message)
  assert.ok(Array.isArray(err.errors) && err.errors.length > 0)
  for (const p of err.errors) {
    assert.deepEqual(Object.keys(p).sort(), ['code', 'message', 'path'])
  }
  if (path !== undefined) assert.equal(err.errors[0].path, path, JSON.stringify(err.errors))
  if (problem !== undefined) assert.equal(err.errors[0].code, problem, JSON.stringify(err.errors))
}

// Values that are not JSON, each with the problem code its conversion reports.
const GARBAGE = [
  ['undefined', undefined, 'invalid_type'],
  ['a BigInt', 10n, 'invalid_type'],
  ['a function', () => 1, 'invalid_type'],
  ['NaN', NaN, 'invalid_number'],
  ['Infinity', -Infinity, 'invalid_number'],
  ['a Symbol', Symbol('s'), 'invalid_type'],
  ['a Map', new Map([['a', 1]]), 'invalid_type'],
  ['a Set', new Set([1]), 'invalid_type'],
  ['a typed array', new Uint8Array(4), 'invalid_type'],
  ['a Buffer', Buffer.from('x'), 'invalid_type'],
  ['a RegExp', /x/, 'invalid_type'],
  ['a Promise', Promise.resolve(1), 'invalid_type'],
  ['an Error', new Error('x'), 'invalid_type'],
  ['an invalid Date', new Date(NaN), 'invalid_date'],
  ['10,000 levels of nesting', nested(10_000, 'a'), 'too_deep'],
  ['a cycle', cyclic(), 'too_deep'],
]

// Every entry point with one argument replaced by `x`, and the path prefix of that argument.
const ENTRY_POINTS = [
  ['validate value', (x) => revcore.validate('lead', x), ''],
  ['validate pipeline', (x) => revcore.validate('lead', LEAD, x), 'pipeline'],
  ['normalize value', (x) => revcore.normalize('lead', x), ''],
  ['normalize pipeline', (x) => revcore.normalize('opportunity', {}, x), 'pipeline'],
  ['classifyStage pipeline', (x) => revcore.classifyStage('won', x), 'pipeline'],
  ['new Condition', (x) => new Condition(x), ''],
  ['Condition.matches', (x) => new Condition(CONDITION).matches(x), ''],
  ['Condition.explain', (x) => new Condition(CONDITION).explain(x), ''],
  ['sample.generate', (x) => sample.generate(x), ''],
]

const OPTIONAL = new Set(['validate pipeline', 'normalize pipeline', 'classifyStage pipeline', 'sample.generate'])

for (const [entry, call, at] of ENTRY_POINTS) {
  test(`${entry}: garbage is a parse error naming the path`, () => {
    for (const [, value, problem] of GARBAGE) {
      // An optional argument left out, and a property holding undefined, are simply absent.
      const top = !(value === undefined && OPTIONAL.has(entry))
      const inner = value !== undefined
      // Nesting errors are reported where the limit is hit: deep below the argument itself.
      const deep = problem === 'too_deep'
      if (top) throwsRevcore(() => call(value), 'parse', deep ? undefined : at, problem)
      if (inner) {
        throwsRevcore(() => call({ x: value }), 'parse', deep ? undefined : at ? `${at}.x` : 'x', problem)
      }
    }
  })
}

test('a nested bad value is reported at its path, every one of them', () => {
  throwsRevcore(
    () => revcore.validate('lead', { ...LEAD, employees: NaN, attributes: { big: 1n, list: [1, () => 2] } }),
    'parse',
    'employees',
    'invalid_number',
  )
  try {
    revcore.validate('lead', { ...LEAD, employees: NaN, attributes: { big: 1n, list: [1, () => 2] } })
  } catch (err) {
    assert.deepEqual(
      err.errors.map(({ path, code }) => ({ path, code })),
      [
        { path: 'employees', code: 'invalid_number' },
        { path: 'attributes.big', code: 'invalid_type' },
        { path: 'attributes.list[1]', code: 'invalid_type' },
      ],
    )
    assert.match(err.errors[1].message, /BigInt/)
  }
})

test('deep nesting stops at the limit, on the path it went down', () => {
  let err
  try {
    new Condition(nested(10_000, 'not'))
  } catch (e) {
    err = e
  }
  checkError(err, 'parse', undefined, 'too_deep')
  assert.ok(err.errors[0].path.startsWith('not.not.not'))
  assert.equal(err.errors[0].path.split('.').length, 128)
})

test('wrong types', () => {
  throwsRevcore(() => new Condition(42), 'invalid_config', '', 'invalid_type')
  throwsRevcore(() => new Condition('country = US'), 'invalid_config', '')
  throwsRevcore(() => new Condition(), 'parse', '', 'invalid_type')
  throwsRevcore(() => new Condition(null), 'invalid_config', '')
  throwsRevcore(() => revcore.validate('lead', 'x'), 'parse', '', 'invalid_type')
  throwsRevcore(() => revcore.validate('lead', undefined), 'parse', '', 'invalid_type')
  throwsRevcore(() => revcore.validate('lead', null), 'parse', '')
  throwsRevcore(() => revcore.validate('lead', []), 'parse', '')
  throwsRevcore(() => revcore.validate('leads', {}), 'parse', '')
  throwsRevcore(() => revcore.validate(42, LEAD), 'parse', 'kind', 'invalid_type')
  throwsRevcore(() => revcore.validate(), 'parse', 'kind')
  throwsRevcore(() => revcore.schema({}), 'parse', 'kind', 'invalid_type')
  throwsRevcore(() => revcore.classifyStage(5), 'parse', 'label', 'invalid_type')
  throwsRevcore(() => revcore.classifyStage(), 'parse', 'label')
  throwsRevcore(() => revcore.normalize('lead', { ...LEAD, employees: '12' }), 'parse', 'employees', 'invalid_type')
  throwsRevcore(() => revcore.normalize('lead', { ...LEAD, employees: 1.5 }), 'parse', 'employees', 'invalid_type')
})

test('unknown kinds', () => {
  throwsRevcore(() => revcore.validate('deal', {}), 'not_found', 'kind', 'unknown_kind')
  throwsRevcore(() => revcore.normalize('Lead', LEAD), 'not_found', 'kind', 'unknown_kind')
  throwsRevcore(() => revcore.schema(''), 'not_found', 'kind', 'unknown_kind')
})

test('unknown keys in a config are errors, in records they are attributes', () => {
  const pipeline = revcore.defaultPipeline()
  throwsRevcore(() => revcore.validate('pipeline', { ...pipeline, color: 'red' }), 'parse', 'color', 'unknown_field')
  throwsRevcore(
    () => revcore.classifyStage('won', { ...pipeline, color: 'red' }),
    'parse',
    'pipeline.color',
    'unknown_field',
  )
  throwsRevcore(
    () => revcore.normalize('money', { amount: 1, currency: 'USD', cents: 100 }),
    'parse',
    'cents',
    'unknown_field',
  )
  throwsRevcore(() => new Condition({ ...CONDITION, weight: 2 }), 'invalid_config', 'weight')
  assert.deepEqual(revcore.normalize('lead', { ...LEAD, color: 'red' }).attributes, { color: 'red' })
})

test('malformed condition specs report every problem', () => {
  let err
  try {
    new Condition({ all: [{ field: 'a', gt: 'x' }, { field: '', eq: 1 }, { any: [] }] })
  } catch (e) {
    err = e
  }
  checkError(err, 'invalid_config', 'all[0].gt')
  assert.ok(err.errors.length >= 3, JSON.stringify(err.errors))
  throwsRevcore(() => new Condition({ field: 'a', matches: '(' }), 'invalid_config', 'matches')
  throwsRevcore(() => new Condition({}), 'invalid_config', '')
  throwsRevcore(() => new Condition({ all: 'nope' }), 'invalid_config', 'all', 'invalid_type')
})

test('a Date in a record crosses as its ISO string', () => {
  const lead = revcore.normalize('lead', { ...LEAD, created_at: new Date('2026-01-05T10:00:00.000Z') })
  assert.equal(lead.created_at, '2026-01-05T10:00:00Z')
  const when = new Condition({ field: 'created_at', gte: '2026-01-01' })
  assert.equal(when.matches({ created_at: new Date('2026-01-02T00:00:00Z') }), true)
  throwsRevcore(() => revcore.validate('lead', { ...LEAD, created_at: new Date('nope') }), 'parse', 'created_at', 'invalid_date')
})

test('undefined properties are left out, as JSON.stringify does', () => {
  assert.equal(revcore.validate('lead', { ...LEAD, email: undefined }), undefined)
  throwsRevcore(() => revcore.validate('leads', [LEAD, undefined]), 'parse', '[1]', 'invalid_type')
})

test('a JS exception raised while reading the input passes through untouched', () => {
  const boom = new RangeError('boom')
  const getter = { ...LEAD }
  Object.defineProperty(getter, 'email', { enumerable: true, get: () => { throw boom } })
  assert.throws(() => revcore.validate('lead', getter), (err) => err === boom)
  assert.throws(
    () => revcore.validate('lead', { ...LEAD, toJSON() { throw boom } }),
    (err) => err === boom,
  )
  // ...and the binding still works afterwards.
  assert.equal(revcore.validate('lead', LEAD), undefined)
})

test('sample options: garbage rejects the promise, it never throws synchronously', async () => {
  for (const [, value, problem] of GARBAGE) {
    if (value === undefined) continue
    let promise
    assert.doesNotThrow(() => {
      promise = sample.generateAsync(value)
    })
    await assert.rejects(promise, (err) => {
      checkError(err, 'parse', problem === 'too_deep' ? undefined : '', problem)
      return true
    })
  }
  await assert.rejects(sample.generateAsync({ seed: 1n }), (err) => {
    checkError(err, 'parse', 'seed', 'invalid_type')
    return true
  })
})

test('methods called on the wrong receiver throw, they do not crash', () => {
  assert.throws(() => Condition.prototype.matches.call({}, {}))
  assert.throws(() => Condition.prototype.toJSON.call(null))
  assert.throws(() => Object.getOwnPropertyDescriptor(Condition.prototype, 'fields').get.call({}))
})

test('the process survives all of it', () => {
  assert.equal(revcore.validate('lead', LEAD), undefined)
  assert.equal(new Condition(CONDITION).matches({ country: 'us' }), true)
})
