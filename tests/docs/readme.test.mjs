// Runs every ```js block of README.md against the built Node package, so the README stays true.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(path.join(here, '..', '..', 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
const requireFromNode = createRequire(path.join(here, '..', '..', 'bindings-node', 'package.json'))

test('README has a Node example', () => {
  assert.ok(blocks.length > 0)
})

test('README Node examples run', () => {
  const lines = []
  const log = (...args) => lines.push(args.join(' '))
  for (const block of blocks) {
    const fn = new Function('require', 'console', block)
    fn((name) => requireFromNode(name === 'revcore' ? './index.js' : name), { log })
  }
  assert.ok(lines.includes('true'))
  assert.ok(lines.includes('validation time_zone unknown_time_zone'))
})
