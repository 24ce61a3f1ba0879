import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { compileWithCodeCache, saveCodeCache } from '../../src/code-cache/code-cache.js';

// V8 keeps what a process compiled (its compilation cache) and then never looks at cachedData: every
// test compiles a source of its own, as every worker or service is a process of its own.
let sources = 0;
const uniqueSource = (): string => `(function (input) { const double = (value) => value * 2; return double(input) + 1; /* ${++sources} ${Math.random()} */ })`;
const run = (script: { runInThisContext(): unknown }): number => (script.runInThisContext() as (input: number) => number)(20);

function withFolder(body: (folder: string) => void): void {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-code-cache-'));
  try {
    body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test('without a cache the bundle compiles from source; the cache saved then is used by the next worker', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'bundle.v8cache');
    const first = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(first.state, 'missing');
    assert.equal(run(first.script), 41);
    assert.equal(saveCodeCache(first.script, cacheFile), true);
    const second = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(second.state, 'used');
    assert.equal(run(second.script), 41);
  });
});

test('the cache says what the saving process had run: its start only, or its first work too', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'bundle.v8cache');
    const first = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(first.coverage, 'start-up');
    assert.equal(saveCodeCache(first.script, cacheFile, 'start-up'), true);
    const second = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.deepEqual([second.state, second.coverage], ['used', 'start-up']);
    assert.equal(run(second.script), 41);
    assert.equal(saveCodeCache(second.script, cacheFile, 'work'), true);
    const third = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.deepEqual([third.state, third.coverage], ['used', 'work']);
  });
});

test('a cache file of the format before the coverage byte is not handed to V8', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'bundle.v8cache');
    const compiled = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    run(compiled.script);
    const payload = compiled.script.createCachedData();
    const digest = Buffer.alloc(4);
    digest.writeUInt32BE(crc32(payload));
    writeFileSync(cacheFile, Buffer.concat([Buffer.from('w3wp-v8cache crc32\n'), digest, payload]));
    assert.equal(compileWithCodeCache(source, 'bundle.cjs', cacheFile).state, 'rejected');
  });
});

test('a cache for another source is refused and the source compiles as without one', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'bundle.v8cache');
    saveCodeCache(compileWithCodeCache(`(function () { return "an older bundle of another length"; /* ${Math.random()} */ })`, 'bundle.cjs', cacheFile).script, cacheFile);
    const compiled = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(compiled.state, 'rejected');
    assert.equal(run(compiled.script), 41);
  });
});

test('a damaged, truncated or foreign cache file is never handed to V8', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'bundle.v8cache');
    const first = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    run(first.script);
    saveCodeCache(first.script, cacheFile);
    const intact = readFileSync(cacheFile);
    const flipped = Buffer.from(intact);
    for (let index = Math.floor(flipped.length / 2); index < flipped.length; index++) flipped[index] ^= 0x5a;
    const coverageChanged = Buffer.from(intact);
    coverageChanged[Buffer.byteLength('poolhost-v8cache crc32 coverage\n')] ^= 1;
    for (const damaged of [flipped, coverageChanged, intact.subarray(0, intact.length - 8), Buffer.from('not a cache'), Buffer.alloc(0)]) {
      writeFileSync(cacheFile, damaged);
      const compiled = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
      assert.equal(compiled.state, 'rejected');
      assert.equal(run(compiled.script), 41);
    }
  });
});

test('a folder that cannot be written to means no cache, not an error', { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false }, () => {
  withFolder((folder) => {
    const source = uniqueSource();
    chmodSync(folder, 0o500);
    const cacheFile = join(folder, 'bundle.v8cache');
    const compiled = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(saveCodeCache(compiled.script, cacheFile), false);
    assert.equal(compileWithCodeCache(source, 'bundle.cjs', cacheFile).state, 'missing');
    chmodSync(folder, 0o700);
  });
});

test('a cache path in a folder that does not exist means no cache, not an error', () => {
  withFolder((folder) => {
    const source = uniqueSource();
    const cacheFile = join(folder, 'absent', 'bundle.v8cache');
    const compiled = compileWithCodeCache(source, 'bundle.cjs', cacheFile);
    assert.equal(compiled.state, 'missing');
    assert.equal(saveCodeCache(compiled.script, cacheFile), false);
  });
});
