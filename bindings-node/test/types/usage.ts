// Compiled (never run) by test/types.test.mjs: the shipped index.d.ts must describe the API.
import { Condition, classifyStage, defaultPipeline, kinds, normalize, sample, schema, validate, version } from '../..'
import type { ConditionSpec, Explanation, Kind, Lead, Pipeline, Rep, RevcoreError, Stage, World } from '../..'

const spec: ConditionSpec = { all: [{ field: 'country', in: ['US', 'CA'] }, { not: { field: 'email', free_mail: true } }] }
const condition = new Condition(spec)
const matched: boolean = condition.matches({ country: 'US' })
const why: Explanation = condition.explain({ country: 'US' })
const fields: string[] = condition.fields
const back: ConditionSpec = condition.toJSON()
const again = new Condition(condition)

declare const rep: Rep
const repMatches: boolean = again.matches(rep)

const lead: Lead = normalize('lead', { id: 'L1', created_at: '2026-01-05T10:00:00Z' })
const pipeline: Pipeline = defaultPipeline()
const stage: Stage | null = classifyStage('won', pipeline)
const nothing: void = validate('lead', lead)
const allKinds: Kind[] = kinds()
const leadSchema: Record<string, unknown> = schema('lead')
const world: World = sample.generate({ seed: 7, leads: 10 })
const later: Promise<World> = sample.generateAsync({ seed: 7 })
const v: string = version

try {
  validate('lead', {})
} catch (e) {
  const err = e as RevcoreError
  const code: 'parse' | 'validation' | 'invalid_config' | 'not_found' | 'conflict' = err.code
  const path: string = err.errors[0].path
  void code
  void path
}

// @ts-expect-error: a kind the core does not know
validate('deal', {})

void [matched, why, fields, back, repMatches, stage, nothing, allKinds, leadSchema, world, later, v]
