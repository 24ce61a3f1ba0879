// A was built in-process on fakes: real pools and workers logic, fake processes, fake time.
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import type { ApplySiteConfiguration, ControlMessage, MessageOfType, RequestQueueState } from '@poolhost/protocol';
import type { MemorySample } from '../../src/recycling/memory-sampler.js';
import { createWas, type Was, type WasOptions } from '../../src/was.js';
import { configWithPools, type ConfigFixtureOptions, type PoolFixture } from './config-fixture.js';
import { FakeClock, settle } from '@poolhost/common/testing';
import { FakeSpawner } from './fake-spawner.js';
import { FakeSpareSpawner } from './fake-spare-spawner.js';

export interface Harness {
  was: Was;
  clock: FakeClock;
  spawner: FakeSpawner;
  /** The spare workers' spawner (used when the configuration asks for spareWorkers). */
  spareSpawner: FakeSpareSpawner;
  logLines: Array<Record<string, unknown>>;
  queueStates: RequestQueueState[];
  /** ApplySiteConfiguration sent to the listener adapter after registration (live reconfiguration). */
  siteConfigurations: ApplySiteConfiguration[];
  /** What the memory sampler reports for a pid (default: 50 MB private, 1 GB virtual). */
  memory: Map<number, MemorySample>;
  /** Calls a was handler as a peer would. */
  call<T extends ControlMessage['type']>(message: MessageOfType<T>): Promise<ControlMessage | void>;
  eventIds(): number[];
}

export async function createHarness(pools: PoolFixture[], options: ConfigFixtureOptions = {}, wasOptions: Pick<WasOptions, 'cgroups' | 'cpuResetIntervalMs' | 'listenerAdaptersRequired'> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock);
  const spareSpawner = new FakeSpareSpawner(clock);
  const logLines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'was', destination, level: 'debug' });
  const memory = new Map<number, MemorySample>();
  const memorySampler = { sample: async (pid: number) => memory.get(pid) ?? { virtualKb: 1_048_576, privateKb: 51_200 } };
  const was = createWas({ config: configWithPools(pools, options), runDirectory: '/tmp/poolhost-test', logger, spawner, clock, memorySampler, spareSpawner, ...wasOptions });
  const queueStates: RequestQueueState[] = [];
  const siteConfigurations: ApplySiteConfiguration[] = [];
  // Register a fake listener adapter so queue state changes are observable.
  const adapterChannel = {
    notify: (message: ControlMessage) => {
      if (message.type === 'SetRequestQueueState') queueStates.push(message.state);
      if (message.type === 'ApplySiteConfiguration') siteConfigurations.push(message);
    },
    onClose: () => undefined,
  };
  const call = async <T extends ControlMessage['type']>(message: MessageOfType<T>): Promise<ControlMessage | void> => {
    const handler = was.handlers[message.type] as ((message: MessageOfType<T>, channel: never) => unknown) | undefined;
    if (!handler) throw new Error(`was has no handler for ${message.type}`);
    const result = (await handler(message, adapterChannel as never)) as ControlMessage | void;
    await settle();
    return result;
  };
  await call({ type: 'RegisterListenerAdapter', pid: 1, protocol: 'http' });
  await was.start();
  await settle();
  return { was, clock, spawner, spareSpawner, logLines, queueStates, siteConfigurations, memory, call, eventIds: () => was.eventLog.journal().events.map((event) => event.eventId) };
}

export function demand(applicationPool: string, reason: 'NoWorker' | 'AllWorkersBusy' = 'NoWorker'): MessageOfType<'WorkerDemanded'> {
  return { type: 'WorkerDemanded', applicationPool, reason, queuedRequests: 1, attachedWorkers: 0 };
}

/** Demand-starts a worker for `applicationPool` and makes it ready. */
export async function runningWorker(harness: Harness, applicationPool: string) {
  await harness.call(demand(applicationPool));
  const worker = harness.spawner.last;
  worker.ready();
  await settle();
  return worker;
}
