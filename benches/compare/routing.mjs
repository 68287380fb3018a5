// Peer comparison: lead routing with revcore's Node binding (`Router`) against json-rules-engine,
// on the routing bench fixture (benches/src/lib.rs: sample world seed 7, 10,000 leads, 24 reps,
// 200 accounts, 1,000 territories, rules "partners", "students", "strategic", "territories").
//
// json-rules-engine gets the same rules and territory conditions, translated to its `all` / `any`
// facts (`in`, `equal`, `greaterThanInclusive`, `lessThanInclusive`, and an `endsWith` operator
// for the one `ends_with` rule); the engine is run once per lead, then the first matching rule
// in declared order is taken and, for the "territories" rule, the most specific territory the
// way revcore picks it (its condition and every ancestor's match; deepest, then highest
// priority, then first declared). It does less than revcore: no account matching, no pool, no
// state, no SLA, no trace.
//
// Usage (from benches/compare, after `npm install` and a release build of bindings-node):
//   node routing.mjs [--runs 7] [--jre-leads 10000]
//   node routing.mjs --count K    (K routeBatch calls only, for callgrind)
// The fixture is read from fixture.json, written first by
//   cargo run --release -q -p revcore-benches --example routing_fixture

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Engine } from 'json-rules-engine';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);
const revcore = require(here('../../bindings-node'));
const { Router } = revcore;

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 7);

// ---------------------------------------------------------------------------------------------
// The fixture

const fixturePath = here('./fixture.json');
if (!existsSync(fixturePath)) {
  const json = execFileSync(
    'cargo',
    ['run', '--release', '-q', '-p', 'revcore-benches', '--example', 'routing_fixture'],
    { cwd: here('../..'), maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  writeFileSync(fixturePath, json);
}
const { now, config, reps, accounts, leads } = JSON.parse(readFileSync(fixturePath, 'utf8'));
const JRE_LEADS = Math.min(arg('jre-leads', leads.length), leads.length);

// `--count K`: only K routeBatch calls on one router, for instruction counts of the whole
// process under callgrind (benches/RESULTS.md, "Node bridge"): run it with two values of K and
// divide the difference by the extra leads routed.
const COUNT = arg('count', 0);
if (COUNT > 0) {
  const router = new Router(config, reps, accounts);
  let routed = 0;
  for (let i = 0; i < COUNT; i++) routed += router.routeBatch(leads, now).length;
  console.log(`routed ${routed} leads in ${COUNT} routeBatch calls`);
  process.exit(0);
}

console.log(
  `machine: ${os.cpus()[0].model} x ${os.cpus().length}, ${os.platform()} ${os.release()}; ` +
    `node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
console.log(
  `fixture: ${leads.length} leads, ${config.territories.length} territories, ` +
    `${config.rules.length} rules, ${reps.length} reps, ${accounts.length} accounts, now ${now}`,
);

// ---------------------------------------------------------------------------------------------
// json-rules-engine

/** A revcore condition as a json-rules-engine condition (only what the fixture uses). */
function toJre(c) {
  if (c.all) return { all: c.all.map(toJre) };
  if (c.any) return { any: c.any.map(toJre) };
  const fact = c.field;
  if ('in' in c) return { fact, operator: 'in', value: c.in };
  if ('eq' in c) return { fact, operator: 'equal', value: c.eq };
  if ('gte' in c) return { fact, operator: 'greaterThanInclusive', value: c.gte };
  if ('lte' in c) return { fact, operator: 'lessThanInclusive', value: c.lte };
  if ('between' in c) {
    return {
      all: [
        { fact, operator: 'greaterThanInclusive', value: c.between[0] },
        { fact, operator: 'lessThanInclusive', value: c.between[1] },
      ],
    };
  }
  if ('ends_with' in c) return { fact, operator: 'endsWith', value: c.ends_with };
  throw new Error(`no json-rules-engine translation for ${JSON.stringify(c)}`);
}
const topLevel = (c) => {
  const t = toJre(c);
  return t.all || t.any ? t : { all: [t] };
};

const engine = new Engine([], { allowUndefinedFacts: true });
engine.addOperator(
  'endsWith',
  (a, b) => a.toLowerCase().endsWith(b.toLowerCase()),
  (a) => typeof a === 'string',
);
config.rules.forEach((r, i) => {
  if (r.condition) engine.addRule({ conditions: topLevel(r.condition), event: { type: 'rule', params: { i } } });
});
const territories = config.territories;
const tIndex = new Map(territories.map((t, i) => [t.id, i]));
const parentOf = territories.map((t) => (t.parent_id === undefined ? -1 : tIndex.get(t.parent_id)));
const depthOf = territories.map((_, i) => {
  let d = 0;
  for (let p = parentOf[i]; p >= 0; p = parentOf[p]) d++;
  return d;
});
territories.forEach((t, i) => {
  if (t.condition) engine.addRule({ conditions: topLevel(t.condition), event: { type: 'territory', params: { i } } });
});

/** Rule id and territory id json-rules-engine's events give for one lead. */
async function jreDecide(lead) {
  const { events } = await engine.run(lead);
  const ruleHit = new Set();
  const tHit = new Uint8Array(territories.length);
  territories.forEach((t, i) => {
    if (!t.condition) tHit[i] = 1;
  });
  for (const e of events) {
    if (e.type === 'rule') ruleHit.add(e.params.i);
    else tHit[e.params.i] = 1;
  }
  const ri = config.rules.findIndex((r, i) => !r.condition || ruleHit.has(i));
  if (ri < 0) return { rule_id: null, territory_id: null };
  const rule = config.rules[ri];
  if (rule.target !== 'territories') return { rule_id: rule.id, territory_id: null };
  let best = -1;
  for (let i = 0; i < territories.length; i++) {
    if (!tHit[i]) continue;
    let ok = true;
    for (let p = parentOf[i]; p >= 0 && ok; p = parentOf[p]) ok = tHit[p] === 1;
    if (!ok) continue;
    if (
      best < 0 ||
      depthOf[i] > depthOf[best] ||
      (depthOf[i] === depthOf[best] && (territories[i].priority ?? 0) > (territories[best].priority ?? 0))
    ) {
      best = i;
    }
  }
  return { rule_id: rule.id, territory_id: best < 0 ? null : territories[best].id };
}

// ---------------------------------------------------------------------------------------------
// Measurements

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => Math.round(x).toLocaleString('en-US');

/** Median leads per second of `fn` (which routes `n` leads) over RUNS runs after 2 warm-ups. */
function measure(name, n, fn) {
  for (let i = 0; i < 2; i++) fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const rate = (n / ms) * 1000;
  console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms / ${n} leads  ${fmt(rate).padStart(10)} leads/s`);
  return rate;
}

// Agreement: a fresh router, every lead, against json-rules-engine on the same leads.
const decisions = new Router(config, reps, accounts).routeBatch(leads, now);
const jreWarm = Math.min(200, JRE_LEADS);
for (let i = 0; i < jreWarm; i++) await jreDecide(leads[i]);
const jre = [];
const t0 = performance.now();
for (let i = 0; i < JRE_LEADS; i++) jre.push(await jreDecide(leads[i]));
const jreMs = performance.now() - t0;
let agree = 0;
const disagreements = [];
for (let i = 0; i < JRE_LEADS; i++) {
  const d = decisions[i];
  const same = (d.rule_id ?? null) === jre[i].rule_id && (d.territory_id ?? null) === jre[i].territory_id;
  if (same) agree++;
  else if (disagreements.length < 5) {
    disagreements.push({ lead: leads[i].id, revcore: [d.rule_id, d.territory_id], jre: jre[i] });
  }
}
console.log(`agreement (same rule and territory): ${agree} / ${JRE_LEADS}`);
for (const d of disagreements) console.log('  differs:', JSON.stringify(d));

const jreRate = (JRE_LEADS / jreMs) * 1000;
console.log(
  `${'json-rules-engine, engine.run per lead'.padEnd(46)} ${jreMs.toFixed(1).padStart(8)} ms / ${JRE_LEADS} leads  ${fmt(jreRate).padStart(10)} leads/s`,
);

const r1 = new Router(config, reps, accounts);
const batch = measure('revcore routeBatch(leads, now)', leads.length, () => r1.routeBatch(leads, now));
const r2 = new Router(config, reps, accounts);
const batchJson = measure('revcore routeBatchJson(JSON.stringify(leads))', leads.length, () =>
  r2.routeBatchJson(JSON.stringify(leads), now),
);
const r3 = new Router(config, reps, accounts);
const batchJsonParsed = measure('  same + JSON.parse of the decisions', leads.length, () =>
  JSON.parse(r3.routeBatchJson(JSON.stringify(leads), now)),
);
const r4 = new Router(config, reps, accounts);
const single = measure('revcore route(lead, now) per lead', leads.length, () => {
  for (const lead of leads) r4.route(lead, now);
});

// Where routeBatch's time goes (bindings-node/index.js): the flat encoding of the leads' wanted
// keys in JS (leadsFlat), the native call (read the flat leads + route + encode), decoding the
// decisions into objects. Older builds (no leadsFlat) report their JSON-text split instead.
const internals = revcore.__batchInternals;
if (internals) {
  const r5 = new Router(config, reps, accounts);
  let input;
  let encoded;
  const us = (fn) => {
    for (let i = 0; i < 2; i++) fn();
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    return ((median(times) / leads.length) * 1000).toFixed(2);
  };
  if (internals.leadsFlat) {
    const project = us(() => (input = internals.leadsFlat(leads, r5)));
    const call = us(() => (encoded = internals.routeBatchFlat(r5, input, now)));
    const decode = us(() => internals.decodeDecisions(encoded));
    console.log(
      `  routeBatch split, µs per lead: JS flat encoding ${project}, ` +
        `native read + route + encode ${call}, decode ${decode}`,
    );
  } else {
    const project = us(() => (input = internals.leadsText(leads, r5)));
    const call = us(() => (encoded = internals.routeBatchText(r5, input, now)));
    const decode = us(() => internals.decodeDecisions(encoded));
    console.log(
      `  routeBatch split, µs per lead: JS projection + JSON.stringify ${project}, ` +
        `native parse + route + encode ${call}, decode ${decode}`,
    );
  }
}
const perLead = (rate) => `${(1e6 / rate).toFixed(2)} µs/lead`;
console.log(
  `per lead: routeBatch ${perLead(batch)}, routeBatchJson ${perLead(batchJson)} ` +
    `(${perLead(batchJsonParsed)} with JSON.parse), route ${perLead(single)}, json-rules-engine ${perLead(jreRate)}`,
);

const ratio = (x) => `${(x / jreRate).toFixed(1)}x`;
console.log(
  `ratio to json-rules-engine: routeBatch ${ratio(batch)}, routeBatchJson ${ratio(batchJson)} ` +
    `(${ratio(batchJsonParsed)} with JSON.parse), route ${ratio(single)}`,
);
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (agree !== JRE_LEADS) process.exitCode = 1;
