// A worker SIGKILLed while one HTTP/2 connection carries GETs and POSTs to its web garden: every GET
// (idempotent, no body streamed) is retried on another worker and answered 200; each POST gets exactly
// one answer (200, or one 502 if its worker died with it); the h2 connection itself survives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { freePort } from '../support/http.js';
import { pidApp } from '../support/apps.js';
import { sleep, waitFor } from '../support/wait.js';
import { startHttp2Site } from './http2-support.js';

function request(session: ClientHttp2Session, method: string, path: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':method': method, ':path': path });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('close', () => resolve({ status, text }));
    stream.on('error', () => {});
    stream.end(body);
  });
}

test('SIGKILL of a worker under h2 load: GETs retried (all 200), POSTs answered once each (200 or 502), the connection survives', async () => {
  const site = await startHttp2Site({ httpsPort: await freePort(), httpPort: await freePort(), app: pidApp, maxProcesses: 2 }, after);
  const session = connect(`https://www.example.test:${site.httpsPort}`, {
    ca: readFileSync(site.authority.caFile),
    servername: 'www.example.test',
    host: '127.0.0.1',
  } as Parameters<typeof connect>[1] & { host: string });
  let goaway = false;
  session.on('goaway', () => {
    goaway = true;
  });
  session.on('error', () => {});
  after(() => session.destroy());
  await new Promise<void>((resolve) => session.on('connect', () => resolve()));

  let stopping = false;
  const gets: Array<{ status: number; text: string }> = [];
  const posts: Array<{ status: number; text: string }> = [];
  const loop = async (client: number): Promise<void> => {
    for (let sequence = 0; !stopping; sequence++) {
      if (client % 3 === 0) posts.push(await request(session, 'POST', `/post/${client}-${sequence}?delay=30`, Buffer.alloc(1024, 97)));
      else gets.push(await request(session, 'GET', `/get/${client}-${sequence}?delay=30`));
    }
  };
  const clients = Array.from({ length: 12 }, (_, client) => loop(client));
  await waitFor('a garden of two under h2 load', () => site.poolhost.workers('Pool').length === 2, 15_000);
  await sleep(500);
  const victim = site.poolhost.workers('Pool')[0]!.pid;
  const before = gets.length + posts.length;
  process.kill(victim, 'SIGKILL');
  await waitFor('the victim to be replaced', () => !site.poolhost.workers('Pool').some((info) => info.pid === victim), 10_000);
  await sleep(1_500);
  stopping = true;
  await Promise.all(clients);

  assert.ok(gets.length + posts.length - before > 50, `load kept flowing after the kill (${gets.length + posts.length - before} requests)`);
  assert.deepEqual(gets.filter((response) => response.status !== 200), [], 'every GET answered 200 (retried when its worker died)');
  const failedPosts = posts.filter((response) => response.status !== 200);
  assert.ok(failedPosts.every((response) => response.status === 502), `a POST is answered 200 or 502: ${JSON.stringify(failedPosts)}`);
  assert.ok(gets.some((response) => response.text === String(victim)), 'the killed worker had been serving');
  assert.equal(goaway, false, 'no GOAWAY');
  assert.equal(session.closed || session.destroyed, false, 'the h2 connection survived the worker');
  assert.equal((await request(session, 'GET', '/after')).status, 200, 'and still carries requests');
});
