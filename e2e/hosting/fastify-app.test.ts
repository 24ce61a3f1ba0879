import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, requireDependency } from '../pipeline/pipeline-support.js';

// Written the way Fastify's docs start an app: listen() on process.env.PORT (captured by w3wp).
const app = `
const fastify = ${requireDependency('fastify')}({ logger: false });
fastify.register(${requireDependency('@fastify/formbody')});
fastify.get('/api/users/:id', async (request) => ({ id: Number(request.params.id), ip: request.ip }));
fastify.post('/api/users', async (request, reply) => { reply.code(201); return { created: request.body }; });
fastify.post('/api/form', async (request) => ({ form: request.body }));
fastify.listen({ port: Number(process.env.PORT) || 3000, host: '0.0.0.0' }, (error) => { if (error) throw error; });
`;

test('an unmodified Fastify app that calls listen(): routes, JSON and form bodies, status codes', async () => {
  const site = await startSite({ files: { 'www/server.js': app } }, after);
  assert.deepEqual(JSON.parse((await site.get('/api/users/7')).text), { id: 7, ip: '127.0.0.1' });
  const created = await site.get('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Grace"}' });
  assert.equal(created.status, 201);
  assert.deepEqual(JSON.parse(created.text), { created: { name: 'Grace' } });
  const form = await site.get('/api/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' });
  assert.deepEqual(JSON.parse(form.text), { form: { a: '1', b: 'two' } });
  const missing = await site.get('/api/none');
  assert.equal(missing.status, 404);
  assert.match(missing.text, /Route GET:\/api\/none not found/);
});
