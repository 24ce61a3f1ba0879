// Which pools a spare worker can become a worker of. A spare's Node started with was's environment, and
// some variables are read by Node (or the C library under it) only while the process starts: set by a
// pool at assignment they would change nothing. Such a pool's workers start cold, as before spares.
import type { ApplicationPool } from '@poolhost/config';

/** NODE_OPTIONS, NODE_EXTRA_CA_CERTS, NODE_ICU_DATA … (NODE_ENV is the application's, read at any time), UV_THREADPOOL_SIZE, OpenSSL's, the loader's and malloc's. */
const READ_AT_PROCESS_START = /^(NODE_(?!ENV$)|UV_|OPENSSL_|SSL_CERT_|LD_|MALLOC_|GLIBC_TUNABLES$)/;

/** Why `pool` cannot take a spare worker, or null when it can. */
export function spareMisfit(pool: ApplicationPool): string | null {
  const early = pool.environmentVariables.map((variable) => variable.name).filter((name) => READ_AT_PROCESS_START.test(name));
  if (early.length > 0) return `its environmentVariables set ${early.join(', ')}, which Node reads only when a process starts`;
  return null;
}
