// CSV import through the Node binding (docs/import.md; the vectors check every case): the
// ImportedRecords object, errors with line and column, strict mode, the async readers.

import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const revcore = createRequire(import.meta.url)('../index.js')

const dir = mkdtempSync(join(tmpdir(), 'revcore-import-'))
const deals = join(dir, 'deals.csv')
writeFileSync(
  deals,
  'Record ID,Deal Name,Deal Stage,Amount,Create Date,Pipeline\n' +
    '101,Acme,Closed Won,"$1,234.50",2026-01-05 14:30,Sales\n' +
    '102,Globex,Parked,,2026-01-06,Sales\n' +
    '103,Initech,Contract Sent,,1/7/2026,Sales\n',
)

test('records stay native until asked for', () => {
  const records = revcore.readOpportunitiesCsv(deals, 'hubspot')
  assert.ok(records instanceof revcore.ImportedRecords)
  assert.equal(records.length, 2)
  assert.equal(records.kind, 'opportunities')
  assert.deepEqual(records.get(0).amount, { amount: 1234.5, currency: 'USD' })
  assert.equal(records.get(1).stage, 'negotiation')
  assert.equal(records.get(2), null)
  assert.deepEqual(records.toArray().map((r) => r.id), ['101', '103'])
  assert.deepEqual(records.errors, [
    {
      line: 3,
      column: 'Deal Stage',
      field: 'stage',
      code: 'unknown_stage',
      message: records.errors[0].message,
    },
  ])
})

test('strict mode throws a validation error naming line and column', () => {
  assert.throws(
    () => revcore.readOpportunitiesCsv(deals, 'hubspot', { strict: true }),
    (e) => e.code === 'validation' && e.errors[0].path === 'lines[3]["Deal Stage"]',
  )
})

test('a pipeline in the options maps its own labels', () => {
  const pipeline = {
    stages: [
      { key: 'open', name: 'Parked', kind: 'open', probability: 0.1, forecast_category: 'pipeline' },
      { key: 'won', name: 'Closed Won', kind: 'won', probability: 1, forecast_category: 'closed' },
      { key: 'neg', name: 'Contract Sent', kind: 'open', probability: 0.8, forecast_category: 'commit' },
    ],
  }
  const records = revcore.readOpportunitiesCsv(deals, 'hubspot', { pipeline })
  assert.deepEqual(records.toArray().map((r) => r.stage), ['won', 'open', 'neg'])
  assert.deepEqual(records.errors, [])
})

test('the async reader gives the same records off the main thread', async () => {
  const records = await revcore.readOpportunitiesCsvAsync(deals, 'hubspot')
  assert.deepEqual(records.toArray(), revcore.readOpportunitiesCsv(deals, 'hubspot').toArray())
  await assert.rejects(revcore.readLeadsCsvAsync(join(dir, 'nope.csv'), 'salesforce'), (e) => e.code === 'not_found')
})

test('a missing required column is named before any row', () => {
  assert.throws(
    () => revcore.readLeadsCsv(deals, 'salesforce'),
    (e) => e.code === 'parse' && e.errors[0].path === 'mapping.id' && /Lead ID/.test(e.errors[0].message),
  )
})

test('kpiReport reads imported records in place, the same as their objects', () => {
  const records = revcore.readOpportunitiesCsv(deals, 'hubspot')
  const options = { group_by: ['owner_id', 'created_at:month', 'attributes.Pipeline'] }
  const metrics = ['won_count', 'won_amount', 'open_pipeline', 'pipeline_created']
  const native = revcore.kpiReport(records, metrics, options)
  assert.deepEqual(native, revcore.kpiReport(records.toArray(), metrics, options))
  assert.equal(native.rows.at(-1).won_amount, 1234.5)
})

test('kpiReport refuses imported records of another kind, naming the argument', () => {
  const leadsFile = join(dir, 'leads-for-kpi.csv')
  writeFileSync(leadsFile, 'Record ID,Email,Create Date\n1,a@example.com,2026-01-05\n')
  const leads = revcore.readLeadsCsv(leadsFile, 'hubspot')
  assert.throws(
    () => revcore.kpiReport(leads, ['won_count']),
    (e) => e.code === 'parse' && e.errors[0].path === 'opportunities' && /leads, not opportunities/.test(e.errors[0].message),
  )
})
