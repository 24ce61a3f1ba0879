import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

const app = `
const express = ${requireDependency('express')};
const cookieParser = ${requireDependency('cookie-parser')};
const app = express();
app.use(cookieParser());
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.get('/shop/items/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q ?? null }));
app.post('/shop/json', (req, res) => res.json({ received: req.body }));
app.post('/shop/form', (req, res) => res.json({ name: req.body.name, tags: req.body.tags }));
app.get('/shop/login', (req, res) => { res.cookie('session', 'abc123', { httpOnly: true }); res.redirect(302, '/shop/account'); });
app.get('/shop/account', (req, res) => res.send('session=' + (req.cookies.session ?? 'none')));
app.use((req, res) => res.status(404).send('express 404 for ' + req.originalUrl));
module.exports = app;
`;

test('an unmodified Express app: routing, JSON and form bodies, cookies, redirects, its own 404', async () => {
  const site = await startSite(
    { files: { 'shop/app.js': app }, applications: [{ path: '/shop', pool: 'Pool', physicalPath: '{{root}}/shop' }] },
    after,
  );
  assert.deepEqual(JSON.parse((await site.get('/shop/items/42?q=blue')).text), { id: '42', q: 'blue' });
  const json = await site.get('/shop/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: [1, 2], b: 'ü' }) });
  assert.deepEqual(JSON.parse(json.text), { received: { a: [1, 2], b: 'ü' } });
  const form = await site.get('/shop/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Ada+Lovelace&tags=x&tags=y' });
  assert.deepEqual(JSON.parse(form.text), { name: 'Ada Lovelace', tags: ['x', 'y'] });

  const login = await site.get('/shop/login');
  assert.equal(login.status, 302);
  assert.equal(login.headers.location, '/shop/account');
  assert.match(String(login.headers['set-cookie']), /^session=abc123; Path=\/; HttpOnly$/);
  assert.equal((await site.get('/shop/account', { headers: { cookie: 'session=abc123' } })).text, 'session=abc123');

  const missing = await site.get('/shop/nothing');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, "express 404 for /shop/nothing", "the app's own error response passes through");
});
