// The shipped index.d.ts: fresh (what the build generates from the Rust types today) and
// usable (a small TypeScript file using the whole API compiles against it, strict).

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { DTS, napiPart, render } from '../scripts/gen-types.mjs'

const require = createRequire(import.meta.url)

test('index.d.ts is fresh: its wire-format types are what the Rust types generate now', async () => {
  const current = readFileSync(DTS, 'utf8')
  assert.equal(current, napiPart(current) + '\n' + (await render()), 'index.d.ts is stale: run `npm run build`')
})

test('index.d.ts declares a type for every kind', () => {
  const dts = readFileSync(DTS, 'utf8')
  for (const kind of require('../index.js').kinds()) {
    assert.match(dts, new RegExp(`^  ${kind}: \\w+$`, 'm'), kind)
  }
})

test('a TypeScript program using the API compiles against index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const project = new URL('./types/tsconfig.json', import.meta.url).pathname
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8', stdio: 'pipe' })
  } catch (err) {
    assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`)
  }
})
