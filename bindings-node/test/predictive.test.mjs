// Predictive models through the Node binding (docs/predictive.md is the contract; the vectors
// check the numbers themselves): train, save and load bit for bit, batch == one by one ==
// async, rows as objects or columns, errors with codes and paths, opportunities, capacity.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const { PredictiveModel, thresholdForCapacity, sample } = revcore

// The worked example of docs/predictive.md.
const SIX = [
  { source: 'web', visits: 12, opted_out: false, converted: true },
  { source: 'web', visits: 3, opted_out: false, converted: false },
  { source: 'partner', visits: 7, opted_out: false, converted: true },
  { source: 'partner', visits: null, opted_out: true, converted: true },
  { source: 'event', visits: 0, opted_out: true, converted: false },
  { source: 'web', visits: 1, opted_out: null, converted: false },
]
const SIX_FEATURES = [
  { name: 'source', kind: 'categorical' },
  { name: 'visits', kind: 'numeric', log: true },
  { name: 'opted_out', kind: 'boolean' },
]

const WORLD = sample.generate({ seed: 11, leads: 400 })
const ROWS = WORLD.leads.map((lead) => ({
  converted: ['converted', 'qualified'].includes(lead.status),
  source: lead.source ?? null,
  industry: lead.industry ?? null,
  employees: lead.employees ?? null,
  has_phone: lead.phone != null,
  ignored: { anything: [1, 2, 3] },
}))
const FEATURES = [
  { name: 'source', kind: 'categorical' },
  { name: 'industry', kind: 'categorical' },
  { name: 'employees', kind: 'numeric', log: true },
  { name: 'has_phone', kind: 'boolean' },
]

function columns(rows, keys) {
  return Object.fromEntries(keys.map((k) => [k, rows.map((r) => r[k] ?? null)]))
}

function problems(err) {
  return err.errors.map(({ path, code }) => ({ path, code }))
}

test('the worked example: naive Bayes scores the documented row 0.75', () => {
  const model = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'naive_bayes', {
    min_level_count: 2,
    bins: 2,
    alpha: 1,
  })
  assert.equal(model.algorithm, 'naive_bayes')
  assert.equal(model.label, 'converted')
  const p = model.predict({ source: 'web', visits: 5, opted_out: false })
  assert.ok(Math.abs(p.probability - 0.75) < 1e-12, String(p.probability))
  assert.ok(Math.abs(p.log_odds - Math.log(3)) < 1e-12)
  assert.equal(p.base, 0)
  assert.deepEqual(
    p.factors.map((f) => [f.feature, f.bucket]),
    [['visits', 'value'], ['source', 'level'], ['opted_out', 'false']],
  )
})

test('the worked example: logistic converges to the documented model', () => {
  const model = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, undefined, { min_level_count: 2, lambda: 1 })
  assert.equal(model.algorithm, 'logistic') // the default
  const file = JSON.parse(model.toJson())
  assert.equal(file.kind, 'predictive_model')
  assert.equal(file.training.iterations, 4)
  assert.equal(file.training.converged, true)
  assert.ok(Math.abs(file.intercept - -0.01165888810088882) < 1e-12)
  const p = model.predict({ source: 'webinar', visits: 5, opted_out: 'no' })
  assert.ok(Math.abs(p.probability - 0.5821) < 1e-4, String(p.probability))
})

for (const algorithm of ['logistic', 'naive_bayes']) {
  test(`${algorithm}: save, load, same text and the same probabilities bit for bit`, () => {
    const model = PredictiveModel.train(ROWS, 'converted', FEATURES, algorithm, { min_level_count: 3 })
    const text = model.toJson()
    const loaded = PredictiveModel.fromJson(text)
    assert.equal(loaded.toJson(), text)
    assert.deepEqual(JSON.parse(JSON.stringify(model)), JSON.parse(text)) // toJSON
    const a = model.predictBatch(ROWS)
    const b = loaded.predictBatch(ROWS)
    assert.equal(a.length, ROWS.length)
    for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `row ${i}`)
  })

  test(`${algorithm}: predictBatch == predict of each row, objects == columns, async == sync`, async () => {
    const model = PredictiveModel.train(ROWS, 'converted', FEATURES, algorithm, { min_level_count: 3 })
    const batch = model.predictBatch(ROWS)
    ROWS.forEach((row, i) => assert.ok(Object.is(model.predict(row).probability, batch[i]), `row ${i}`))
    const byColumns = model.predictBatch(columns(ROWS, ['source', 'industry', 'employees', 'has_phone']))
    assert.deepEqual(byColumns, batch)
    assert.deepEqual(await model.predictBatchAsync(ROWS), batch)
    assert.deepEqual(await model.predictBatchAsync(columns(ROWS, ['source', 'industry', 'employees', 'has_phone'])), batch)
    assert.ok(batch.every((p) => p > 0 && p < 1))
  })

  test(`${algorithm}: training on columns gives the same model as on rows`, () => {
    const keys = ['converted', 'source', 'industry', 'employees', 'has_phone']
    const a = PredictiveModel.train(ROWS, 'converted', FEATURES, algorithm, { min_level_count: 3 })
    const b = PredictiveModel.train(columns(ROWS, keys), 'converted', FEATURES, algorithm, { min_level_count: 3 })
    assert.equal(a.toJson(), b.toJson())
  })
}

test('evaluate answers the documented measures', () => {
  const model = PredictiveModel.train(ROWS, 'converted', FEATURES, 'logistic', { min_level_count: 3 })
  const e = model.evaluate(ROWS, 'converted')
  assert.equal(e.rows, ROWS.length)
  assert.equal(e.positives, ROWS.filter((r) => r.converted).length)
  assert.ok(e.auc > 0.5 && e.auc <= 1)
  assert.equal(e.lift.length, 10)
  assert.equal(e.calibration.length, 10)
  assert.deepEqual(
    model.evaluate(columns(ROWS, ['converted', 'source', 'industry', 'employees', 'has_phone']), 'converted'),
    e,
  )
})

test('only the features are read from a row: other keys may hold anything', () => {
  const model = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'naive_bayes', { min_level_count: 2 })
  const row = { source: 'web', visits: 5, opted_out: false }
  const noisy = { ...row, bad: NaN, big: 10n, fn() {}, get boom() { throw new Error('never read') } }
  assert.deepEqual(model.predict(noisy), model.predict(row))
  assert.deepEqual(model.predictBatch([noisy, noisy]), model.predictBatch([row, row]))
  const trained = PredictiveModel.train(
    SIX.map((r) => ({ ...r, at: new Date(NaN), bad: NaN })),
    'converted',
    SIX_FEATURES,
    'naive_bayes',
    { min_level_count: 2 },
  )
  assert.equal(trained.toJson(), model.toJson())
  assert.deepEqual(
    model.evaluate(SIX.map((r) => ({ ...r, bad: Infinity })), 'converted'),
    model.evaluate(SIX, 'converted'),
  )
})

test('bad training inputs: every problem with its path and code', () => {
  assert.throws(
    () => PredictiveModel.train(SIX, 'converted', [{ name: 'source', kind: 'colour' }], 'logistic'),
    (err) => err.name === 'ParseError' && err.code === 'parse' && err.errors[0].path === 'features[0].kind',
  )
  assert.throws(
    () => PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'forest'),
    (err) => err.code === 'invalid_config' && problems(err).some((p) => p.path === 'algorithm' && p.code === 'unknown_algorithm'),
  )
  assert.throws(
    () => PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'logistic', { lambda: -1, alpha: 2 }),
    (err) => {
      assert.equal(err.name, 'ConfigError')
      assert.deepEqual(problems(err).map((p) => p.path).sort(), ['options.alpha', 'options.lambda'])
      return true
    },
  )
  assert.throws(
    () => PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'logistic', { lamda: 1 }),
    (err) => err.code === 'parse' && problems(err)[0].path === 'options.lamda' && problems(err)[0].code === 'unknown_field',
  )
  const bad = SIX.map((r) => ({ ...r }))
  bad[2].visits = 'seven'
  delete bad[4].converted
  assert.throws(
    () => PredictiveModel.train(bad, 'converted', SIX_FEATURES, 'logistic'),
    (err) => {
      assert.equal(err.name, 'ValidationError')
      const got = problems(err)
      assert.ok(got.some((p) => p.path === 'rows[2].visits' && p.code === 'invalid_type'), JSON.stringify(got))
      assert.ok(got.some((p) => p.path === 'rows[4].converted' && p.code === 'missing_label'), JSON.stringify(got))
      return true
    },
  )
  // What JSON cannot carry is refused with its path, never turned into a missing value.
  const inf = SIX.map((r) => ({ ...r }))
  inf[1].visits = Infinity
  assert.throws(
    () => PredictiveModel.train(inf, 'converted', SIX_FEATURES, 'logistic'),
    (err) => err.code === 'parse' && problems(err)[0].path === 'rows[1].visits',
  )
  assert.throws(() => PredictiveModel.train('rows', 'converted', SIX_FEATURES), (err) => err.code === 'parse' && err.errors[0].path === 'rows')
  assert.throws(() => PredictiveModel.train(SIX, 42, SIX_FEATURES), (err) => err.code === 'parse' && err.errors[0].path === 'label')
})

test('bad rows at prediction: paths name the row and the feature', async () => {
  const model = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'logistic', { min_level_count: 2 })
  assert.throws(
    () => model.predict({ source: 'web', visits: 'many' }),
    (err) => err.code === 'validation' && problems(err)[0].path === 'row.visits',
  )
  assert.throws(() => model.predict([1, 2]), (err) => err.code === 'parse' && problems(err)[0].path === 'row')
  assert.throws(
    () => model.predictBatch([{ visits: 1 }, { visits: true }]),
    (err) => err.code === 'validation' && problems(err)[0].path === 'rows[1].visits',
  )
  assert.throws(
    () => model.predictBatch([{ visits: 1 }, { visits: NaN }]),
    (err) => err.code === 'parse' && problems(err)[0].path === 'rows[1].visits',
  )
  assert.throws(() => model.predictBatch(3), (err) => err.code === 'parse' && problems(err)[0].path === 'rows')
  assert.throws(
    () => model.predictBatch({ visits: [1, 2], source: ['web'] }),
    (err) => err.code === 'parse' && problems(err)[0].code === 'invalid_length',
  )
  await assert.rejects(model.predictBatchAsync([{ visits: 'x' }]), (err) => {
    assert.equal(err.name, 'ValidationError')
    assert.deepEqual(problems(err), [{ path: 'rows[0].visits', code: 'invalid_type' }])
    return true
  })
  await assert.rejects(model.predictBatchAsync([{ visits: 10n }]), (err) => err.code === 'parse' && problems(err)[0].path === 'rows[0].visits')
  assert.deepEqual(model.predictBatch([]), [])
})

test('bad model files: parse and config errors with paths', () => {
  const model = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'logistic', { min_level_count: 2 })
  const file = JSON.parse(model.toJson())
  assert.throws(() => PredictiveModel.fromJson('{nope'), (err) => err.code === 'parse' && problems(err)[0].code === 'invalid_json')
  assert.throws(() => PredictiveModel.fromJson(file), (err) => err.code === 'parse') // text only
  assert.throws(
    () => PredictiveModel.fromJson(JSON.stringify({ ...file, version: 2 })),
    (err) => err.code === 'invalid_config' && problems(err)[0].code === 'unsupported_version',
  )
  const wrong = structuredClone(file)
  wrong.features[1].coefficient = 'big'
  assert.throws(
    () => PredictiveModel.fromJson(JSON.stringify(wrong)),
    (err) => err.code === 'parse' && problems(err)[0].path === 'features[1].coefficient',
  )
  const missing = structuredClone(file)
  delete missing.intercept
  assert.throws(
    () => PredictiveModel.fromJson(JSON.stringify(missing)),
    (err) => err.code === 'parse' && problems(err).some((p) => p.code === 'missing_field'),
  )
  assert.throws(() => new PredictiveModel(), /constructor/i)
})

test('opportunities: train on closed deals, score every deal given', () => {
  const context = { as_of: '2026-06-30T00:00:00Z', accounts: WORLD.accounts }
  const model = PredictiveModel.trainOpportunities(WORLD.opportunities, context, 'logistic')
  assert.equal(model.label, 'won')
  const file = JSON.parse(model.toJson())
  assert.equal(file.subject, 'opportunity')
  const scored = model.predictOpportunities(WORLD.opportunities.slice(0, 20), context)
  assert.equal(scored.length, 20)
  scored.forEach((s, i) => {
    assert.equal(s.opportunity_id, WORLD.opportunities[i].id)
    assert.equal(typeof s.open, 'boolean')
    assert.ok(s.probability > 0 && s.probability < 1)
  })
  const loaded = PredictiveModel.fromJson(model.toJson())
  assert.deepEqual(loaded.predictOpportunities(WORLD.opportunities.slice(0, 20), context), scored)
  // A rows model cannot score deals.
  const rowsModel = PredictiveModel.train(SIX, 'converted', SIX_FEATURES, 'logistic', { min_level_count: 2 })
  assert.throws(
    () => rowsModel.predictOpportunities(WORLD.opportunities.slice(0, 2), context),
    (err) => err.code === 'invalid_config' && problems(err)[0].code === 'wrong_subject',
  )
  assert.throws(
    () => PredictiveModel.trainOpportunities(WORLD.opportunities, { accounts: [] }),
    (err) => err.code === 'parse' && problems(err).some((p) => p.path.startsWith('context')),
  )
})

test('thresholdForCapacity: the documented rule', () => {
  const answer = thresholdForCapacity({ scores: [0.9, 0.8, 0.8, 0.5, 0.1], capacity_per_week: 40, inflow_per_week: 100 })
  // k = floor(0.4 * 5) = 2; 0.8 is tied beyond k, so only 0.9 passes.
  assert.equal(answer.threshold, 0.9)
  assert.equal(answer.selected, 1)
  assert.ok(Math.abs(answer.share - 0.2) < 1e-15)
  assert.throws(
    () => thresholdForCapacity({ scores: [0.5], capacity_per_week: 1 }),
    (err) => err.errors.length > 0 && typeof err.code === 'string',
  )
  assert.throws(() => thresholdForCapacity({ scores: [NaN], capacity_per_week: 1, inflow_per_week: 2 }), (err) => err.code === 'parse' && problems(err)[0].path === 'scores[0]')
})
