// Process-wide helpers shared by the applications of one worker (one W3C log writer per site, one
// trace folder per site), created once and flushed when the worker stops.
import type { Logger } from 'pino';
import type { Site } from '@poolhost/config';
import { W3cLogWriter } from '../modules/http-logging/w3c-log-writer.js';
import { TraceFileWriter } from '../modules/failed-request-tracing/trace-file-writer.js';
import { EntryScriptHosts } from '../hosting/entry-script-hosts.js';

export class WorkerServices {
  private readonly logWriters = new Map<number, W3cLogWriter>();
  private readonly traceWriters = new Map<number, TraceFileWriter>();
  /** The scripts the iisnode handler runs, loaded with the worker or on their first request. */
  readonly entryScripts = new EntryScriptHosts();

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

  /** Writes what is buffered (synchronously: the process may be about to exit). */
  flush(): void {
    for (const writer of this.logWriters.values()) writer.flushSync();
  }
}
