// `mkdir -p` without Node's recursive mkdir. Node's (v20, v22: src/node_file.cc MKDirpSync and its async
// twin) reads ENOENT as "the parent is missing", creates the parent, gets EEXIST and retries the child,
// forever, when the parent exists but cannot hold it: a path under /proc or /sys, a dangling symlink.
// The sync call spins at 100 % CPU with the event loop blocked (no SIGTERM handler can run); the async
// one (fs.promises.mkdir) never settles and spins a libuv thread. Here every missing level is created once, top down, and an
// ENOENT from a parent that exists is final.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why a directory tree could not be created: `code` is the errno name, `directory` the level that failed. */
export class DirectoryTreeError extends Error {
  constructor(
    readonly code: string,
    readonly directory: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryTreeError';
  }
}

/** Creates `directory` and its missing parents (each with `mode`); an existing directory is fine. */
export function createDirectoryTree(directory: string, mode?: number): void {
  const missing: string[] = [];
  let current = resolve(directory);
  // Up: find the deepest level that exists (or could be created). Bounded by the path's depth.
  for (;;) {
    const code = attempt(() => mkdirSync(current, { mode }));
    if (code === undefined) break;
    if (code === 'EEXIST') {
      if (!isDirectorySync(current)) throw notADirectory(current);
      break;
    }
    if (code !== 'ENOENT' || dirname(current) === current) throw failure(code, current);
    missing.push(current);
    current = dirname(current);
  }
  // Down: each missing level once; its parent now exists, so ENOENT is final.
  for (let index = missing.length - 1; index >= 0; index--) {
    const level = missing[index]!;
    const code = attempt(() => mkdirSync(level, { mode }));
    if (code === undefined) continue;
    if (code === 'EEXIST' && isDirectorySync(level)) continue; // created meanwhile by someone else
    throw failure(code, level);
  }
}

function attempt(create: () => unknown): string | undefined {
  try {
    create();
    return undefined;
  } catch (error) {
    return codeOf(error);
  }
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
