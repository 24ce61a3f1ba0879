// poolhost_tls_handshakes_total on /metrics: real clients (openssl s_client saving and reusing a TLS 1.2
// session, curl over HTTP/2 and HTTP/1.1) make full and resumed handshakes, and the scrape counts each by
// outcome, version and ALPN protocol; plain HTTP on the https port is a failure, not a completion.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort, httpRequest } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { curlHttps, run } from '../support/tls-clients.js';
import { parseMetrics, type MetricFamilyText } from '../support/prometheus-text.js';
import { newAuthority, startHttpsServer } from '../https/https-support.js';

/** The sum of `name`'s samples whose labels include `labels`. */
function sum(families: Map<string, MetricFamilyText>, name: string, labels: Record<string, string>): number {
  return (families.get(name)?.metrics ?? [])
    .filter((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value))
    .reduce((total, metric) => total + Number(metric.value), 0);
}

test('completed TLS handshakes are counted full or resumed, by version and ALPN protocol', async () => {
  const authority = newAuthority();
  const www = authority.issue('www', ['www.example.test']);
  const port = await freePort();
  const metricsPort = await freePort();
  await startHttpsServer(
    {
      sites: [{ name: 'Www', id: 1, bindings: [`https/*:${port}:`] }],
      store: [{ ipport: `0.0.0.0:${port}`, certfile: www.certFile, keyfile: www.keyFile }],
      waitForPort: port,
      args: ['--metrics', `127.0.0.1:${metricsPort}`],
    },
    after,
  );
  const scrape = async () => {
    const response = await httpRequest({ port: metricsPort, path: '/metrics' });
    assert.equal(response.status, 200);
    return parseMetrics(response.text);
  };
  await waitFor('inetmgr to answer /metrics', async () => (await httpRequest({ port: metricsPort, path: '/metrics' }).catch(() => null))?.status === 200, 20_000);
  let families = await scrape();
  assert.equal(families.get('poolhost_tls_handshakes_total')?.type, 'COUNTER');
  assert.equal(sum(families, 'poolhost_tls_handshakes_total', {}), 0, 'no handshake yet');

  // A full TLS 1.2 handshake whose session s_client keeps, then the same session resumed.
  const session = join(authority.directory, 'session.pem');
  const sClient = (...extra: string[]) =>
    run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.example.test', '-CAfile', authority.caFile, '-tls1_2', ...extra]);
  const first = await sClient('-sess_out', session);
  assert.match(first.stdout, /^New, TLSv1\.2/m, first.stdout + first.stderr);
  const again = await sClient('-sess_in', session);
  assert.match(again.stdout, /^Reused, TLSv1\.2/m, again.stdout + again.stderr);

  // curl negotiates TLS 1.3 and offers ALPN: h2 with --http2, http/1.1 with --http1.1.
  const h2 = await curlHttps('www.example.test', port, '/over-h2', authority.caFile, ['--http2']);
  assert.equal(h2.status, 200, h2.stderr);
  assert.match(h2.headers, /^HTTP\/2 200/);
  const http11 = await curlHttps('www.example.test', port, '/over-http11', authority.caFile);
  assert.equal(http11.status, 200, http11.stderr);
  assert.match(http11.headers, /^HTTP\/1\.1 200/);

  // Plain HTTP on the https port: a failed handshake, counted apart.
  await httpRequest({ port, path: '/plain' }).catch(() => null);

  await waitFor('four completed handshakes and the plain HTTP failure on /metrics', async () => {
    families = await scrape();
    return sum(families, 'poolhost_tls_handshakes_total', {}) === 4 && sum(families, 'poolhost_tls_handshake_failures_total', { reason: 'HttpRequest' }) === 1;
  }, 15_000);
  const handshakes = (outcome: string, version: string, alpn: string) => sum(families, 'poolhost_tls_handshakes_total', { outcome, version, alpn });
  assert.equal(handshakes('full', 'TLSv1.2', 'none'), 1, 's_client -sess_out');
  assert.equal(handshakes('resumed', 'TLSv1.2', 'none'), 1, 's_client -sess_in');
  assert.equal(handshakes('full', 'TLSv1.3', 'h2'), 1, 'curl --http2');
  assert.equal(handshakes('full', 'TLSv1.3', 'http/1.1'), 1, 'curl --http1.1');
  assert.equal(sum(families, 'poolhost_tls_handshakes_total', { outcome: 'full' }), 3);
  assert.equal(sum(families, 'poolhost_tls_handshakes_total', { outcome: 'resumed' }), 1);
  assert.equal(sum(families, 'poolhost_tls_handshake_failures_total', { reason: 'HttpRequest' }), 1);
  assert.equal(sum(families, 'poolhost_tls_handshakes_in_progress', {}), 0, "the start-up probe's connect-and-close is no handshake left waiting");
  assert.ok(sum(families, 'poolhost_tls_handshake_failures_total', { reason: 'ClientClosed' }) <= 1, 'at most the start-up probe closed early');
});
