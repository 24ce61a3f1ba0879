// Process-wide helpers shared by the applications of one worker (one W3C log writer per site, one
// trace folder per site), created once and flushed when the worker stops.
import type { Logger } from 'pino';
import type { Site } from '@poolhost/config';
import { W3cLogWriter } from '@poolhost/common';
import { TraceFileWriter } from '../modules/failed-request-tracing/trace-file-writer.js';
import { EntryScriptHosts } from '../hosting/entry-script-hosts.js';

export class WorkerServices {
  private readonly logWriters = new Map<number, W3cLogWriter>();
  private readonly traceWriters = new Map<number, TraceFileWriter>();
  /** The scripts the iisnode handler runs, loaded with the worker or on their first request. */
  readonly entryScripts = new EntryScriptHosts();
  private requestRecycle: ((reason: string) => void) | null = null;
  private unhealthyReason: string | null = null;

  constructor(
    readonly applicationPool: string,
    readonly logger: Logger,
  ) {}

  logWriter(site: Site): W3cLogWriter {
    let writer = this.logWriters.get(site.id);
    if (!writer) this.logWriters.set(site.id, (writer = new W3cLogWriter(site, this.logger)));
    return writer;
  }

  traceWriter(site: Site): TraceFileWriter {
    let writer = this.traceWriters.get(site.id);
    if (!writer) this.traceWriters.set(site.id, (writer = new TraceFileWriter(site, this.logger)));
    return writer;
  }

  /**
   * An application of this worker cannot serve (its entry script failed to load): like an ISAPI
   * extension's HSE_REQ_REPORT_UNHEALTHY, the worker asks was, once, for a recycle; was decides when.
   */
  reportUnhealthy(reason: string): void {
    if (this.unhealthyReason !== null) return;
    this.unhealthyReason = reason;
    this.logger.warn({ reason }, `an application reported itself unhealthy; requesting a recycle: ${reason}`);
    this.requestRecycle?.(reason);
  }

  /**
   * The worker has told was it is ready: from now on a recycle request reaches a Running worker there
   * (a request can be served between ATTACH and WorkerReady; its report waits until then).
   */
  recycleRequestsTo(send: (reason: string) => void): void {
    this.requestRecycle = send;
    if (this.unhealthyReason !== null) send(this.unhealthyReason);
  }

  /** Writes what is buffered (synchronously: the process may be about to exit). */
  flush(): void {
    for (const writer of this.logWriters.values()) writer.flushSync();
  }
}
