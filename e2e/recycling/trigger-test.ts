// One recycle trigger end to end: the pool's worker answers, the trigger fires, the event is
// written with IIS's wording, and a worker with a new PID answers afterwards.
import assert from 'node:assert/strict';
import type { PoolSpec } from '../support/config-builder.js';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { pidAlive, pidOf, singlePoolConfig } from './recycling-support.js';

export interface TriggerCase {
  pool: PoolSpec;
  app: string;
  eventId: number;
  /** The event text with %1 = the old PID, %2 = the pool. */
  message: (pid: number, pool: string) => string;
  /** Makes the trigger fire (requests, allocations); time-based triggers just wait. */
  provoke?: (port: number) => Promise<void>;
  timeoutMs: number;
}

export async function expectTriggerRecycles(triggerCase: TriggerCase, after: (fn: () => Promise<void>) => void): Promise<PoolhostInstance> {
  const port = await freePort();
  const poolhost = await startPoolhost({ config: singlePoolConfig(port, triggerCase.pool), files: { 'app/server.js': triggerCase.app }, waitForPort: port }, after);
  const before = await pidOf(port);
  await triggerCase.provoke?.(port);
  const [event] = await poolhost.waitForEvent(triggerCase.eventId, 1, triggerCase.timeoutMs);
  assert.equal(event!.msg, triggerCase.message(before, triggerCase.pool.name));
  await waitFor('a worker with a new PID to answer', async () => (await pidOf(port)) !== before, 15_000);
  await waitFor('the old worker to exit', () => !pidAlive(before), 15_000);
  return poolhost;
}
