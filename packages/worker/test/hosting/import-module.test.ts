import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCommonJs, loadEntryScript } from '../../src/hosting/import-module.js';

const root = mkdtempSync(join(tmpdir(), 'w3wp-entry-'));
after(() => rmSync(root, { recursive: true, force: true }));

function files(entries: Record<string, string>): void {
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

test('a file is CommonJS by Node 20\'s rule: .cjs, or .js whose nearest package.json does not say "type": "module"', () => {
  files({
    'plain/package.json': '{ "name": "plain" }',
    'plain/server.js': '',
    'plain/server.cjs': '',
    'plain/server.mjs': '',
    'esm/package.json': '{ "type": "module" }',
    'esm/nested/server.js': '',
    'esm/nested/server.cjs': '',
    'esm/nested/inner/package.json': '{ "type": "commonjs" }',
    'esm/nested/inner/server.js': '',
    'broken/package.json': '{ not json',
    'broken/server.js': '',
  });
  assert.equal(isCommonJs(join(root, 'plain/server.js')), true);
  assert.equal(isCommonJs(join(root, 'plain/server.cjs')), true);
  assert.equal(isCommonJs(join(root, 'plain/server.mjs')), false);
  assert.equal(isCommonJs(join(root, 'esm/nested/server.js')), false, 'the nearest package.json is two folders up');
  assert.equal(isCommonJs(join(root, 'esm/nested/server.cjs')), true);
  assert.equal(isCommonJs(join(root, 'esm/nested/inner/server.js')), true, 'the nearest package.json wins');
  assert.equal(isCommonJs(join(root, 'broken/server.js')), false, 'left to import(), which reports the broken package.json as Node does');
});

test('a CommonJS entry script is required: the namespace is what import() gives (default = module.exports, its properties beside it)', async () => {
  files({
    'cjs/package.json': '{}',
    'cjs/app.js': 'function app() {}\nmodule.exports = { app, handler: app, loadedBy: typeof require };\n',
    'cjs/listener.js': 'module.exports = function listener() {};\n',
    'esm/package.json': '{ "type": "module" }',
    'esm/app.js': 'export const handler = () => {};\nexport default { kind: "esm" };\n',
  });
  const required = await loadEntryScript(join(root, 'cjs/app.js'));
  const imported = await import(join(root, 'cjs/app.js'));
  assert.deepEqual(Object.keys(required).sort(), Object.keys(imported).sort());
  assert.equal(required.default, imported.default, 'the same module.exports: require and import() share the CommonJS cache');
  assert.equal(required.app, (imported as Record<string, unknown>).app);
  const listener = await loadEntryScript(join(root, 'cjs/listener.js'));
  assert.equal(typeof listener.default, 'function');
  const esm = await loadEntryScript(join(root, 'esm/app.js'));
  assert.deepEqual(esm.default, { kind: 'esm' });
  assert.equal(typeof esm.handler, 'function');
});
