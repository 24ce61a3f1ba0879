import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync, cpSync, readdirSync, rmSync } from 'node:fs';
const loggerBuiltinsOnUse = {
  name: 'logger-builtins-on-use',
  setup(b) {
    const rewrites = [
      {
        file: /[\\/]pino[\\/]lib[\\/]transport\.js$/,
        edits: [
          ["const ThreadStream = require('thread-stream')", "let ThreadStreamClass\nconst threadStream = () => (ThreadStreamClass ??= require('thread-stream'))"],
          ['const stream = new ThreadStream({', 'const stream = new (threadStream())({'],
        ],
      },
      {
        file: /[\\/]pino[\\/]lib[\\/]tools\.js$/,
        edits: [
          ["const { isMainThread } = require('worker_threads')", ''],
          ['if (!opts.sync && isMainThread) {', "if (!opts.sync && require('worker_threads').isMainThread) {"],
        ],
      },
      {
        file: /[\\/]sonic-boom[\\/]index\.js$/,
        edits: [[/^const assert = require\('(node:)?assert'\)$/m, "const assert = (value, message) => require('node:assert')(value, message)"]],
      },
    ];
    for (const { file, edits } of rewrites) {
      b.onLoad({ filter: file }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          const found = typeof from === 'string' ? contents.includes(from) : from.test(contents);
          if (!found) throw new Error(`${args.path}: expected ${from} (scripts/build.mjs, loggerBuiltinsOnUse)`);
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      });
    }
  },
};

const r = await build({ entryPoints: ['packages/worker/src/main.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, outfile: '/tmp/w3s/x.cjs', logLevel: 'error', plugins: [loggerBuiltinsOnUse], define: { 'import.meta.url': '__poolhostImportMetaUrl' },
  banner: { js: '(function (exports, require, module, __filename, __dirname, __poolhostImportMetaUrl) {"use strict";globalThis.__t=[["start",process.hrtime()]];setTimeout(()=>require("fs").writeFileSync(process.env.MODMARKS,JSON.stringify(globalThis.__t)),1000);' }, footer: { js: '})' } });
let text = r.outputFiles[0].text;
text = text.replace(/^\/\/ ((?:packages|node_modules|\.\.)[^\n]*)$/gm, (m, p) => `globalThis.__t.push([${JSON.stringify(p)},process.hrtime()]);`);
text = text.replace(/^\/\/ .*$/gm, '');
text = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const dist = '/tmp/w3s/tree/packages/worker/dist'; rmSync(dist, { recursive: true, force: true }); mkdirSync(dist, { recursive: true });
for (const f of readdirSync('packages/worker/dist')) if (!f.includes('v8cache')) cpSync(`packages/worker/dist/${f}`, `${dist}/${f}`);
writeFileSync(`${dist}/w3wp.bundle.cjs`, text);
