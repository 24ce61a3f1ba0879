// A poolhost instance with one net.tcp site, and a wait for its net.tcp endpoints: a test must not probe
// the port with a connection, which would demand-start a worker before the test looks.
import { startPoolhost, type PoolhostInstance, type PoolhostOptions } from '../../support/poolhost-instance.js';
import { applicationHostConfig } from '../../support/config-builder.js';
import { waitFor } from '../../support/wait.js';
import { lineApp } from './tcp-client.js';

export async function waitForNetTcpEndpoints(poolhost: PoolhostInstance, count: number): Promise<void> {
  await waitFor(
    `${count} net.tcp endpoint(s) listening`,
    () => poolhost.logLines.filter((line) => line.service === 'nettcpactivator' && /^net\.tcp endpoint .* listening$/.test(line.msg ?? '')).length >= count,
    45_000,
  );
}

export interface LinePoolOptions {
  /** poolhost's environment (e.g. POOLHOST_NET_TCP_DATA_PLANE=relay). */
  env?: Record<string, string>;
  /** The application's server.js (default: the line protocol). */
  app?: string;
  /** More `poolhost start` arguments (e.g. `--metrics 127.0.0.1:PORT`). */
  args?: string[];
}

/**
 * poolhost with pool `LinePool` serving site `Lines` (id 1) over net.tcp only, bound to 127.0.0.1:`port`,
 * its application `lines/server.js`; resolves once the endpoint listens (no worker runs yet).
 */
export async function startLinePool(port: number, after: (fn: () => Promise<void>) => void, options: LinePoolOptions = {}): Promise<PoolhostInstance> {
  const instance: PoolhostOptions = {
    config: applicationHostConfig({
      pools: [{ name: 'LinePool' }],
      sites: [{ name: 'Lines', id: 1, bindings: [`net.tcp/${port}:127.0.0.1`], applications: [{ path: '/', pool: 'LinePool', physicalPath: '{{root}}/lines', attributes: { enabledProtocols: 'net.tcp' } }] }],
    }),
    files: { 'lines/server.js': options.app ?? lineApp },
    ...(options.env ? { env: options.env } : {}),
    ...(options.args ? { args: options.args } : {}),
  };
  const poolhost = await startPoolhost(instance, after);
  await waitForNetTcpEndpoints(poolhost, 1);
  return poolhost;
}
