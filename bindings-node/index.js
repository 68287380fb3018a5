// revcore for Node: `require('revcore')`. Hand-written (`napi build` writes native.js, the
// loader of the native addon, and index.d.ts; never this file). Everything native.js exports,
// as it is, except two `Router` methods finished here in JS:
//
// - `routeBatch(leads, now)` and `routeBatchAsync(leads, now)`: the native side returns the
//   decisions encoded (bindings-node/src/encode.rs), decoded here into plain objects (what
//   `JSON.parse` of the core's JSON gives, key order included) in far less time than building
//   them through N-API or parsing their JSON text.
// - A batch of plain leads whose wanted keys (`router.leadFields()`) hold only JSON-safe values
//   crosses flat (`leadsFlat`: their strings joined in one string, their numbers in a
//   Float64Array, one code per key in an Int32Array; read natively by src/leads.rs), or, when
//   the native side does not take that (a string holding NUL), as the JSON text of those keys
//   (`JSON.stringify` is much cheaper than reading objects through N-API). Any other batch (not an array, a non-object, a class instance, NaN,
//   a BigInt, a Map, an invalid Date, a getter that throws, ...) goes to the native object
//   reader, which reads the same keys and reports problems with their paths
//   (`leads[3].created_at`), so both ways accept and refuse the same leads and decide the same.
'use strict'

const native = require('./native.js')
const { types } = require('node:util')

const { Router } = native
const proto = Router.prototype
// The native methods, kept on the prototype under a symbol the first time this file runs: it
// can run again on the same addon (a test runner resetting its module registry), and must
// then wrap the native methods again, not its own wrappers.
const NATIVE = Symbol.for('revcore.nativeRouteBatch')
if (!Object.hasOwn(proto, NATIVE)) {
  Object.defineProperty(proto, NATIVE, {
    value: Object.freeze({
      read: proto.routeBatch,
      readAsync: proto.routeBatchAsync,
      text: proto.routeBatchText,
      textAsync: proto.routeBatchTextAsync,
      flat: proto.routeBatchFlat,
      flatAsync: proto.routeBatchFlatAsync,
    }),
  })
  // Not part of the API: reachable only through the methods below.
  delete proto.routeBatchText
  delete proto.routeBatchTextAsync
  delete proto.routeBatchFlat
  delete proto.routeBatchFlatAsync
}
const {
  read: readRouteBatch,
  readAsync: readRouteBatchAsync,
  text: textRouteBatch,
  textAsync: textRouteBatchAsync,
  flat: flatRouteBatch,
  flatAsync: flatRouteBatchAsync,
} = proto[NATIVE]

/** Most values the native reader reads from one argument (convert.rs, MAX_VALUES). */
const MAX_VALUES = 10_000_000
/**
 * Deepest nesting under a lead's key sent as text; deeper values go to the native reader,
 * which alone decides (its bound is 128 levels, serde_json's about the same).
 */
const MAX_NESTING = 64

const ObjectPrototype = Object.prototype
const ArrayPrototype = Array.prototype
const DatePrototype = Date.prototype
const dateToJSON = DatePrototype.toJSON
const { getPrototypeOf, keys: ownKeys } = Object
const { isArray } = Array
const { isProxy } = types
/** Whether a string has no lone surrogate (which serde_json refuses in JSON text). */
const wellFormed =
  typeof String.prototype.isWellFormed === 'function'
    ? (s) => s.isWellFormed()
    : (s) => !/\p{Surrogate}/u.test(s)

/**
 * Compiles `body` into a function of `params`, or returns undefined where code generation from
 * strings is disallowed (`--disallow-code-generation-from-strings`).
 */
function compile(params, body) {
  try {
    return new Function(...params, body) // eslint-disable-line no-new-func
  } catch {
    return undefined
  }
}

/**
 * Per router: a function giving a key's index in its `leadFields()`, or -1 for a key routing
 * does not read (a `switch` over the names, compiled once: cheaper than any lookup), or null
 * when leads cannot be projected in JS (a field named `__proto__`: `read[k] = v` would set the
 * prototype).
 */
const wantedKeys = new WeakMap()

function wanted(router) {
  if (!(router instanceof Router)) return null // the native method reports what `this` is
  let keyIndex = wantedKeys.get(router)
  if (keyIndex === undefined) {
    const keys = router.leadFields()
    if (keys.includes('__proto__')) {
      keyIndex = null
    } else {
      const cases = keys.map((k, i) => ` case ${JSON.stringify(k)}: return ${i};`).join('')
      const index = new Map(keys.map((k, i) => [k, i]))
      keyIndex = compile(['k'], `switch (k) {${cases} default: return -1 }`) ?? ((k) => index.get(k) ?? -1)
      keyIndex.keyCount = keys.length
      keyIndex.idKey = keys.indexOf('id')
    }
    wantedKeys.set(router, keyIndex)
  }
  return keyIndex
}

/** Values still allowed in the batch being checked (see MAX_VALUES). */
let budget = 0

/**
 * Whether `JSON.stringify` writes `v` as the native reader would read it, and serde_json reads
 * it back as the same value: strings without lone surrogates, finite numbers (whole ones only
 * as safe integers), booleans, null, valid Dates, and plain objects and arrays of those.
 */
function jsonSafe(v, depth) {
  if (--budget < 0) return false
  switch (typeof v) {
    case 'string':
      return wellFormed(v)
    case 'number':
      // Finite; a whole number beyond 2^53 is written as an integer serde would read as one.
      return v - v === 0 && (v % 1 !== 0 || (v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER))
    case 'boolean':
      return true
    case 'object': {
      if (v === null) return true
      if (depth >= MAX_NESTING || isProxy(v)) return false
      const p = getPrototypeOf(v)
      if (p === ArrayPrototype) {
        if (!isArray(v)) return false
        for (let i = 0; i < v.length; i++) {
          const x = v[i]
          if (x === undefined || !jsonSafe(x, depth + 1)) return false
        }
        return true
      }
      if (p === ObjectPrototype || p === null) {
        if (typeof v.toJSON === 'function') return false
        const keys = ownKeys(v)
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]
          if (!wellFormed(k)) return false
          const x = v[k]
          if (x !== undefined && !jsonSafe(x, depth + 1)) return false
        }
        return true
      }
      // A valid Date with the standard toJSON: its ISO string either way.
      return p === DatePrototype && v.toJSON === dateToJSON && v.getTime() === v.getTime()
    }
    default:
      return false // undefined in an array, bigint, symbol, function
  }
}

/** Whether `Object.prototype` has an enumerable property (`for...in` would list it). */
function prototypePolluted() {
  for (const _ in ObjectPrototype) return true // eslint-disable-line no-unreachable-loop
  return false
}

/**
 * The JSON text of the leads' wanted keys (a list of objects holding those present), or
 * undefined when the batch is not an array of plain objects whose wanted keys are all
 * JSON-safe (see `jsonSafe`). A lead's keys are its own enumerable ones, in its order, as the
 * native reader and `JSON.stringify` see them.
 */
function leadsText(leads, keyIndex) {
  if (keyIndex === null || !isArray(leads) || isProxy(leads) || prototypePolluted()) return undefined
  try {
    const n = leads.length
    budget = MAX_VALUES - 1 - n
    if (budget < 0) return undefined
    const out = new Array(n)
    for (let i = 0; i < n; i++) {
      const lead = leads[i]
      // (A proxy lead is read through the same traps here and by the reader; a proxy of an
      // array is not: Array.isArray sees through it, N-API does not. Hence isProxy below.)
      if (typeof lead !== 'object' || lead === null) return undefined
      const p = getPrototypeOf(lead)
      if ((p !== ObjectPrototype && p !== null) || typeof lead.toJSON === 'function') return undefined
      const read = {}
      // Own enumerable keys only, Object.prototype having none (checked above).
      for (const k in lead) {
        if (keyIndex(k) < 0) continue
        const v = lead[k]
        if (v === undefined) continue // absent, as JSON.stringify and the reader see it
        if (typeof v === 'string' ? --budget < 0 || !wellFormed(v) : !jsonSafe(v, 0)) return undefined
        read[k] = v
      }
      out[i] = read
    }
    return JSON.stringify(out)
  } catch {
    return undefined // a getter or a proxy threw: the reader meets it again and reports it
  }
}

/** Kinds of a flat entry (src/leads.rs): the low 3 bits of its code, the key index above. */
const STRING = 0
const NUMBER = 1
const TRUE = 2
const FALSE = 3
const NULL = 4
const JSON_TEXT = 5
const { MAX_SAFE_INTEGER } = Number

/**
 * Buffers `leadsFlat` reuses from batch to batch (null while in use: a getter may route, and
 * so may reading `now` in the native call that reads them; `releaseFlat` gives them back).
 */
let flatBuffers = { codes: new Int32Array(1024), numbers: new Float64Array(256), ids: new Int32Array(64), strings: [] }

/**
 * Most strings a batch leaves in the kept `strings` list (beyond, the list is not kept): the
 * list is reused so that a batch does not grow a fresh one of some 80,000 entries (1.8 MB of
 * garbage per 10,000 leads), at the cost of holding the last batch's strings until the next.
 */
const KEEP_STRINGS = 1 << 20

/**
 * The leads' wanted keys in the flat encoding of src/leads.rs (`{ text, codes, numbers }`),
 * or undefined when the batch is not an array of plain objects whose wanted keys are all
 * JSON-safe (the leads `leadsText` takes; it then decides) or whose `id` is there but not a
 * string (only a string is an id: the text path reports the others). Reads each lead's own
 * enumerable keys, in its order, once, as `leadsText` does; a value is sent as
 * `JSON.stringify` would write it: a valid Date as its ISO string, a nested object or array
 * as its JSON text. `strings` and `ids` give each lead's id (`strings[ids[i]]`, when it has
 * one): a decision's `lead_id` is its lead's id, so `routeBatch` takes it from here instead
 * of from the native side. The arrays are held (`buffers`) until `releaseFlat`.
 */
function leadsFlat(leads, keyIndex, keyCount) {
  if (keyIndex === null || !isArray(leads) || isProxy(leads) || prototypePolluted()) return undefined
  let buffers = flatBuffers
  flatBuffers = null
  let release = true
  try {
    const n = leads.length
    budget = MAX_VALUES - 1 - n
    if (budget < 0) return undefined
    // At most every wanted key of every lead.
    const most = 2 + n * (1 + keyCount)
    if (buffers === null || buffers.codes.length < most) {
      buffers = { codes: new Int32Array(most), numbers: new Float64Array(n * keyCount), ids: new Int32Array(n), strings: [] }
    } else {
      if (buffers.numbers.length < n * keyCount) buffers.numbers = new Float64Array(n * keyCount)
      if (buffers.ids.length < n) buffers.ids = new Int32Array(n)
    }
    const { codes, numbers, ids, strings } = buffers
    const { idKey } = keyIndex
    let w = 0 // strings written
    let p = 2
    let q = 0
    for (let i = 0; i < n; i++) {
      const lead = leads[i]
      if (typeof lead !== 'object' || lead === null) return undefined
      const proto = getPrototypeOf(lead)
      if ((proto !== ObjectPrototype && proto !== null) || typeof lead.toJSON === 'function') return undefined
      const at = p++
      // Own enumerable keys only, Object.prototype having none (checked above).
      for (const k in lead) {
        const key = keyIndex(k)
        if (key < 0) continue
        const v = lead[k]
        if (key === idKey && typeof v !== 'string' && v !== undefined) return undefined
        switch (typeof v) {
          case 'string':
            if (--budget < 0) return undefined
            if (key === idKey) ids[i] = w
            strings[w++] = v
            codes[p++] = key << 3 // STRING
            break
          case 'number':
            if (--budget < 0 || v - v !== 0 || (v % 1 === 0 && (v > MAX_SAFE_INTEGER || v < -MAX_SAFE_INTEGER))) {
              return undefined
            }
            numbers[q++] = v
            codes[p++] = (key << 3) | NUMBER
            break
          case 'boolean':
            --budget
            codes[p++] = (key << 3) | (v ? TRUE : FALSE)
            break
          case 'undefined':
            break // absent, as JSON.stringify and the reader see it
          case 'object':
            if (v === null) {
              --budget
              codes[p++] = (key << 3) | NULL
            } else if (getPrototypeOf(v) === DatePrototype) {
              if (!jsonSafe(v, 0)) return undefined
              const iso = v.toJSON()
              if (typeof iso !== 'string') return undefined
              strings[w++] = iso
              codes[p++] = key << 3 // STRING
            } else {
              if (!jsonSafe(v, 0)) return undefined
              strings[w++] = JSON.stringify(v)
              codes[p++] = (key << 3) | JSON_TEXT
            }
            break
          default:
            return undefined // bigint, symbol, function
        }
      }
      codes[at] = p - at - 1
    }
    if (budget < 0) return undefined
    strings.length = w
    if (w > KEEP_STRINGS) buffers.strings = []
    codes[0] = n
    codes[1] = w
    // One check for every string (NUL joins no surrogates into a pair).
    const text = strings.join('\0')
    if (!wellFormed(text)) return undefined
    release = false
    return { text, codes: codes.subarray(0, p), numbers: numbers.subarray(0, q), strings, ids: ids.subarray(0, n), buffers }
  } catch {
    return undefined // a getter or a proxy threw: the reader meets it again and reports it
  } finally {
    if (release) flatBuffers = buffers
  }
}

/** Gives the buffers of `flat` (from `leadsFlat`) back once the native side has read them. */
function releaseFlat(flat) {
  flatBuffers = flat.buffers
}

/**
 * The optional trace-step fields, in the order of their mask bits (encode.rs `FIELDS`, which
 * is `TraceStep`'s field order, so serde's key order).
 */
const STEP_FIELDS = [
  'rule_id', 'pool_id', 'rep_id', 'result', 'by', 'account_id', 'domain', 'territory_id',
  'reason', 'missing_fields', 'queue', 'due', 'minutes',
]
const MISSING_FIELDS = 1 << STEP_FIELDS.indexOf('missing_fields')
const MINUTES = 1 << STEP_FIELDS.indexOf('minutes')

/**
 * Per mask, the function reading one trace step (after its `step, mask` codes) into an object
 * literal: every object of a mask gets its keys at once, in one shape, which V8 builds several
 * times faster than adding keys one by one. `cursor` holds the positions in `codes` (`p`) and
 * `numbers` (`q`). Compiled at first use; used for the steps whose mask `batchDecoder` is not
 * compiled for yet (below). The table has a slot for every mask from the start: readers stored
 * at scattered indices of an empty array would turn it into a dictionary, and every look-up
 * into a hash probe.
 */
const stepReaders = new Array(1 << STEP_FIELDS.length).fill(undefined)

function stepReader(mask) {
  let reader = stepReaders[mask]
  if (reader !== undefined) return reader
  if (mask >= 1 << STEP_FIELDS.length) {
    throw new Error(`revcore: unknown trace-step fields (mask ${mask}): index.js is older than the addon`)
  }
  const lines = ['let p = cursor.p']
  const fields = []
  STEP_FIELDS.forEach((name, bit) => {
    if (!(mask & (1 << bit))) return
    if (1 << bit === MISSING_FIELDS) {
      lines.push('const n = c[p++]', 'const missing_fields = new Array(n)', 'for (let i = 0; i < n; i++) missing_fields[i] = s[c[p++]]')
    } else if (1 << bit === MINUTES) {
      lines.push('const minutes = x[cursor.q++]')
    } else {
      lines.push(`const ${name} = s[c[p++]]`)
    }
    fields.push(name)
  })
  lines.push('cursor.p = p', `return { step, ${fields.join(', ')} }`)
  reader = compile(['step', 's', 'c', 'x', 'cursor'], lines.join('\n')) ?? genericStepReader(mask)
  stepReaders[mask] = reader
  return reader
}

/** `stepReader` without code generation: the same objects, keys added one by one. */
function genericStepReader(mask) {
  return (step, s, c, x, cursor) => {
    const object = { step }
    STEP_FIELDS.forEach((name, bit) => {
      if (!(mask & (1 << bit))) return
      if (1 << bit === MISSING_FIELDS) {
        const n = c[cursor.p++]
        const fields = new Array(n)
        for (let i = 0; i < n; i++) fields[i] = s[c[cursor.p++]]
        object.missing_fields = fields
      } else if (1 << bit === MINUTES) {
        object.minutes = x[cursor.q++]
      } else {
        object[name] = s[c[cursor.p++]]
      }
    })
    return object
  }
}

/**
 * Decisions from their encoding (encode.rs): plain objects, keys in serde's order. Lead ids
 * are in the strings, or (`routeBatch` of flat leads) given apart: `leadIds[leadIdAt[i]]`.
 * Read by `batchDecoder` (see there).
 */
function decodeDecisions(encoded) {
  const s = JSON.parse(encoded.strings) // s[0] is null
  const out = batchDecoder(s, encoded.codes, encoded.numbers, encoded.leadIds, encoded.leadIdAt, stepMet, cursor)
  if (masksMet.length > 0) learnMasks()
  return out
}

/** Positions in `codes` (`p`) and `numbers` (`q`) for `stepReader`'s readers. */
const cursor = { p: 0, q: 0 }

/** Masks read by `stepReader` in the batch being decoded, which `batchDecoder` does not know. */
let masksMet = []

/** A step whose mask `batchDecoder` does not know: read by `stepReader`, its mask noted. */
function stepMet(mask, step, s, c, x, at) {
  if (masksMet.length < MAX_MASKS) masksMet.push(mask)
  return (stepReaders[mask] ?? stepReader(mask))(step, s, c, x, at)
}

/** Most masks `batchDecoder` is compiled for (a batch meets a few dozen). */
const MAX_MASKS = 256

/** The masks `batchDecoder` knows, sorted. */
let masksKnown = []

/**
 * Reads a whole batch: one function, compiled for the step masks met so far, whose loop keeps
 * its positions in locals and builds each mask's step with one object literal (one shape, made
 * in one place: what V8 allocates and initialises fastest), where calling a reader per step
 * through a table would cost a call, and the positions a store, each. A mask it does not know
 * is read by `stepMet`, and the decoder is compiled again with it once the batch is decoded;
 * where code generation is disallowed, every step is read that way.
 */
let batchDecoder = compileDecoder([])

/** Compiles `batchDecoder` again with the masks the last batch met. */
function learnMasks() {
  const masks = [...new Set([...masksKnown, ...masksMet])].sort((a, b) => a - b).slice(0, MAX_MASKS)
  masksMet = []
  if (masks.length === masksKnown.length) return
  masksKnown = masks
  batchDecoder = compileDecoder(masks)
}

/** The decoder of a batch for these masks (see `batchDecoder`). */
function compileDecoder(masks) {
  const cases = masks.map((mask) => {
    const lines = []
    const fields = []
    STEP_FIELDS.forEach((name, bit) => {
      if (!(mask & (1 << bit))) return
      if (1 << bit === MISSING_FIELDS) {
        lines.push(
          'const m = c[p++]',
          'const missing_fields = new Array(m)',
          'for (let k = 0; k < m; k++) missing_fields[k] = s[c[p++]]',
        )
      } else if (1 << bit === MINUTES) {
        lines.push('const minutes = x[q++]')
      } else {
        lines.push(`const ${name} = s[c[p++]]`)
      }
      fields.push(name)
    })
    const object = `{ step${fields.map((f) => `, ${f}`).join('')} }`
    return `      case ${mask}: {\n        ${lines.join('\n        ')}\n        trace[j] = ${object}\n        break\n      }`
  })
  const body = `
  const n = c[0]
  const out = new Array(n)
  let p = 1
  let q = 0
  for (let i = 0; i < n; i++) {
    const lead_id = leadIds === undefined ? s[c[p]] : leadIds[leadIdAt[i]]
    const owner_id = s[c[p + 1]]
    const queue = s[c[p + 2]]
    const account_id = s[c[p + 3]]
    const territory_id = s[c[p + 4]]
    const rule_id = s[c[p + 5]]
    const pool_id = s[c[p + 6]]
    const sla_due = s[c[p + 7]]
    const steps = c[p + 8]
    const state_version = x[q++]
    p += 9
    const trace = new Array(steps)
    for (let j = 0; j < steps; j++) {
      const step = s[c[p]]
      const mask = c[p + 1]
      p += 2
      switch (mask) {
${cases.join('\n')}
      default:
        at.p = p
        at.q = q
        trace[j] = met(mask, step, s, c, x, at)
        p = at.p
        q = at.q
      }
    }
    out[i] = { lead_id, owner_id, queue, account_id, territory_id, rule_id, pool_id, sla_due, state_version, trace }
  }
  return out`
  return compile(['s', 'c', 'x', 'leadIds', 'leadIdAt', 'met', 'at'], body) ?? decodeGeneric
}

/** `batchDecoder` without code generation: every step read by `met`. */
function decodeGeneric(s, c, x, leadIds, leadIdAt, met, at) {
  const n = c[0]
  const out = new Array(n)
  let p = 1
  let q = 0
  for (let i = 0; i < n; i++) {
    const lead_id = leadIds === undefined ? s[c[p]] : leadIds[leadIdAt[i]]
    const owner_id = s[c[p + 1]]
    const queue = s[c[p + 2]]
    const account_id = s[c[p + 3]]
    const territory_id = s[c[p + 4]]
    const rule_id = s[c[p + 5]]
    const pool_id = s[c[p + 6]]
    const sla_due = s[c[p + 7]]
    const steps = c[p + 8]
    const state_version = x[q++]
    p += 9
    const trace = new Array(steps)
    for (let j = 0; j < steps; j++) {
      at.p = p + 2
      at.q = q
      trace[j] = met(c[p + 1], s[c[p]], s, c, x, at)
      p = at.p
      q = at.q
    }
    out[i] = { lead_id, owner_id, queue, account_id, territory_id, rule_id, pool_id, sla_due, state_version, trace }
  }
  return out
}

/** The flat encoding of the leads for `router`, or undefined (see `leadsFlat`). */
function flatFor(leads, router) {
  const keyIndex = wanted(router)
  return keyIndex === null ? undefined : leadsFlat(leads, keyIndex, keyIndex.keyCount)
}

/** `routeBatch` of leads that did not cross flat: as JSON text, else read natively. */
function routeBatchSlow(router, leads, now) {
  const text = leadsText(leads, wanted(router))
  return text === undefined ? readRouteBatch.call(router, leads, now) : textRouteBatch.call(router, text, now)
}

/**
 * Arrays `routeBatch` of flat leads has the decisions' codes and numbers written into, kept
 * from batch to batch (null while in use: reading `now` may run JS that routes again). The
 * native side writes the encoding into them when it fits, else returns fresh, larger arrays,
 * kept for the next batch.
 */
let decisionBuffers = { codes: new Int32Array(4096), numbers: new Float64Array(256) }

/** The native half of `routeBatch` for flat leads: decisions encoded, or null (not taken). */
function routeFlat(router, flat, now) {
  let buffers = decisionBuffers
  decisionBuffers = null
  if (buffers === null) buffers = { codes: new Int32Array(0), numbers: new Float64Array(0) }
  try {
    const written = flatRouteBatch.call(router, flat.text, flat.codes, flat.numbers, now, buffers.codes, buffers.numbers)
    if (written === null) return null
    if (written.codes !== undefined) buffers.codes = written.codes
    if (written.numbers !== undefined) buffers.numbers = written.numbers
    // The lead ids are not written natively: they are the leads' own (`leadsFlat`).
    return { strings: written.strings, codes: buffers.codes, numbers: buffers.numbers, leadIds: flat.strings, leadIdAt: flat.ids }
  } finally {
    decisionBuffers = buffers
  }
}

proto.routeBatch = function routeBatch(leads, now) {
  const flat = flatFor(leads, this)
  if (flat !== undefined) {
    let encoded
    try {
      encoded = routeFlat(this, flat, now)
    } finally {
      releaseFlat(flat)
    }
    // Decoded before the next batch can write into the same arrays.
    if (encoded !== null) return decodeDecisions(encoded)
  }
  return decodeDecisions(routeBatchSlow(this, leads, now))
}

proto.routeBatchAsync = function routeBatchAsync(leads, now) {
  const flat = flatFor(leads, this)
  if (flat !== undefined) {
    let task
    try {
      // Copies the arrays before it returns.
      task = flatRouteBatchAsync.call(this, flat.text, flat.codes, flat.numbers, now)
    } finally {
      releaseFlat(flat)
    }
    return task
      .then((encoded) => (encoded !== null ? encoded : routeBatchSlowAsync(this, leads, now)))
      .then(decodeDecisions)
  }
  return routeBatchSlowAsync(this, leads, now).then(decodeDecisions)
}

/** `routeBatchAsync` of leads that did not cross flat: as JSON text, else read natively. */
function routeBatchSlowAsync(router, leads, now) {
  const text = leadsText(leads, wanted(router))
  return text === undefined ? readRouteBatchAsync.call(router, leads, now) : textRouteBatchAsync.call(router, text, now)
}

module.exports = native
// For the tests (test/routing-batch.test.mjs) and the bench: not part of the API, absent from
// index.d.ts.
Object.defineProperty(module.exports, '__batchInternals', {
  configurable: true,
  value: Object.freeze({
    leadsText: (leads, router) => leadsText(leads, wanted(router)),
    /** The flat encoding; its arrays are reused by the next batch. */
    leadsFlat: (leads, router) => {
      const flat = flatFor(leads, router)
      if (flat !== undefined) releaseFlat(flat)
      return flat
    },
    decodeDecisions,
    STEP_FIELDS,
    /** The native half of `routeBatch` for leads as text (benches/compare/routing.mjs). */
    routeBatchText: (router, text, now) => textRouteBatch.call(router, text, now),
    /**
     * The native half of `routeBatch` for flat leads (null: not taken that way); its arrays
     * are reused by the next batch.
     */
    routeBatchFlat: (router, flat, now) => routeFlat(router, flat, now),
  }),
  enumerable: false,
})
