// The loader as the build makes it (dist/<service>.js): built here with esbuild from
// src/code-cache/service-loader.ts, run with `node` against a bundle of a few lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { FIRST_WORK } from '../../src/code-cache/first-work.js';

const HASH = '0123456789abcdef';

// `node svc.js [work] [fail]`: reports what the loader handed the bundle, then (on a later turn, as a
// service's work comes) its first work, and exits 0 (or 1).
const bundleSource = `(function (exports, require, module, __filename, __dirname, importMetaUrl) {"use strict";
  const { basename } = require('node:path');
  process.stdout.write(JSON.stringify({ exports: exports === module.exports, file: basename(__filename), folder: __dirname, url: importMetaUrl }));
  setImmediate(() => {
    if (process.argv.includes('work')) globalThis[Symbol.for(${JSON.stringify(FIRST_WORK.description)})]?.();
    process.exit(process.argv.includes('fail') ? 1 : 0);
  });
})`;

async function withService(body: (run: (...args: string[]) => Record<string, unknown>, cacheFile: string) => void): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'poolhost-service-loader-'));
  try {
    writeFileSync(join(folder, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(join(folder, 'svc.bundle.cjs'), bundleSource);
    await build({
      entryPoints: [join(import.meta.dirname, '..', '..', 'src', 'code-cache', 'service-loader.ts')],
      outfile: join(folder, 'svc.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
      define: { SERVICE_BUNDLE_NAME: '"svc"', SERVICE_BUNDLE_HASH: JSON.stringify(HASH), SERVICE_BUNDLE_ENCODING: '"latin1"' },
    });
    const run = (...args: string[]): Record<string, unknown> => {
      const result = spawnSync(process.execPath, [join(folder, 'svc.js'), ...args], { encoding: 'utf8' });
      assert.equal(result.stderr, '');
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    body(run, join(folder, `svc.bundle.${HASH}.${process.version}-${process.arch}.v8cache`));
    assert.equal(execFileSync('ls', [folder], { encoding: 'utf8' }).includes('.tmp'), false, 'no temporary file is left behind');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const coverageOf = (cacheFile: string): number => readFileSync(cacheFile)[Buffer.byteLength('poolhost-v8cache crc32 coverage\n')]!;

test("the loader runs the bundle with CommonJS' arguments and the bundle's URL", async () => {
  await withService((run) => {
    const seen = run();
    assert.equal(seen.exports, true);
    assert.equal(seen.file, 'svc.bundle.cjs');
    assert.equal(seen.url, pathToFileURL(join(seen.folder as string, 'svc.bundle.cjs')).href);
  });
});

test('a service stopped cleanly saves its start; one that then works replaces it; one that finds a work cache keeps it', async () => {
  await withService((run, cacheFile) => {
    run();
    assert.equal(coverageOf(cacheFile), 0, 'start-up');
    const startUp = statSync(cacheFile).ino;
    run();
    assert.equal(statSync(cacheFile).ino, startUp, 'a start-up cache used by a service that did not work is kept');
    run('work');
    assert.equal(coverageOf(cacheFile), 1, 'work');
    const work = statSync(cacheFile).ino;
    run('work');
    assert.equal(statSync(cacheFile).ino, work);
  });
});

test('a service that fails saves nothing', async () => {
  await withService((run, cacheFile) => {
    run('work', 'fail');
    assert.equal(existsSync(cacheFile), false);
  });
});
