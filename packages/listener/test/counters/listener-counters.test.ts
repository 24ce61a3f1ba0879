// GetListenerCounters over httpsys' control socket after real traffic through a real w3wp.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListenerCounters } from '@poolhost/protocol';
import { Harness, request } from '../integration/harness.js';

const harness = new Harness([
  {
    name: 'CountedPool',
    queueLength: 2,
    files: {
      'server.js': `
require('http').createServer((req, res) => {
  if (req.url === '/missing') { res.statusCode = 404; return res.end('no'); }
  if (req.url === '/locked') { res.statusCode = 423; return res.end('locked'); }
  res.end('hello ' + req.method);
}).listen(process.env.PORT);
`,
    },
  },
]);

before(async () => {
  await harness.start();
  await harness.startWorker('CountedPool');
});
after(() => harness.stop());

async function counters(): Promise<ListenerCounters> {
  const reply = await harness.control.request({ type: 'GetListenerCounters' });
  assert.equal(reply.type, 'ListenerCounters');
  return reply;
}

test('Web Service counts requests by verb, not-found and locked answers, bytes and connections per site', async () => {
  assert.equal((await request(harness.port, '/a')).status, 200);
  assert.equal((await request(harness.port, '/b', { method: 'POST', body: Buffer.from('x'.repeat(100)) })).status, 200);
  assert.equal((await request(harness.port, '/c', { method: 'HEAD' })).status, 200);
  assert.equal((await request(harness.port, '/d', { method: 'PATCH' })).status, 200);
  assert.equal((await request(harness.port, '/missing')).status, 404);
  assert.equal((await request(harness.port, '/locked')).status, 423);

  const snapshot = await counters();
  const site = snapshot.sites.find((candidate) => candidate.siteId === 1)!;
  assert.equal(site.siteName, 'Default Web Site');
  assert.equal(site.requestsByVerb.GET, 3);
  assert.equal(site.requestsByVerb.POST, 1);
  assert.equal(site.requestsByVerb.HEAD, 1);
  assert.equal(site.requestsByVerb.other, 1, 'PATCH is not one of the verbs Web Service names');
  assert.equal(site.notFoundErrors, 1);
  assert.equal(site.lockedErrors, 1);
  assert.ok(site.totalConnectionAttempts >= 6);
  assert.ok(site.totalBytesReceived > 100, `${site.totalBytesReceived} bytes received`);
  assert.ok(site.totalBytesSent > 6 * 'HTTP/1.1 200 OK\r\n'.length, `${site.totalBytesSent} bytes sent`);

  // HTTP Service Url Groups: the same site's URL group, read from the counts above.
  const urlGroup = snapshot.urlGroups.find((candidate) => candidate.siteId === 1)!;
  assert.equal(urlGroup.siteName, 'Default Web Site');
  assert.equal(urlGroup.getRequests, 3);
  assert.equal(urlGroup.headRequests, 1);
  assert.equal(urlGroup.allRequests, 6);
  assert.equal(urlGroup.connectionAttempts, site.totalConnectionAttempts);
  assert.equal(urlGroup.currentConnections, site.currentConnections);
  assert.equal(urlGroup.maxConnections, site.maximumConnections);
  assert.equal(urlGroup.bytesSent, site.totalBytesSent);
  assert.equal(urlGroup.bytesReceived, site.totalBytesReceived);
  assert.equal(urlGroup.bytesTransferred, site.totalBytesSent + site.totalBytesReceived);

  const queue = snapshot.requestQueues.find((candidate) => candidate.applicationPool === 'CountedPool')!;
  assert.equal(queue.arrivals, 6);
  assert.equal(queue.rejectedRequests, 0);
  assert.equal(queue.currentQueueSize, 0);
  assert.equal(queue.maxQueueItemAgeMs, 0);
  assert.equal(queue.attachedWorkers, 1);
  assert.equal(queue.queueWaitBuckets.reduce((sum, count) => sum + count, 0), 6, 'every dispatched request is in the wait histogram');
});

test('a disabled queue counts its rejections by reason, and HTTPERR lines are counted by reason', async () => {
  harness.control.notify({ type: 'SetRequestQueueState', state: { applicationPool: 'CountedPool', enabled: false, disabledReason: 'AppOffline' } });
  await counters(); // a round trip on the same channel: the state change has been applied
  assert.equal((await request(harness.port, '/offline')).status, 503);
  assert.equal((await request(harness.port, '/offline')).status, 503);
  harness.control.notify({ type: 'SetRequestQueueState', state: { applicationPool: 'CountedPool', enabled: true } });
  await counters(); // a round trip on the same channel: the state change has been applied
  const snapshot = await counters();
  const queue = snapshot.requestQueues.find((candidate) => candidate.applicationPool === 'CountedPool')!;
  assert.equal(queue.rejectedRequests, 2);
  assert.deepEqual(queue.rejectedByReason, { AppOffline: 2 });
  assert.equal(queue.arrivals, 8, 'the six before and the two turned away, each counted once');
  assert.equal(snapshot.httpErr.AppOffline, 2);
});
