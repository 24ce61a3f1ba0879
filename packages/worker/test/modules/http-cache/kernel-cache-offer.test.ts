// The response-head check of a kernel cache offer: IIS's response-side reasons, and IdentityOnly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelCacheFlags, KernelCachePolicyType } from '@poolhost/protocol';
import { KernelCacheOffer } from '../../../src/modules/http-cache/kernel-cache-offer.js';
import { recordingCacheableSink } from './recording-cacheable-sink.js';

const offer = (compressedFrom = Infinity): KernelCacheOffer => new KernelCacheOffer(KernelCachePolicyType.UserInvalidates, 0, '/srv/a.txt', true, 262_144, compressedFrom, true);

test('only a whole, uncompressed, cookie-free 200 with a length up to maxResponseSize and 1 KB of headers is cacheable', () => {
  assert.equal(offer().check(200, ['Content-Type', 'text/plain', 'Content-Length', '5']), null);
  assert.equal(offer().check(404, ['Content-Length', '5']), 'HTTP_STATUS_NOT_OK');
  assert.equal(offer().check(200, ['Content-Type', 'text/plain']), 'RESPONSE_MORE_DATA');
  assert.equal(offer().check(200, ['Content-Length', '0']), 'RESPONSE_MORE_DATA');
  assert.equal(offer().check(200, ['Content-Length', '262145']), 'RESPONSE_MORE_DATA');
  assert.equal(offer().check(200, ['Content-Length', '5', 'Content-Encoding', 'gzip']), 'DYNAMIC_COMPRESSION_ENABLED');
  assert.equal(offer().check(200, ['Content-Length', '5', 'Set-Cookie', 'a=b']), 'RESPONSE_SENDING_RAW_HEADERS');
  assert.equal(offer().check(200, ['Content-Length', '5', 'X-Long', 'x'.repeat(1000)]), 'RESPONSE_SENDING_RAW_HEADERS');
});

test('a response that varies by a request header other than Accept-Encoding is not cacheable (the entry is keyed by URL)', () => {
  assert.equal(offer().check(200, ['Content-Length', '5', 'Vary', 'Accept-Encoding']), null);
  assert.equal(offer().check(200, ['Content-Length', '5', 'Vary', 'accept-encoding, Accept-Language']), 'HANDLER_HTTPSYS_UNFRIENDLY');
  assert.equal(offer().check(200, ['Content-Length', '5', 'Vary', '*']), 'HANDLER_HTTPSYS_UNFRIENDLY');
});

test('a response a compressing client would get compressed is IdentityOnly; the flags say static file and logging', () => {
  const large = offer(2700);
  assert.equal(large.check(200, ['Content-Length', '5000']), null);
  assert.equal(large.policy.flags, KernelCacheFlags.LogHits | KernelCacheFlags.StaticFile | KernelCacheFlags.IdentityOnly);
  const small = offer(2700);
  assert.equal(small.check(200, ['Content-Length', '2699']), null);
  assert.equal(small.policy.flags & KernelCacheFlags.IdentityOnly, 0);
});

test("a traced request gets FREB's HTTPSYS_CACHEABLE: a refusal at once; an offer asks httpsys (ReportStore), whose verdict fills the event", () => {
  const { trace, events } = recordingCacheableSink();
  const traced = (): KernelCacheOffer => new KernelCacheOffer(KernelCachePolicyType.TimeToLive, 30, '', true, 262_144, Infinity, false, trace);
  const stored = traced();
  assert.equal(stored.check(200, ['Content-Length', '5']), null);
  assert.equal(stored.policy.flags & KernelCacheFlags.ReportStore, KernelCacheFlags.ReportStore);
  assert.equal(stored.awaitsStoreVerdict, true);
  const refused = traced();
  refused.check(200, ['Content-Length', '5']);
  const unsaid = traced();
  unsaid.check(200, ['Content-Length', '5']);
  const notOffered = traced();
  notOffered.check(500, ['Content-Length', '5']);
  assert.equal(notOffered.awaitsStoreVerdict, false);
  stored.storeVerdict('OK');
  refused.storeVerdict('NO_CACHE_INVALIDATOR');
  unsaid.storeVerdict(null); // the data connection closed first: the worker's verdict stands
  assert.deepEqual(events, [
    ['HTTPSYS_CACHEABLE', { HttpsysCacheable: true, Reason: 'OK', CachePolicy: 'TIME_TO_LIVE' }],
    ['HTTPSYS_CACHEABLE', { HttpsysCacheable: false, Reason: 'NO_CACHE_INVALIDATOR', CachePolicy: 'NO_CACHE' }],
    ['HTTPSYS_CACHEABLE', { HttpsysCacheable: true, Reason: 'OK', CachePolicy: 'TIME_TO_LIVE' }],
    ['HTTPSYS_CACHEABLE', { HttpsysCacheable: false, Reason: 'HTTP_STATUS_NOT_OK', CachePolicy: 'NO_CACHE' }],
  ]);
  assert.equal(offer().policy.flags & KernelCacheFlags.ReportStore, 0, 'an untraced request asks nothing');
});
