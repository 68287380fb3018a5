// Compiled (never run) by test/types.test.mjs: the shipped index.d.ts must describe the API.
import { Condition, PredictiveModel, Router, Scorer, classifyStage, defaultPipeline, kinds, normalize, sample, schema, simulate, thresholdForCapacity, validate, version } from '../..'
import type { CapacityThreshold, Evaluation, FeatureSpec, OpportunityPrediction, Prediction, PredictiveModelFile, ConditionSpec, Decision, Explanation, Kind, Lead, Pipeline, Rep, RevcoreError, RoutingConfig, RoutingState, Score, ScoringModel, EngagementEvent, SimulationReport, Stage, World } from '../..'

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

declare const routingConfig: RoutingConfig
declare const reps: Rep[]
declare const leads: Lead[]
const router = new Router(routingConfig, reps, world.accounts)
const decision: Decision = router.route(lead, new Date())
const owner: string | null = decision.owner_id
const previewed: Decision = router.preview(lead, '2026-03-02T15:00:00Z')
const decisions: Decision[] = router.routeBatch(leads, new Date())
const decisionsText: string = router.routeBatchJson(JSON.stringify(leads), new Date())
const decisionsLater: Promise<Decision[]> = router.routeBatchAsync(leads, new Date())
const routingState: RoutingState = router.state()
const resumed = new Router(routingConfig, reps, null, routingState)
const report: SimulationReport = simulate(routingConfig, reps, leads)
// @ts-expect-error: `now` is a Date or a string
router.route(lead, 1)

declare const scoringModel: ScoringModel
declare const events: EngagementEvent[]
const scorer = new Scorer(scoringModel)
const score: Score = scorer.score(lead, events, new Date())
const grade: string = score.grade
const unengaged: Score = scorer.score(lead, null, '2026-03-02T15:00:00Z')
const scores: Score[] = scorer.scoreBatch(leads, events, new Date())
const scoresLater: Promise<Score[]> = scorer.scoreBatchAsync(leads, undefined, new Date())
const scoredFields: string[] = scorer.leadFields()
// @ts-expect-error: `now` is a Date or a string
scorer.score(lead, events, 1)

const features: FeatureSpec[] = [
  { name: 'source', kind: 'categorical' },
  { name: 'visits', kind: 'numeric', log: true },
]
const rows = [{ source: 'web', visits: 3, converted: true }]
const predictive = PredictiveModel.train(rows, 'converted', features)
const nb = PredictiveModel.train({ source: ['web'], visits: [3], converted: [true] }, 'converted', features, 'naive_bayes', { alpha: 1, bins: 4 })
const loaded: PredictiveModel = PredictiveModel.fromJson(predictive.toJson())
const file: PredictiveModelFile = loaded.toJSON()
const prediction: Prediction = nb.predict({ source: 'web' })
const probabilities: number[] = predictive.predictBatch(rows)
const probabilitiesLater: Promise<number[]> = predictive.predictBatchAsync(rows)
const evaluation: Evaluation = predictive.evaluate(rows, 'converted')
const deals = PredictiveModel.trainOpportunities(world.opportunities ?? [], { as_of: '2026-06-30T00:00:00Z' })
const dealScores: OpportunityPrediction[] = deals.predictOpportunities(world.opportunities ?? [], { as_of: '2026-06-30T00:00:00Z', accounts: world.accounts })
const capacity: CapacityThreshold = thresholdForCapacity({ scores: probabilities, capacity_per_week: 50, inflow_per_week: 400 })
const algorithmName: 'logistic' | 'naive_bayes' = predictive.algorithm
// @ts-expect-error: no such algorithm
PredictiveModel.train(rows, 'converted', features, 'forest')
// @ts-expect-error: a feature kind the core does not know
PredictiveModel.train(rows, 'converted', [{ name: 'x', kind: 'colour' }])
void [file, prediction, probabilitiesLater, evaluation, dealScores, capacity, algorithmName]

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

void [score, grade, unengaged, scores, scoresLater, scoredFields]
void [owner, previewed, decisions, decisionsText, decisionsLater, resumed, report]
void [matched, why, fields, back, repMatches, stage, nothing, allKinds, leadSchema, world, later, v]
