import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '@poolhost/common';
import { EventLog } from '../../src/event-log/event-log.js';
import { formatEventMessage } from '../../src/event-log/event-templates.js';
import { FakeClock } from '@poolhost/common/testing';

test('templates are filled in order with IIS wording', () => {
  assert.equal(
    formatEventMessage(5002, ['DefaultAppPool']),
    "Application pool 'DefaultAppPool' is being automatically disabled due to a series of failures in the process(es) serving that application pool.",
  );
  assert.equal(
    formatEventMessage(5013, ['DefaultAppPool', 42]),
    "A process serving application pool 'DefaultAppPool' exceeded time limits during shut down. The process id was '42'.",
  );
});

test('every event is a pino line with its eventId and the journal is bounded', () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const log = new EventLog(createLogger({ service: 'was', destination }), new FakeClock(), { events: 3, workersPerPool: 2 });
  for (let pid = 1; pid <= 5; pid++) log.write(5010, ['AppA', pid], { applicationPool: 'AppA', pid });
  assert.equal(lines.length, 5);
  assert.equal(lines[0]!.eventId, 5010);
  assert.equal(lines[0]!.pool, 'AppA');
  assert.equal(lines[0]!.level, 40);
  assert.deepEqual(log.journal().events.map((event) => event.pid), [3, 4, 5]);
  assert.deepEqual(log.journal(undefined, 1).events.map((event) => event.pid), [5]);
  assert.deepEqual(log.journal('other').events, []);
  for (let pid = 1; pid <= 3; pid++) {
    log.recordWorkerEnded({ pid, applicationPool: 'AppA', startedAt: 'a', endedAt: `b${pid}`, reason: 'idle timeout' });
  }
  assert.deepEqual(log.journal('appa').workerHistory.map((entry) => entry.pid), [2, 3]);
});
