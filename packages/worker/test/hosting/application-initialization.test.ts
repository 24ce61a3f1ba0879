import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawElement } from '@poolhost/config';
import { applicationInitializationSettings, PRELOAD_USER_AGENT, WARMUP_USER_AGENT } from '../../src/hosting/application-initialization.js';

const position = { file: 'web.config', line: 1, column: 1 };
const section = (attributes: Record<string, string>, pages: Array<Record<string, string>>): RawElement => ({
  name: 'applicationInitialization',
  attributes,
  children: pages.map((page) => ({ name: 'add', attributes: page, children: [], position })),
  position,
});

test('the preload request goes to the application root; each initializationPage is relative to the application, with its hostName', () => {
  const settings = applicationInitializationSettings('/shop', section({}, [{ initializationPage: '/warm?x=1' }, { initializationPage: 'cache/fill', hostName: 'shop.example.test' }]), 'www.example.test');
  assert.deepEqual(settings.requests, [
    { url: '/shop/', host: 'www.example.test', userAgent: PRELOAD_USER_AGENT },
    { url: '/shop/warm?x=1', host: 'www.example.test', userAgent: WARMUP_USER_AGENT },
    { url: '/shop/cache/fill', host: 'shop.example.test', userAgent: WARMUP_USER_AGENT },
  ]);
  assert.deepEqual(settings.withoutEffect, []);
});

test('remapManagedRequestsTo, skipManagedModules and doAppInitAfterRestart are reported, each with why', () => {
  const settings = applicationInitializationSettings('/', section({ remapManagedRequestsTo: 'splash.html', skipManagedModules: 'true', doAppInitAfterRestart: 'true' }, []), 'localhost');
  assert.deepEqual(settings.requests.map((request) => request.url), ['/']);
  assert.equal(settings.withoutEffect.length, 3);
  assert.match(settings.withoutEffect[0]!, /^remapManagedRequestsTo="splash.html" \(requests wait in the pool's queue until the worker is warm/);
});
