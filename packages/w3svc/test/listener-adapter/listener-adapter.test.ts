import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import type { ApplySiteConfiguration, ApplyUrlGroups, ControlMessage, MessageOfType, RequestQueueActive, StandbyPromoted, SetRequestQueueState, WorkerDemanded } from '@poolhost/protocol';
import { ListenerAdapter } from '../../src/listener-adapter/listener-adapter.js';

const configuration: ApplySiteConfiguration = {
  type: 'ApplySiteConfiguration',
  protocol: 'http',
  sites: [
    {
      id: 1,
      name: 'Default Web Site',
      serverAutoStart: true,
      bindings: [{ protocol: 'http', bindingInformation: '*:8080:', ip: '*', port: 8080, host: '' }],
      applications: [{ path: '/', applicationPool: 'AppA' }],
      connectionTimeout: 120_000,
      maxConnections: 4294967295,
      maxBandwidth: 4294967295,
      maxUrlSegments: 32,
    },
    {
      id: 2,
      name: 'Parked',
      serverAutoStart: false,
      bindings: [{ protocol: 'http', bindingInformation: '*:8081:', ip: '*', port: 8081, host: '' }],
      applications: [{ path: '/', applicationPool: 'AppB' }],
      connectionTimeout: 120_000,
      maxConnections: 4294967295,
      maxBandwidth: 4294967295,
      maxUrlSegments: 32,
    },
  ],
  requestQueues: [
    { applicationPool: 'AppA', queueLength: 1000, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 1 },
    { applicationPool: 'AppB', queueLength: 1000, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 1 },
  ],
  queueStates: [
    { applicationPool: 'AppA', enabled: true },
    { applicationPool: 'AppB', enabled: true },
  ],
  limits: {
    headerWaitTimeout: 0,
    connectionTimeout: 120_000,
    minBytesPerSecond: 240,
    maxFieldLength: 16384,
    maxRequestBytes: 16384,
    urlSegmentMaxLength: 260,
    urlSegmentMaxCount: 255,
    enableErrorLogging: true,
    errorLoggingDir: '/tmp',
    errorLogFileTruncateSize: 1048576,
    enableHttp2Tls: true,
    enableHttp2Cleartext: false,
    http2MaxConcurrentStreams: 100,
    http2MaxStreamResetsPerMinute: 1000,
    http2HeaderTableSize: 4096,
    uriEnableCache: true,
    uriMaxUriBytes: 262144,
    uriScavengerPeriod: 120,
    maxCacheSize: 0,
  },
};

function setup(connected = { httpsys: true, was: true }) {
  const toHttpSys: Array<ApplyUrlGroups | SetRequestQueueState> = [];
  const toWas: Array<WorkerDemanded | RequestQueueActive | StandbyPromoted> = [];
  const logger = createLogger({ service: 'w3svc', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const adapter = new ListenerAdapter(
    {
      toHttpSys: (message) => (connected.httpsys ? (toHttpSys.push(message), true) : false),
      toWas: (message) => (connected.was ? (toWas.push(message), true) : false),
    },
    logger,
  );
  const call = (table: ReturnType<ListenerAdapter['wasHandlers']>, message: ControlMessage) => {
    const handler = table[message.type] as ((message: ControlMessage, channel: never) => unknown) | undefined;
    if (!handler) throw new Error(`no handler for ${message.type}`);
    return handler(message, undefined as never);
  };
  return { adapter, toHttpSys, toWas, call, connected };
}

const lastUrlGroups = (messages: Array<ApplyUrlGroups | SetRequestQueueState>): ApplyUrlGroups => {
  const found = messages.filter((message): message is ApplyUrlGroups => message.type === 'ApplyUrlGroups').at(-1);
  assert.ok(found, 'ApplyUrlGroups was sent');
  return found;
};

test('the site configuration becomes one URL group per site, stopped sites included', () => {
  const { adapter, toHttpSys, call } = setup();
  call(adapter.wasHandlers(), configuration);
  const groups = lastUrlGroups(toHttpSys);
  assert.deepEqual(groups.urlGroups.map((group) => [group.siteId, group.siteName, group.state]), [
    [1, 'Default Web Site', 'Started'],
    [2, 'Parked', 'Stopped'],
  ]);
  assert.deepEqual(groups.requestQueues, configuration.requestQueues);
  assert.deepEqual(groups.queueStates, configuration.queueStates);
  assert.deepEqual(groups.limits, configuration.limits);
});

test('queue states are relayed and kept for the next (re)connect of httpsys', () => {
  const { adapter, toHttpSys, call, connected } = setup();
  call(adapter.wasHandlers(), configuration);
  const disabled = { applicationPool: 'AppA', enabled: false, disabledReason: 'AppOffline' } as const;
  connected.httpsys = false;
  call(adapter.wasHandlers(), { type: 'SetRequestQueueState', state: disabled });
  connected.httpsys = true;
  adapter.programHttpSys();
  assert.deepEqual(lastUrlGroups(toHttpSys).queueStates, [disabled, { applicationPool: 'AppB', enabled: true }]);
  call(adapter.wasHandlers(), { type: 'SetRequestQueueState', state: { applicationPool: 'AppA', enabled: true } });
  assert.deepEqual(toHttpSys.at(-1), { type: 'SetRequestQueueState', state: { applicationPool: 'AppA', enabled: true } });
});

test('WorkerDemanded from httpsys is relayed to was', () => {
  const { adapter, toWas, call } = setup();
  const message: MessageOfType<'WorkerDemanded'> = { type: 'WorkerDemanded', applicationPool: 'AppA', reason: 'NoWorker', queuedRequests: 2, attachedWorkers: 0 };
  call(adapter.httpSysHandlers(), message);
  assert.deepEqual(toWas, [message]);
});

test('StartSite and StopSite change the site state (case-insensitive) and reprogram httpsys', () => {
  const { adapter, toHttpSys, call } = setup();
  call(adapter.wasHandlers(), configuration);
  assert.deepEqual(call(adapter.managementHandlers(), { type: 'StartSite', name: 'parked' }), { type: 'Acknowledged', detail: '"Parked" successfully started.' });
  assert.equal(lastUrlGroups(toHttpSys).urlGroups[1]!.state, 'Started');
  call(adapter.managementHandlers(), { type: 'StopSite', name: 'DEFAULT WEB SITE' });
  assert.deepEqual(call(adapter.managementHandlers(), { type: 'ListSites' }), {
    type: 'SiteList',
    sites: [
      { id: 1, name: 'Default Web Site', state: 'Stopped', applicationPools: ['AppA'] },
      { id: 2, name: 'Parked', state: 'Started', applicationPools: ['AppB'] },
    ],
  });
  // A new configuration from was keeps the runtime states of known sites.
  call(adapter.wasHandlers(), configuration);
  assert.deepEqual(lastUrlGroups(toHttpSys).urlGroups.map((group) => group.state), ['Stopped', 'Started']);
});

test('unknown sites get appcmd wording', () => {
  const { adapter, call } = setup();
  call(adapter.wasHandlers(), configuration);
  assert.throws(() => call(adapter.managementHandlers(), { type: 'StopSite', name: 'Nope' }), { message: 'Cannot find SITE object with identifier "Nope".' });
  assert.throws(() => call(adapter.managementHandlers(), { type: 'StopSite', name: 'Parked' }), { message: 'The service has not been started.' });
});

test('RequestQueueActive from httpsys is relayed to was', () => {
  const { adapter, toWas, call } = setup();
  call(adapter.httpSysHandlers(), { type: 'RequestQueueActive', applicationPool: 'AppA' });
  assert.deepEqual(toWas, [{ type: 'RequestQueueActive', applicationPool: 'AppA' }]);
});

test('StandbyPromoted from httpsys is relayed to was', () => {
  const { adapter, toWas, call } = setup();
  const promoted = { type: 'StandbyPromoted', applicationPool: 'AppA', pid: 20, workerId: 'w2', crashedPid: 10, crashedWorkerId: 'w1' } satisfies StandbyPromoted;
  call(adapter.httpSysHandlers(), promoted);
  assert.deepEqual(toWas, [promoted]);
});

test('a new site configuration from was (live reconfiguration) reprograms httpsys with the whole table', () => {
  const { adapter, toHttpSys, call } = setup();
  call(adapter.wasHandlers(), configuration);
  call(adapter.managementHandlers(), { type: 'StartSite', name: 'Parked' });
  const added = {
    ...configuration.sites[0]!,
    id: 3,
    name: 'Added',
    bindings: [{ protocol: 'http', bindingInformation: '*:8083:', ip: '*', port: 8083, host: '' }],
    applications: [{ path: '/', applicationPool: 'AppC' }],
  };
  const moved = { ...configuration.sites[1]!, applications: [{ path: '/', applicationPool: 'AppC' }] };
  call(adapter.wasHandlers(), {
    ...configuration,
    sites: [moved, added],
    requestQueues: [...configuration.requestQueues, { applicationPool: 'AppC', queueLength: 1000, loadBalancerCapabilities: 'HttpLevel', maxProcesses: 2 }],
    queueStates: [...configuration.queueStates, { applicationPool: 'AppC', enabled: true }],
  });
  const groups = lastUrlGroups(toHttpSys);
  assert.deepEqual(
    groups.urlGroups.map((group) => [group.siteName, group.state, group.bindings.map((binding) => binding.port), group.applications.map((application) => application.applicationPool)]),
    [
      ['Parked', 'Started', [8081], ['AppC']],
      ['Added', 'Started', [8083], ['AppC']],
    ],
    'the removed site is gone, the kept one keeps its runtime state, the added one starts (serverAutoStart)',
  );
  assert.deepEqual(groups.requestQueues.map((queue) => queue.applicationPool), ['AppA', 'AppB', 'AppC']);
  assert.deepEqual(call(adapter.managementHandlers(), { type: 'ListSites' }), {
    type: 'SiteList',
    sites: [
      { id: 2, name: 'Parked', state: 'Started', applicationPools: ['AppC'] },
      { id: 3, name: 'Added', state: 'Started', applicationPools: ['AppC'] },
    ],
  });
});
