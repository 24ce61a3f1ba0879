// No configuration in the fixtures or the repository can make poolhost send an entry script's source.
// Every iisnode web.config saved from real repositories is laid out as iisnode users lay it out — an
// application's root, a sub-folder of a static site, the same folder again through a virtual directory
// alias — with the script also in a deeper folder, behind a symbolic link, named as a default document;
// the repository's sample applications are hosted under a static site that reaches their folders
// through an alias too. Then every URL spelling that reaches a script (case, escapes, dot segments,
// trailing slash, query, rewrite branches) is requested with several verbs, and no response body may
// equal, or hold, the bytes of an entry script.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startSite, type RunningSite } from '../pipeline/pipeline-support.js';
import { repositoryRoot } from '../support/poolhost-instance.js';
import { iisnodeWebConfig } from './iisnode-fixtures.js';

const fixtureNames = readdirSync(join(repositoryRoot, 'packages', 'config', 'test', 'fixtures', 'iis-configs')).filter((name) => name.endsWith('web.config'));
const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS'];

function spellings(base: string, entry: string): string[] {
  const stem = entry.slice(0, entry.lastIndexOf('.'));
  return [
    `${base}`,
    `${base}/`,
    `${base}/${entry}`,
    `${base}/${entry.toUpperCase()}`,
    `${base}/${stem}%2Ejs`,
    `${base}/%${entry.charCodeAt(0).toString(16)}${entry.slice(1)}`,
    `${base}/./${entry}`,
    `${base}/deeper/../${entry}`,
    `${base}/${entry}/`,
    `${base}/${entry}?download=1`,
    `${base}/${entry}.`,
    `${base}/link.js`,
    `${base}/deeper/`,
    `${base}/deeper/${entry}`,
    `${base}/myapp/${entry}`,
    `${base}/myapp/foo`,
    `${base}/public/${entry}`,
    `${base}/iisnode/${entry}`,
  ];
}

/** Requests every spelling with every verb; returns how many responses were checked. */
async function walk(site: RunningSite, urls: string[], sources: Buffer[]): Promise<number> {
  let checked = 0;
  for (const url of urls) {
    for (const method of METHODS) {
      const response = await site.get(url, { method, ...(method === 'POST' ? { body: 'x=1' } : {}) });
      for (const source of sources) {
        assert.ok(!response.body.equals(source), `${method} ${url} answered ${response.status} with an entry script's source`);
        assert.ok(!response.body.includes(source.subarray(0, 40)), `${method} ${url} answered ${response.status} with part of an entry script's source`);
      }
      checked++;
    }
  }
  return checked;
}

for (const name of fixtureNames) {
  test(`real iisnode web.config ${name}: no URL or verb gets an entry script's bytes`, async () => {
    const text = iisnodeWebConfig(name);
    const entry = /<add[^>]*path="([^"*]+)"[^>]*modules="iisnode"/.exec(text)![1]!;
    const source = (where: string): string => `// entry script source of ${where}: SECRET=${where.length}${'x'.repeat(20)}\nmodule.exports = (req, res) => res.end('ran ${where}');\n`;
    const files: Record<string, string> = {
      'www/index.html': 'static site',
      'app/web.config': text,
      [`app/${entry}`]: source('app'),
      [`app/deeper/${entry}`]: source('app/deeper'),
      'app/public/style.css': 'body{}',
      'www/sub/web.config': text,
      [`www/sub/${entry}`]: source('www/sub'),
      [`www/sub/deeper/${entry}`]: source('www/sub/deeper'),
    };
    const site = await startSite(
      {
        files,
        applications: [
          { path: '/', pool: 'Pool', physicalPath: '{{root}}/www', virtualDirectories: [{ path: '/alias', physicalPath: '{{root}}/www/sub' }] },
          { path: '/app', pool: 'Pool', physicalPath: '{{root}}/app' },
        ],
        // The entry script as a default document, everywhere.
        webServer: `<defaultDocument><files><add value="${entry}" /></files></defaultDocument>`,
      },
      after,
    );
    for (const folder of ['app', 'www/sub']) symlinkSync(entry, join(site.poolhost.root, folder, 'link.js'));
    const sources = Object.entries(files)
      .filter(([path]) => path.endsWith(entry))
      .map(([, content]) => Buffer.from(content));
    const urls = ['/app', '/sub', '/alias'].flatMap((base) => spellings(base, entry));
    const checked = await walk(site, urls, sources);
    assert.equal(checked, urls.length * METHODS.length);
    // The walk reached the scripts, not only error pages: each ran where its handler maps it.
    assert.equal((await site.get(`/app/${entry}`)).text, 'ran app');
    assert.equal((await site.get(`/sub/${entry}`)).text, 'ran www/sub');
    assert.equal((await site.get(`/alias/${entry}`)).text, 'ran www/sub');
    assert.equal((await site.get('/sub/')).text, 'ran www/sub', 'the default document naming the script runs it');
  });
}

test("the repository's sample applications: no URL or verb gets their entry scripts' bytes", async () => {
  const apps = join(repositoryRoot, 'inetpub', 'apps');
  const samples = [
    { name: 'express', entry: 'app.js' },
    { name: 'garden', entry: 'server.js' },
  ];
  const site = await startSite(
    {
      files: { 'www/index.html': 'static site' },
      applications: [
        { path: '/', pool: 'Pool', physicalPath: '{{root}}/www', virtualDirectories: [{ path: '/alias', physicalPath: apps }] },
        ...samples.map((sample) => ({ path: `/${sample.name}`, pool: 'Pool', physicalPath: join(apps, sample.name) })),
      ],
      webServer: `<defaultDocument><files>${samples.map((sample) => `<add value="${sample.entry}" />`).join('')}</files></defaultDocument>`,
    },
    after,
  );
  const sources = samples.map((sample) => readFileSync(join(apps, sample.name, sample.entry)));
  const urls = samples.flatMap((sample) => [...spellings(`/${sample.name}`, sample.entry), ...spellings(`/alias/${sample.name}`, sample.entry)]);
  await walk(site, urls, sources);
  assert.match((await site.get('/garden/')).text, /^served by w3wp PID \d+ of application pool Pool\n$/);
});
