// An unmodified Express app served over HTTP/2: the same app e2e/hosting/express-app.test.ts runs over
// HTTP/1.1 — routing, JSON and form bodies, cookies, redirects, its own 404 — and it sees HTTP/2.0.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../support/http.js';
import { requireDependency } from '../pipeline/pipeline-support.js';
import { curl, startHttp2Site } from './http2-support.js';

const app = `
const express = ${requireDependency('express')};
const cookieParser = ${requireDependency('cookie-parser')};
const app = express();
app.use(cookieParser());
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.get('/items/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q ?? null, version: req.httpVersion }));
app.post('/json', (req, res) => res.json({ received: req.body }));
app.post('/form', (req, res) => res.json({ name: req.body.name, tags: req.body.tags }));
app.get('/login', (req, res) => { res.cookie('session', 'abc123', { httpOnly: true }); res.redirect(302, '/account'); });
app.get('/account', (req, res) => res.send('session=' + (req.cookies.session ?? 'none')));
app.use((req, res) => res.status(404).send('express 404 for ' + req.originalUrl));
module.exports = app;
`;

test('an unmodified Express app over h2: routing, JSON and form bodies, cookies, redirects, its own 404', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app }, after);
  const item = await curl(site, '/items/42?q=blue', ['--http2']);
  assert.equal(item.version, 'HTTP/2', item.stderr);
  assert.deepEqual(JSON.parse(item.body), { id: '42', q: 'blue', version: '2.0' });

  const json = await curl(site, '/json', ['--http2', '-H', 'content-type: application/json', '--data-binary', JSON.stringify({ a: [1, 2], b: 'ü' })]);
  assert.deepEqual(JSON.parse(json.body), { received: { a: [1, 2], b: 'ü' } });
  const form = await curl(site, '/form', ['--http2', '--data', 'name=Ada+Lovelace&tags=x&tags=y']);
  assert.deepEqual(JSON.parse(form.body), { name: 'Ada Lovelace', tags: ['x', 'y'] });

  const login = await curl(site, '/login', ['--http2']);
  assert.equal(login.version, 'HTTP/2');
  assert.equal(login.status, 302);
  assert.match(login.headers, /\r\nlocation: \/account/);
  assert.match(login.headers, /\r\nset-cookie: session=abc123; Path=\/; HttpOnly/);
  assert.equal((await curl(site, '/account', ['--http2', '-H', 'cookie: session=abc123'])).body, 'session=abc123');

  const missing = await curl(site, '/nothing', ['--http2']);
  assert.equal(missing.status, 404);
  assert.equal(missing.body, 'express 404 for /nothing', "the app's own error response passes through");
});
