// Runs every conformance vector (tests/vectors/**/*.json, format in tests/vectors/README.md)
// through the Node binding. Results must equal `expected.ok` exactly; errors must have the
// expected `code` and the expected `{path, code}` of every problem, in order. An op this runner
// does not know fails its vector: it is never skipped.

import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')
const VECTORS = fileURLToPath(new URL('../../tests/vectors/', import.meta.url))

const OPS = {
  validate: ({ kind, value, pipeline }) => revcore.validate(kind, value, pipeline) ?? null,
  normalize: ({ kind, value, pipeline }) => revcore.normalize(kind, value, pipeline),
  'condition.parse': ({ condition }) => new revcore.Condition(condition).toJSON(),
  'condition.matches': ({ condition, record }) => new revcore.Condition(condition).matches(record),
  'condition.explain': ({ condition, record }) => new revcore.Condition(condition).explain(record),
  'sample.generate': ({ options }) => revcore.sample.generate(options),
  'pipeline.classify_stage': ({ label, pipeline }) => revcore.classifyStage(label, pipeline),
  'routing.route': (input) => {
    const router = newRouter(input)
    const { leads, now } = input
    if (Array.isArray(now) && now.length !== leads.length) {
      throw new Error(`\`now\` has ${now.length} times for ${leads.length} leads`)
    }
    const decisions = leads.map((lead, i) => router.route(lead, Array.isArray(now) ? now[i] : now))
    return { decisions, state: router.state() }
  },
  'routing.route_batch': (input) => {
    const router = newRouter(input)
    return { decisions: router.routeBatch(input.leads, input.now), state: router.state() }
  },
  'routing.preview': (input) => {
    const router = newRouter(input)
    return { decision: router.preview(input.lead, input.now), state: router.state() }
  },
  'routing.simulate': ({ config, reps, leads, accounts }) => revcore.simulate(config, reps, leads, accounts),
  'scoring.score': ({ model, lead, events, now }) => new revcore.Scorer(model).score(lead, events, now),
  'scoring.score_batch': ({ model, leads, events, now }) => new revcore.Scorer(model).scoreBatch(leads, events, now),
  // Models cross as the model file, an object: loaded through its text, saved back as an object.
  'predictive.train': ({ rows, label, features, algorithm, options }) =>
    modelFile(revcore.PredictiveModel.train(rows, text(label), features, text(algorithm), options ?? null)),
  'predictive.predict': ({ model, row }) => loadModel(model).predict(row),
  'predictive.predict_batch': ({ model, rows }) => loadModel(model).predictBatch(rows),
  'predictive.evaluate': ({ model, rows, label }) => loadModel(model).evaluate(rows, text(label)),
  'predictive.threshold_for_capacity': ({ input }) => revcore.thresholdForCapacity(input),
  'predictive.train_opportunities': ({ opportunities, context, algorithm, options }) =>
    modelFile(revcore.PredictiveModel.trainOpportunities(opportunities, context, text(algorithm), options ?? null)),
  'kpi.report': ({ opportunities, request }) => {
    const { metrics, ...options } = request
    return revcore.kpiReport(opportunities, metrics, options)
  },
  'kpi.funnel': ({ opportunities, options }) => revcore.funnel(opportunities, options),
  'kpi.coaching_flags': ({ opportunities, request }) => {
    const { metrics, ...options } = request
    return revcore.coachingFlags(opportunities, metrics, options)
  },
  'content.readiness': ({ programs, reps, completions, opportunities, options }) =>
    revcore.readiness(programs, reps, completions, opportunities, options),
  'content.library': (input) => library(input).assets(),
  'content.search': (input) => library(input).search(input.query, input.filters, input.limit),
  'content.recommend': (input) => library(input).recommend(input.context, input.limit, input.usage),
  'content.analytics': (input) => library(input).analytics(input.events, input.opportunities, input.options),
  'import.read_csv': readCsv,
}

/** The vector's content library after its changes (add / update / remove, in order). */
function library({ assets, changes }) {
  const lib = new revcore.ContentLibrary(assets)
  for (const change of changes ?? []) {
    if ('add' in change) lib.add(change.add)
    else if ('update' in change) lib.update(change.update)
    else lib.remove(change.remove)
  }
  return lib
}

const READERS = {
  opportunities: revcore.readOpportunitiesCsv,
  leads: revcore.readLeadsCsv,
  accounts: revcore.readAccountsCsv,
}

/** Writes the vector's text to a temporary file and reads it back through the host's reader. */
function readCsv({ kind, csv, mapping, pipeline, options }) {
  const dir = mkdtempSync(join(tmpdir(), 'revcore-vector-'))
  try {
    const path = join(dir, 'vector.csv')
    writeFileSync(path, csv, 'utf8')
    const records = READERS[kind](path, mapping, { ...(options ?? {}), pipeline })
    const errors = records.errors.map(({ message, ...rest }) => rest)
    return { records: records.toArray(), errors }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A string argument as the Rust runner reads it: anything but a string is "". */
function text(value) {
  return typeof value === 'string' ? value : ''
}

function loadModel(file) {
  return revcore.PredictiveModel.fromJson(JSON.stringify(file))
}

function modelFile(model) {
  return JSON.parse(model.toJson())
}

function newRouter({ config, reps, accounts, state }) {
  return new revcore.Router(config, reps, accounts, state)
}

function vectorFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return vectorFiles(path)
      return entry.name.endsWith('.json') ? [path] : []
    })
    .sort()
}

function run(vector) {
  const op = OPS[vector.op]
  if (!op) throw new Error(`unknown op \`${vector.op}\`: the Node runner must know every op`)
  try {
    return { ok: op(vector.input ?? {}) }
  } catch (err) {
    if (typeof err?.code !== 'string' || !Array.isArray(err.errors)) throw err // not a revcore error
    return { error: err }
  }
}

function check(vector) {
  const { expected } = vector
  const outcome = run(vector)
  if ('ok' in expected) {
    if (outcome.error) {
      assert.fail(`expected a result, got ${outcome.error.name}: ${outcome.error.message}`)
    }
    assert.deepStrictEqual(outcome.ok, expected.ok)
  } else if ('error' in expected) {
    if (!outcome.error) assert.fail(`expected a ${expected.error.code} error, got ${JSON.stringify(outcome.ok)}`)
    const got = {
      code: outcome.error.code,
      errors: outcome.error.errors.map(({ path, code }) => ({ path, code })),
    }
    const want = {
      code: expected.error.code,
      errors: (expected.error.errors ?? []).map(({ path, code }) => ({ path, code })),
    }
    assert.deepStrictEqual(got, want, outcome.error.message)
  } else {
    assert.fail('`expected` has neither `ok` nor `error`')
  }
}

const files = vectorFiles(VECTORS)

test('the vectors are there', () => {
  assert.ok(files.length >= 40, `only ${files.length} vectors under ${VECTORS}`)
})

for (const file of files) {
  const name = relative(VECTORS, file)
  test(name, () => {
    const vector = JSON.parse(readFileSync(file, 'utf8'))
    check(vector)
  })
}
