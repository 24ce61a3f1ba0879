// How long @poolhost/config takes to refuse the 100 MB applicationHost.config of the configuration
// robustness tests (e2e/reliability/support/broken-configs.ts), and the same file broken other ways, through
// the calls was makes on a change (readFile as UTF-8, then parseApplicationHostConfig) and `poolhost start`
// makes at start (loadApplicationHostConfig). Run it under was's V8 flags (service-node-flags.ts):
//   node --lite-mode --no-expose-wasm --max-semi-space-size=1 --import tsx scripts/measure-huge-config.ts [repository]
// `repository` (default: this one) is where @poolhost/config is imported from, to compare two trees.
// docs/performance.md, "A 100 MB applicationHost.config refused".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cases, goodConfig } from '../e2e/reliability/support/broken-configs.js';

const repository = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const config = (await import(join(repository, 'packages/config/src/index.ts'))) as typeof import('../packages/config/src/index.js');
const folder = mkdtempSync(join(tmpdir(), 'poolhost-huge-config-'));
const file = join(folder, 'applicationHost.config');
const huge = cases.at(-1)!.text(goodConfig(8080)).replaceAll('{{root}}', folder);
const variants: Record<string, string> = {
  [cases.at(-1)!.name]: huge,
  'the same, then a mismatched end tag': huge.replace('</applicationPools>', '</applicationPoolz>'),
  'the same, then a control character': huge.replace('<sites>', '<sites>\x01'),
};

const outcome = (load: () => unknown): string => {
  try {
    load();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof config.ConfigError)) throw error;
    return `${error.line}:${error.column} ${error.issues[0]!.message.slice(0, 90)}`;
  }
};
try {
  for (const [name, text] of Object.entries(variants)) {
    writeFileSync(file, text);
    const started = performance.now();
    const read = await readFile(file, 'utf8');
    const wasRead = performance.now();
    const onChange = outcome(() => config.parseApplicationHostConfig(read, file, { configDirectory: folder }));
    const refused = performance.now();
    const atStart = outcome(() => config.loadApplicationHostConfig(file));
    const loaded = performance.now();
    console.log(`${name}: was (readFile + parse) ${(wasRead - started).toFixed(0)} + ${(refused - wasRead).toFixed(0)} ms, loadApplicationHostConfig ${(loaded - refused).toFixed(0)} ms — ${onChange}${atStart === onChange ? '' : ` / at start: ${atStart}`}`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
