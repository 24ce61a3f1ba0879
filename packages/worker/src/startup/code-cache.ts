// V8's code cache for the w3wp bundle: Node 20 has no module.enableCompileCache (≥ 22.1), so the
// loader (src/startup/w3wp-loader.ts) compiles the bundle as a vm.Script with the bytecode a previous
// worker saved (cachedData). The cache file is named after the bundle's hash, the Node version and
// the architecture. V8 checks its own version, flags and the source's length and rejects what does
// not fit — but it does not check the bytes themselves (a damaged cache aborts the process), so the
// file carries a CRC-32 of its payload, checked first. Whatever is absent, unreadable, damaged or
// refused is ignored: the bundle then compiles from source, as without a cache.
// CRC-32 (zlib's, native) rather than a SHA-256: the check is against damage, not against someone who
// can write to dist/ (they could change the bundle itself), and node:crypto is the costliest built-in a
// worker would load at this point — ≈1.8 ms of CPU against ≈0.65 ms for node:zlib, and 0.6 against
// 0.15 ms to hash the ≈500 KB (docs/performance.md, "Demand start without a spare").
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** What happened to the cache: used, absent (or unreadable), or damaged / refused by V8. */
export type CodeCacheState = 'used' | 'missing' | 'rejected';

export interface CachedScript {
  script: Script;
  state: CodeCacheState;
}

/** The format's name: a file of the SHA-256 format before it (`w3wp-v8cache\n`) is not one of these. */
const MAGIC = Buffer.from('w3wp-v8cache crc32\n');
const DIGEST_BYTES = 4;
const HEADER_BYTES = MAGIC.length + DIGEST_BYTES;

const digestOf = (payload: Buffer): Buffer => {
  const digest = Buffer.allocUnsafe(DIGEST_BYTES);
  digest.writeUInt32BE(crc32(payload));
  return digest;
};

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** The V8 payload of a cache file, or null when the file is not one this code wrote intact. */
function verifiedPayload(file: Buffer): Buffer | null {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const payload = file.subarray(HEADER_BYTES);
  return digestOf(payload).equals(file.subarray(MAGIC.length, HEADER_BYTES)) ? payload : null;
}

/** Compiles `source` (the bundle's CommonJS function expression) with the cache in `cacheFile` when it is intact and V8 accepts it. */
export function compileWithCodeCache(source: string, filename: string, cacheFile: string): CachedScript {
  const file = readCache(cacheFile);
  if (file === undefined) return { script: new Script(source, { filename }), state: 'missing' };
  const cachedData = verifiedPayload(file);
  if (cachedData === null) return { script: new Script(source, { filename }), state: 'rejected' };
  const script = new Script(source, { filename, cachedData });
  return { script, state: script.cachedDataRejected ? 'rejected' : 'used' };
}

/**
 * Saves the bytecode compiled so far — the bundle's top level and every function the worker has run —
 * for the next worker. Written to a temporary file and renamed, so a worker never reads half a cache;
 * a folder that cannot be written to just means no cache.
 */
export function saveCodeCache(script: Script, cacheFile: string): boolean {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const payload = script.createCachedData();
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, Buffer.concat([MAGIC, digestOf(payload), payload]));
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, cacheFile);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    return false;
  }
}
