// Responses written while one packet of a worker's frames is decoded are flushed once it is decoded, so
// a response whose head, body and end arrived together leaves in one write. One batch per httpsys,
// passed to the worker connections (which run the decode in it) and to the HTTP/1.1 response writers
// (which join it).
export interface BatchedOutput {
  flushOutput(): void;
}

export class OutputBatch {
  private pending: BatchedOutput[] | null = null;

  /** Runs `decode` (frames from a worker) and then flushes every output it produced. */
  run(decode: () => void): void {
    const batch: BatchedOutput[] = (this.pending = []);
    try {
      decode();
    } finally {
      this.pending = null;
      for (let i = 0; i < batch.length; i++) batch[i]!.flushOutput();
    }
  }

  /** Joins the running batch; false when none runs (the caller flushes now). */
  join(output: BatchedOutput): boolean {
    if (this.pending === null) return false;
    this.pending.push(output);
    return true;
  }
}
