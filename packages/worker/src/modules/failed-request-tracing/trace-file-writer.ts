// Writes failed request traces as `<traceFailedRequestsLogging.directory>/W3SVC<siteId>/fr000001.xml`,
// numbered after the highest file there (created exclusively, so the workers of a web garden never
// overwrite each other), and deletes the oldest beyond maxLogFiles. Failures are logged, never thrown.
import { link as linkCallback, readdir as readdirCallback, unlink as unlinkCallback, writeFile as writeFileCallback } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Site } from '@poolhost/config';
import { createDirectoryTreeAsync } from '@poolhost/common';

// node:fs's callbacks, promisified: node:fs/promises (with readline) is not loaded by a worker's start (≈1.4 ms; docs/performance.md, "Demand start without a spare").
const link = promisify(linkCallback);
const readdir = promisify(readdirCallback);
const unlink = promisify(unlinkCallback);
const writeFile = promisify(writeFileCallback);

const TRACE_FILE = /^fr(\d+)\.xml$/i;

let pendingTraces = 0;

export class TraceFileWriter {
  readonly directory: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly site: Site,
    private readonly logger: Logger,
  ) {
    this.directory = join(site.traceFailedRequestsLogging.directory, `W3SVC${site.id}`);
  }

  get enabled(): boolean {
    return this.site.traceFailedRequestsLogging.enabled;
  }

  /** Queues a trace; resolves with the file written (or null). */
  write(xml: string): Promise<string | null> {
    const done = this.queue.then(() => this.writeNow(xml));
    this.queue = done;
    return done;
  }

  private async writeNow(xml: string): Promise<string | null> {
    try {
      await createDirectoryTreeAsync(this.directory);
      // Written whole under a private name first, then linked to its number (a link fails if the
      // number is taken, which claims it atomically): a reader never sees a half-written trace.
      const pending = join(this.directory, `.fr-${process.pid}-${++pendingTraces}.tmp`);
      await writeFile(pending, xml);
      try {
        return await this.claimNumber(pending);
      } finally {
        await unlink(pending).catch(() => undefined);
      }
    } catch (error) {
      this.logger.warn({ err: error, directory: this.directory }, `cannot write a failed request trace to ${this.directory}`);
      return null;
    }
  }

  private async claimNumber(pending: string): Promise<string | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const numbers = (await readdir(this.directory)).map((name) => TRACE_FILE.exec(name)).filter((match) => match !== null).map((match) => Number(match![1]));
      const next = (numbers.length ? Math.max(...numbers) : 0) + 1;
      const file = join(this.directory, `fr${String(next).padStart(6, '0')}.xml`);
      try {
        await link(pending, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      const excess = numbers.length + 1 - this.site.traceFailedRequestsLogging.maxLogFiles;
      if (excess > 0) {
        for (const old of numbers.sort((a, b) => a - b).slice(0, excess)) {
          await unlink(join(this.directory, `fr${String(old).padStart(6, '0')}.xml`)).catch(() => undefined);
        }
      }
      return file;
    }
    return null;
  }
}
