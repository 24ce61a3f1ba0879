// `mkdir -p` without Node's recursive mkdir. Node's (v20, v22: src/node_file.cc MKDirpSync and its async
// twin) reads ENOENT as "the parent is missing", creates the parent, gets EEXIST and retries the child,
// forever, when the parent exists but cannot hold it: a path under /proc or /sys, a dangling symlink.
// The sync call spins at 100 % CPU with the event loop blocked (no SIGTERM handler can run); the async
// one (fs.promises.mkdir) never settles and spins a libuv thread. Here every missing level is created
// once, top down, and an ENOENT from a parent that exists is final. The walk is written once, as steps
// (walk()); createDirectoryTree runs them with the sync calls, createDirectoryTreeAsync with the promises.
// node:fs' callbacks, not node:fs/promises: w3wp bundles this, and does not load node:fs/promises at its start.
import { mkdir, mkdirSync, stat, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why a directory tree could not be created: `code` is the errno name, `directory` the level that failed. */
export class DirectoryTreeError extends Error {
  constructor(
    readonly code: string,
    readonly directory: string,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryTreeError';
  }
}

/** A step of the walk: make a directory (answered with the errno code, or undefined), or ask whether a path is a directory. */
type Step = { make: string } | { isDirectory: string };
type Answer = string | undefined | boolean;

/** Creates `directory` and its missing parents (each with `mode`); an existing directory is fine. */
export function createDirectoryTree(directory: string, mode?: number): void {
  const steps = walk(resolve(directory));
  let answer: Answer;
  for (let step = steps.next(); !step.done; step = steps.next(answer)) {
    const request = step.value;
    answer = 'make' in request ? attempt(() => mkdirSync(request.make, { mode })) : isDirectorySync(request.isDirectory);
  }
}

/** The same without blocking the event loop (a log folder created on the first write). */
export async function createDirectoryTreeAsync(directory: string, mode?: number): Promise<void> {
  const steps = walk(resolve(directory));
  let answer: Answer;
  for (let step = steps.next(); !step.done; step = steps.next(answer)) {
    const request = step.value;
    answer = 'make' in request ? await makeAsync(request.make, mode) : await isDirectory(request.isDirectory);
  }
}

function* walk(directory: string): Generator<Step, void, Answer> {
  const missing: string[] = [];
  let current = directory;
  // Up: the deepest level that exists (or could be made). Bounded by the path's depth.
  for (;;) {
    const code = (yield { make: current }) as string | undefined;
    if (code === undefined) break;
    if (code === 'EEXIST') {
      if (!(yield { isDirectory: current })) throw notADirectory(current);
      break;
    }
    if (code !== 'ENOENT' || dirname(current) === current) throw failure(code, current);
    missing.push(current);
    current = dirname(current);
  }
  // Down: each missing level once; its parent exists now, so ENOENT is final.
  for (let index = missing.length - 1; index >= 0; index--) {
    const level = missing[index]!;
    const code = (yield { make: level }) as string | undefined;
    if (code === undefined) continue;
    if (code === 'EEXIST' && (yield { isDirectory: level })) continue; // made meanwhile by someone else
    throw failure(code, level);
  }
}

function attempt(make: () => unknown): string | undefined {
  try {
    make();
    return undefined;
  } catch (error) {
    return codeOf(error);
  }
}

function makeAsync(path: string, mode: number | undefined): Promise<string | undefined> {
  return new Promise((resolve, reject) =>
    mkdir(path, { mode }, (error) => {
      if (error === null) return resolve(undefined);
      if (typeof error.code === 'string') return resolve(error.code);
      reject(error);
    }),
  );
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') throw error;
  return code;
}

function isDirectorySync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling symlink
  }
}

function isDirectory(path: string): Promise<boolean> {
  return new Promise((resolve) => stat(path, (error, stats) => resolve(error === null && stats.isDirectory())));
}

function notADirectory(path: string): DirectoryTreeError {
  return new DirectoryTreeError('ENOTDIR', path, `${path} exists and is not a directory (or is a dangling symlink)`);
}

function failure(code: string, level: string): DirectoryTreeError {
  const parent = dirname(level);
  switch (code) {
    case 'ENOENT':
      return new DirectoryTreeError(code, level, `${parent} does not accept a new directory ${level} (ENOENT: a virtual file system such as /proc or /sys, or a dangling symlink)`);
    case 'EACCES':
    case 'EPERM':
      return new DirectoryTreeError(code, level, `no permission to create ${level} in ${parent} (${code})`);
    case 'EROFS':
      return new DirectoryTreeError(code, level, `${parent} is on a read-only file system (EROFS)`);
    case 'ENOTDIR':
      return new DirectoryTreeError(code, level, `a part of ${parent} is not a directory (ENOTDIR)`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new DirectoryTreeError(code, level, `no space left to create ${level} (${code})`);
    default:
      return new DirectoryTreeError(code, level, `${level} could not be created (${code})`);
  }
}
