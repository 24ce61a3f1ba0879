// Replacing a certificate file under load: new handshakes get the new certificate within seconds, no
// request fails, a connection opened before keeps working; a broken replacement keeps the certificate
// served before and says which file and why.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:https';
import { readFileSync, renameSync, writeFileSync, copyFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { serverCertificate } from '../support/tls-clients.js';
import { newAuthority, startHttpsServer } from './https-support.js';

interface Outcome {
  ok: boolean;
  serial: string;
  error?: string;
}

function get(port: number, ca: Buffer, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: 'www.example.test', headers: { host: 'www.example.test' }, ca, agent }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber?.toUpperCase() ?? '';
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ ok: res.statusCode === 200 && body === 'Www https /', serial, ...(res.statusCode === 200 ? {} : { error: `status ${res.statusCode}` }) }));
    });
    req.on('error', (error) => resolve({ ok: false, serial: '', error: error.message }));
    req.end();
  });
}

/** Replaces a file as deploy tools do: write beside it, rename over it. */
function replaceFile(target: string, source: string): void {
  copyFileSync(source, `${target}.new`);
  renameSync(`${target}.new`, target);
}

test('a certificate replaced under load: 0 failed requests, the new serial served, open connections untouched; a broken file keeps the old one', async () => {
  const authority = newAuthority();
  const first = authority.issue('www', ['www.example.test']);
  const second = authority.issue('www-renewed', ['www.example.test']);
  const port = await freePort();
  const poolhost = await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:www.example.test#1`] }],
      store: [{ hostnameport: `www.example.test:${port}`, certfile: first.certFile, keyfile: first.keyFile }],
      waitForPort: port,
    },
    after,
  );
  const ca = readFileSync(authority.caFile);
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  after(() => keepAlive.destroy());
  const before = await get(port, ca, keepAlive);
  assert.deepEqual(before, { ok: true, serial: first.serial });
  const httpsysPid = poolhost.processes().find((info) => info.role === 'httpsys')!.pid;

  const outcomes: Outcome[] = [];
  /** Outcomes of handshakes begun once the test had seen new handshakes get the new serial. */
  const begunAfterSwap: Outcome[] = [];
  let swapSeen = false;
  let loading = true;
  const clients = Array.from({ length: 4 }, async () => {
    while (loading) {
      const afterSwap = swapSeen;
      const outcome = await get(port, ca, false);
      outcomes.push(outcome);
      if (afterSwap) begunAfterSwap.push(outcome);
    }
  });
  await waitFor('load running', () => outcomes.length >= 20, 20_000);
  // Key first, then certificate: between the two renames the pair does not match, and httpsys keeps serving the first.
  replaceFile(first.keyFile, second.keyFile);
  replaceFile(first.certFile, second.certFile);
  await waitFor('the new serial seen by new handshakes', () => outcomes.slice(-4).every((outcome) => outcome.serial === second.serial), 15_000);
  swapSeen = true;
  await waitFor('more requests after the swap', () => begunAfterSwap.length >= 20, 20_000);

  // A broken replacement: garbage where the certificate was.
  writeFileSync(`${first.certFile}.new`, 'not a certificate\n');
  renameSync(`${first.certFile}.new`, first.certFile);
  await waitFor('the broken file reported', () => poolhost.logLines.some((line) => String(line.msg).includes('not replaced')), 10_000);
  const afterBroken = outcomes.length;
  await waitFor('more requests after the broken file', () => outcomes.length >= afterBroken + 20, 20_000);
  loading = false;
  await Promise.all(clients);

  const failed = outcomes.filter((outcome) => !outcome.ok);
  assert.deepEqual(failed, [], `${failed.length} of ${outcomes.length} requests failed`);
  assert.ok(outcomes.some((outcome) => outcome.serial === first.serial));
  assert.equal(outcomes.at(-1)!.serial, second.serial, 'the broken file did not replace the renewed certificate');
  // Judged by when a handshake began, not by when it ended: one begun before the swap (on another client)
  // may end after the last four new ones on a loaded machine and rightly carry the old serial.
  assert.ok(begunAfterSwap.every((outcome) => outcome.serial === second.serial), 'never back to the old certificate');
  const report = poolhost.logLines.find((line) => String(line.msg).includes('not replaced'))!;
  assert.match(String(report.msg), new RegExp(`certificate of hostnameport=www\\.example\\.test:${port} not replaced, serial ${second.serial} still served: ${first.certFile.replaceAll('.', '\\.')}: not a PEM certificate`));
  assert.ok(poolhost.logLines.some((line) => String(line.msg).includes(`serial ${first.serial} -> ${second.serial}`)));

  // The keep-alive connection opened before any of this still serves, on its first session.
  const reused = await get(port, ca, keepAlive);
  assert.deepEqual(reused, { ok: true, serial: first.serial });
  assert.equal((await serverCertificate(port, 'www.example.test', authority.caFile)).serial, second.serial);
  assert.equal(poolhost.processes().find((info) => info.role === 'httpsys')!.pid, httpsysPid, 'nothing restarted');
});
