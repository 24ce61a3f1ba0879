// The event log: every event is one pino line with its IIS event id, and is kept in a bounded
// in-memory journal (plus the last ended workers of each pool) that GetEventJournal returns.
import type { Logger } from '@poolhost/common';
import type { JournalEvent, WorkerProcessHistoryEntry } from '@poolhost/protocol';
import type { Clock } from '@poolhost/common';
import { formatEventMessage, wasEvents, type EventTemplate, type WasEventId } from './event-templates.js';

export interface EventLogLimits {
  events: number;
  workersPerPool: number;
}

export interface WriteEventOptions {
  applicationPool?: string;
  pid?: number;
  reason?: string;
}

const pinoLevel = { Information: 'info', Warning: 'warn', Error: 'error' } as const;

export class EventLog {
  private readonly events: JournalEvent[] = [];
  private readonly history = new Map<string, WorkerProcessHistoryEntry[]>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly limits: EventLogLimits = { events: 1000, workersPerPool: 100 },
  ) {}

  write(eventId: WasEventId, values: ReadonlyArray<string | number>, options: WriteEventOptions = {}): JournalEvent {
    const template: EventTemplate = wasEvents[eventId];
    const level = template.level;
    const event: JournalEvent = {
      time: new Date(this.clock.now()).toISOString(),
      eventId,
      level,
      source: template.source ?? 'Microsoft-Windows-WAS',
      message: formatEventMessage(eventId, values),
      ...(options.applicationPool !== undefined ? { applicationPool: options.applicationPool } : {}),
      ...(options.pid !== undefined ? { pid: options.pid } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    };
    this.events.push(event);
    if (this.events.length > this.limits.events) this.events.splice(0, this.events.length - this.limits.events);
    const bindings = {
      eventId,
      ...(options.applicationPool !== undefined ? { pool: options.applicationPool } : {}),
      ...(options.pid !== undefined ? { workerPid: options.pid } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    };
    this.logger[pinoLevel[level]](bindings, event.message);
    return event;
  }

  recordWorkerEnded(entry: WorkerProcessHistoryEntry): void {
    const list = this.history.get(entry.applicationPool) ?? [];
    list.push(entry);
    if (list.length > this.limits.workersPerPool) list.splice(0, list.length - this.limits.workersPerPool);
    this.history.set(entry.applicationPool, list);
  }

  /** Newest last; `limit` keeps the most recent. */
  journal(applicationPool?: string, limit?: number): { events: JournalEvent[]; workerHistory: WorkerProcessHistoryEntry[] } {
    const matches = (pool: string | undefined) =>
      applicationPool === undefined || (pool !== undefined && pool.toLowerCase() === applicationPool.toLowerCase());
    let events = this.events.filter((event) => matches(event.applicationPool));
    let workerHistory = [...this.history.entries()]
      .filter(([pool]) => matches(pool))
      .flatMap(([, entries]) => entries)
      .sort((a, b) => a.endedAt.localeCompare(b.endedAt));
    if (limit !== undefined && limit > 0) {
      events = events.slice(-limit);
      workerHistory = workerHistory.slice(-limit);
    }
    return { events, workerHistory };
  }
}
