import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UrlGroup } from '@poolhost/protocol';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { hostName, normalizeAddress } from '../../src/routing/host-header.js';

function group(siteId: number, bindings: Array<[ip: string, port: number, host: string]>, state: UrlGroup['state'] = 'Started', applications = [{ path: '/', applicationPool: `Pool${siteId}` }]): UrlGroup {
  return {
    siteId,
    siteName: `Site${siteId}`,
    state,
    bindings: bindings.map(([ip, port, host]) => ({ protocol: 'http', bindingInformation: `${ip}:${port}:${host}`, ip, port, host })),
    applications,
    connectionTimeout: 120_000,
    maxConnections: 4294967295,
    maxBandwidth: 4294967295,
    maxUrlSegments: 32,
  };
}

test('IIS precedence: explicit host, then IP-bound weak wildcard, then weak wildcard', () => {
  const table = new RoutingTable([
    group(1, [['*', 80, '']]),
    group(2, [['10.0.0.5', 80, '']]),
    group(3, [['*', 80, 'www.contoso.com']]),
    group(4, [['10.0.0.5', 80, 'www.contoso.com']]),
  ]);
  assert.equal(table.findSite('10.0.0.5', 80, 'www.contoso.com')?.siteId, 4, 'IP-specific explicit host first');
  assert.equal(table.findSite('10.0.0.9', 80, 'www.contoso.com')?.siteId, 3, 'then the explicit host on *');
  assert.equal(table.findSite('10.0.0.5', 80, 'other.example')?.siteId, 2, 'then the IP-bound weak wildcard');
  assert.equal(table.findSite('10.0.0.9', 80, 'other.example')?.siteId, 1, 'then the weak wildcard');
  assert.equal(table.findSite('10.0.0.9', 81, 'other.example'), null, 'nothing on another port');
});

test('no wildcard on the port: an unknown host finds no site (400 Invalid Hostname)', () => {
  const table = new RoutingTable([group(1, [['*', 8080, 'a.example']])]);
  assert.equal(table.findSite('127.0.0.1', 8080, 'b.example'), null);
  assert.equal(table.findSite('127.0.0.1', 8080, 'a.example')?.siteId, 1);
});

test('wildcard host header (IIS 10): *.contoso.com takes one label under it; an exact host still wins', () => {
  const table = new RoutingTable([group(1, [['*', 443, '*.contoso.com']]), group(2, [['*', 443, 'www.contoso.com']])]);
  assert.equal(table.findSite('10.0.0.5', 443, 'app.contoso.com')?.siteId, 1);
  assert.equal(table.findSite('10.0.0.5', 443, 'www.contoso.com')?.siteId, 2, 'the exact host first');
  assert.equal(table.findSite('10.0.0.5', 443, 'contoso.com'), null, 'the parent itself is not under the wildcard');
  assert.equal(table.findSite('10.0.0.5', 443, 'a.b.contoso.com'), null, 'one label, as the certificate *.contoso.com');
  assert.equal(table.findSite('10.0.0.5', 443, 'app.fabrikam.com'), null);
});

test('a started site wins over a stopped one with the same binding; a stopped site still routes (404)', () => {
  const table = new RoutingTable([group(1, [['*', 80, '']], 'Stopped'), group(2, [['*', 80, '']])]);
  assert.equal(table.findSite('1.2.3.4', 80, '')?.siteId, 2);
  const stoppedOnly = new RoutingTable([group(1, [['*', 80, '']], 'Stopped')]);
  assert.equal(stoppedOnly.findSite('1.2.3.4', 80, '')?.started, false);
});

test('listening endpoints: one wildcard socket per port when any binding is *, else one per address', () => {
  const table = new RoutingTable([
    group(1, [['*', 80, ''], ['10.0.0.5', 80, '']]),
    group(2, [['10.0.0.5', 81, ''], ['10.0.0.6', 81, 'x.example']]),
  ]);
  assert.deepEqual(
    table.endpoints().map((endpoint) => `${endpoint.ip}:${endpoint.port}`).sort(),
    ['*:80', '10.0.0.5:81', '10.0.0.6:81'],
  );
});

test('application: longest segment-aligned, case-insensitive prefix', () => {
  const table = new RoutingTable([
    group(1, [['*', 80, '']], 'Started', [
      { path: '/', applicationPool: 'Root' },
      { path: '/app1', applicationPool: 'App1' },
      { path: '/app1/deep/er', applicationPool: 'Deeper' },
    ]),
  ]);
  const applications = table.findSite('1.1.1.1', 80, '')!.applications;
  const poolOf = (url: string): string | undefined => applications.match(url)?.applicationPool;
  assert.equal(poolOf('/'), 'Root');
  assert.equal(poolOf('/app1'), 'App1');
  assert.equal(poolOf('/APP1/x?y=/app1/deep/er'), 'App1');
  assert.equal(poolOf('/app10'), 'Root');
  assert.equal(poolOf('/app1/deep'), 'App1');
  assert.equal(poolOf('/app1/Deep/ER/file.txt'), 'Deeper');
  assert.equal(poolOf('/app%31/x'), 'App1', 'percent-encoded paths match their decoded form');
});

test('routing stays cheap with 1000 applications', () => {
  const applications = Array.from({ length: 1000 }, (_, i) => ({ path: `/apps/app${i}`, applicationPool: `Pool${i % 10}` }));
  const table = new RoutingTable([group(1, [['*', 80, '']], 'Started', [{ path: '/', applicationPool: 'Root' }, ...applications])]);
  const site = table.findSite('1.1.1.1', 80, '')!;
  // CPU time, not wall time: on a loaded machine the process may wait for a core for seconds.
  const started = process.cpuUsage();
  let found = 0;
  for (let i = 0; i < 100_000; i++) if (site.applications.match(`/apps/app${i % 1000}/page?x=1`)) found++;
  const used = process.cpuUsage(started);
  const perLookupNs = ((used.user + used.system) * 1_000) / 100_000;
  assert.equal(found, 100_000);
  assert.equal(site.applications.match('/apps/app999/x')?.applicationPool, 'Pool9');
  assert.ok(perLookupNs < 20_000, `${perLookupNs} ns per lookup`);
});

test('host header: port dropped, lower-cased; IPv4-mapped addresses normalised', () => {
  assert.equal(hostName('WWW.Contoso.com:8080'), 'www.contoso.com');
  assert.equal(hostName('[::1]:80'), '[::1]');
  assert.equal(hostName(undefined), '');
  assert.equal(normalizeAddress('::ffff:10.0.0.5'), '10.0.0.5');
  assert.equal(normalizeAddress('::1'), '::1');
});

test('sslFlags 32 caps an https port at TLS 1.2; a binding of that port that says otherwise is not served', () => {
  const https = (siteId: number, port: number, host: string, sslFlags?: number): UrlGroup => ({
    ...group(siteId, []),
    bindings: [{ protocol: 'https', bindingInformation: `*:${port}:${host}`, ip: '*', port, host, ...(sslFlags === undefined ? {} : { sslFlags }) }],
  });
  const table = new RoutingTable([https(1, 443, 'a.example', 33), https(2, 443, 'b.example', 97), https(3, 8443, 'c.example'), https(4, 443, 'd.example', 1)]);
  assert.deepEqual([...table.tls13DisabledPorts()], [443]);
  assert.deepEqual(table.conflicts.map((conflict) => [conflict.siteName, conflict.binding]), [['Site4', 'https/*:443:d.example']]);
  assert.match(table.conflicts[0]!.reason, /port 443 already has https bindings without TLS 1\.3 \(sslFlags 32\)/);
  assert.equal(table.findSite('127.0.0.1', 443, 'd.example'), null);
  assert.equal(table.findSite('127.0.0.1', 443, 'b.example')?.siteId, 2);
});

test('HTTP/2 per https binding: sslFlags 4 on the SNI name\'s binding, else on the port\'s binding without a host', () => {
  const https = (siteId: number, host: string, sslFlags: number): UrlGroup => ({
    ...group(siteId, []),
    bindings: [{ protocol: 'https', bindingInformation: `*:443:${host}`, ip: '*', port: 443, host, sslFlags }],
  });
  const table = new RoutingTable([https(1, 'www.contoso.com', 1), https(2, 'legacy.contoso.com', 1 | 4), https(3, '', 4), https(4, 'api.fabrikam.com', 0)]);
  assert.equal(table.http2Allowed(443, 'www.contoso.com'), true);
  assert.equal(table.http2Allowed(443, 'WWW.contoso.com'), true, 'SNI names compare without case');
  assert.equal(table.http2Allowed(443, 'legacy.contoso.com'), false, 'sslFlags 4: disablehttp2');
  assert.equal(table.http2Allowed(443, 'unknown.example'), false, 'no binding for the name: the host-less binding decides');
  assert.equal(table.http2Allowed(443, ''), false, 'no SNI: the host-less binding decides');
  assert.equal(table.http2Allowed(8443, 'www.contoso.com'), true, 'a port with no such binding keeps the default');
});
