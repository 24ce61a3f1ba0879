// A child's exit with all it wrote: 'exit' can come before its stdout and stderr pipes have been read to
// their end (the last chunk arrives after it), so a result taken at 'exit' may miss the child's last
// words. 'close' waits for the pipes, but also for any process of its own that inherited them; this
// waits for the pipes after the exit, at most `pipeGraceMs`.
import type { ChildProcess } from 'node:child_process';

export function childExit(child: ChildProcess, pipeGraceMs = 2_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const pipesClosed = Promise.all(
    [child.stdout, child.stderr].filter((pipe) => pipe !== null).map((pipe) => new Promise<void>((resolve) => pipe.once('close', () => resolve()))),
  );
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const timer = setTimeout(() => resolve({ code, signal }), pipeGraceMs);
      void pipesClosed.then(() => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
  });
}
