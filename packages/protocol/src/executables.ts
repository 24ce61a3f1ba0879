// Where the bundled executables live. Both this source file (packages/protocol/src/) and every bundle
// that inlines it (packages/<name>/dist/) sit three levels below the repository root.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export type ExecutableName = 'httpsys' | 'w3svc' | 'was' | 'w3wp' | 'poolhost' | 'inetmgr' | 'nettcpactivator';

const packageOf: Record<ExecutableName, string> = {
  httpsys: 'listener',
  w3svc: 'w3svc',
  was: 'was',
  w3wp: 'worker',
  poolhost: 'poolhost',
  inetmgr: 'inetmgr',
  nettcpactivator: 'net-tcp-activator',
};

export function repositoryRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/** The JavaScript bundle to run with `node` for an executable; `POOLHOST_BIN_DIR` overrides the folder. */
export function executablePath(name: ExecutableName, env: NodeJS.ProcessEnv = process.env): string {
  if (env.POOLHOST_BIN_DIR) return join(env.POOLHOST_BIN_DIR, `${name}.js`);
  return join(repositoryRoot(), 'packages', packageOf[name], 'dist', `${name}.js`);
}
