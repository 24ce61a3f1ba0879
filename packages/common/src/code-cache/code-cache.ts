// V8's code cache for a bundle (w3wp's, and the services'): Node 20 has no module.enableCompileCache
// (≥ 22.1), so a small loader (worker/src/startup/w3wp-loader.ts, ./service-loader.ts) compiles the
// bundle as a vm.Script with the bytecode a previous process saved (cachedData). The cache file is
// named after the bundle's hash, the Node version and the architecture. V8 checks its own version,
// flags and the source's length and rejects what does not fit — but it does not check the bytes
// themselves (a damaged cache aborts the process), so the file carries a CRC-32 of its payload,
// checked first. Whatever is absent, unreadable, damaged or refused is ignored: the bundle then
// compiles from source, as without a cache.
// CRC-32 (zlib's, native) rather than a SHA-256: the check is against damage, not against someone who
// can write to dist/ (they could change the bundle itself), and node:crypto is the costliest built-in a
// worker would load at this point — ≈1.8 ms of CPU against ≈0.65 ms for node:zlib, and 0.6 against
// 0.15 ms to hash the ≈500 KB (docs/performance.md, "Demand start without a spare").
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { Script } from 'node:vm';
import { crc32 } from 'node:zlib';

/** What happened to the cache: used, absent (or unreadable), or damaged / refused by V8. */
export type CodeCacheState = 'used' | 'missing' | 'rejected';

/**
 * What the saving process had run when it made the cache (V8 caches the functions compiled so far):
 * only its start (`start-up`: a service stopped before it did any work), or its start and its first
 * real work too (`work`: a demand start served). A service that finds a `start-up` cache saves again
 * once it has worked (docs/performance.md, "The services' code cache").
 */
export type CodeCacheCoverage = 'start-up' | 'work';

export interface CachedScript {
  script: Script;
  state: CodeCacheState;
  /** What the cache that was used holds; `start-up` when none was used. */
  coverage: CodeCacheCoverage;
}

/**
 * The format's name: files of the formats before it (`w3wp-v8cache\n`, a SHA-256; `w3wp-v8cache
 * crc32\n`, without the coverage byte) are not one of these.
 */
const MAGIC = Buffer.from('poolhost-v8cache crc32 coverage\n');
const COVERAGE_BYTES = 1;
const DIGEST_BYTES = 4;
const HEADER_BYTES = MAGIC.length + COVERAGE_BYTES + DIGEST_BYTES;
const COVERAGES: readonly CodeCacheCoverage[] = ['start-up', 'work'];

/** CRC-32 of the coverage byte and the payload. */
const digestOf = (coverage: number, payload: Buffer): Buffer => {
  const digest = Buffer.allocUnsafe(DIGEST_BYTES);
  digest.writeUInt32BE(crc32(payload, crc32(Buffer.of(coverage))));
  return digest;
};

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** The V8 payload of a cache file and its coverage, or null when the file is not one this code wrote intact. */
function verifiedPayload(file: Buffer): { payload: Buffer; coverage: CodeCacheCoverage } | null {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const coverageByte = file[MAGIC.length]!;
  const coverage = COVERAGES[coverageByte];
  const payload = file.subarray(HEADER_BYTES);
  if (coverage === undefined || !digestOf(coverageByte, payload).equals(file.subarray(MAGIC.length + COVERAGE_BYTES, HEADER_BYTES))) return null;
  return { payload, coverage };
}

/** Compiles `source` (a bundle's CommonJS function expression) with the cache in `cacheFile` when it is intact and V8 accepts it. */
export function compileWithCodeCache(source: string, filename: string, cacheFile: string): CachedScript {
  const file = readCache(cacheFile);
  if (file === undefined) return { script: new Script(source, { filename }), state: 'missing', coverage: 'start-up' };
  const verified = verifiedPayload(file);
  if (verified === null) return { script: new Script(source, { filename }), state: 'rejected', coverage: 'start-up' };
  const script = new Script(source, { filename, cachedData: verified.payload });
  return script.cachedDataRejected ? { script, state: 'rejected', coverage: 'start-up' } : { script, state: 'used', coverage: verified.coverage };
}

/**
 * Saves the bytecode compiled so far — the bundle's top level and every function the process has run —
 * for the next process. Written to a temporary file and renamed, so a process never reads half a cache
 * (processes of several poolhost instances may share one dist folder: the last rename wins); a folder
 * that cannot be written to just means no cache.
 */
export function saveCodeCache(script: Script, cacheFile: string, coverage: CodeCacheCoverage = 'work'): boolean {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const payload = script.createCachedData();
    const coverageByte = COVERAGES.indexOf(coverage);
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, Buffer.concat([MAGIC, Buffer.of(coverageByte), digestOf(coverageByte, payload), payload]));
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
