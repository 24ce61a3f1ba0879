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

  constructor(readonly rule: CompiledTraceRule) {}

  event(opcode: string, data: Record<string, string | number | boolean>): void {
    this.events.push({ opcode, time: now(), data: Object.entries(data).map(([name, value]) => [name, String(value)]) });
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
