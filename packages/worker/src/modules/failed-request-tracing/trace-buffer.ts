// The events of one traced request (reference §11), buffered until EndRequest decides whether the
// request failed by a rule's definition; then written as an fr######.xml file, else dropped.
// node:crypto is loaded on first use (process.getBuiltinModule): a worker's start does not need it, and loading it costs ≈1.8 ms of CPU there (docs/performance.md, "Demand start without a spare").
import { reasonPhrase } from '../../pipeline/http-status.js';
import { stageBit } from '../../pipeline/request-stage.js';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { CompiledTraceRule } from './trace-rules.js';

export interface TraceEvent {
  opcode: string;
  /** ms since the epoch, fractional. */
  time: number;
  data: Array<[string, string]>;
}

const now = (): number => performance.timeOrigin + performance.now();

export class TraceBuffer {
  readonly activityId = `{${process.getBuiltinModule('node:crypto').randomUUID().toUpperCase()}}`;
  readonly events: TraceEvent[] = [];
  private readonly moduleStarted: number[] = [];
  /** Events still waiting for their data from another process (deferredEvent()). */
  private pending: Promise<void>[] | null = null;

  constructor(readonly rule: CompiledTraceRule) {}

  event(opcode: string, data: Record<string, string | number | boolean>): void {
    this.events.push({ opcode, time: now(), data: pairs(data) });
  }

  /**
   * An event that takes its place and time now and its final data later — HTTPSYS_CACHEABLE for a response
   * offered to httpsys' cache, which says whether it stored it once the response is complete. Until then it
   * carries `provisional`. Returns the function that gives it its data.
   */
  deferredEvent(opcode: string, provisional: Record<string, string | number | boolean>): (data: Record<string, string | number | boolean>) => void {
    const event: TraceEvent = { opcode, time: now(), data: pairs(provisional) };
    this.events.push(event);
    let settle!: () => void;
    (this.pending ??= []).push(new Promise<void>((resolve) => (settle = resolve)));
    return (data) => {
      event.data = pairs(data);
      settle();
    };
  }

  /** Resolves once every deferred event has its data, or after `timeoutMs` (those late keep their provisional data); null when none waits. */
  settled(timeoutMs: number): Promise<void> | null {
    if (this.pending === null) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    return Promise.race([Promise.all(this.pending).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  moduleStart(module: string, stageIndex: number): void {
    this.moduleStarted.push(now());
    this.event('NOTIFY_MODULE_START', { ModuleName: module, Notification: stageBit(stageIndex), fIsPostNotification: false });
  }

  moduleEnd(module: string, stageIndex: number, context: HttpContext): void {
    const started = this.moduleStarted.pop();
    this.event('NOTIFY_MODULE_END', {
      ModuleName: module,
      Notification: stageBit(stageIndex),
      fIsPostNotification: false,
      NotificationStatus: context.completed ? 'NOTIFICATION_FINISH_REQUEST' : 'NOTIFICATION_CONTINUE',
      TimeTakenMs: started === undefined ? 0 : (now() - started).toFixed(3),
    });
  }

  errorStatus(context: HttpContext, status: number, subStatus: number): void {
    this.event('MODULE_SET_RESPONSE_ERROR_STATUS', {
      ModuleName: context.module,
      Notification: stageBit(context.stageIndex),
      HttpStatus: status,
      HttpReason: reasonPhrase(status),
      HttpSubStatus: subStatus,
      ErrorCode: context.error instanceof Error ? context.error.message : '0',
    });
  }
}

function pairs(data: Record<string, string | number | boolean>): Array<[string, string]> {
  return Object.entries(data).map(([name, value]) => [name, String(value)]);
}
