// Waits for a poolhost instance's net.tcp endpoints: a test must not probe the port with a connection,
// which would demand-start a worker before the test looks.
import type { PoolhostInstance } from '../../support/poolhost-instance.js';
import { waitFor } from '../../support/wait.js';

export async function waitForNetTcpEndpoints(poolhost: PoolhostInstance, count: number): Promise<void> {
  await waitFor(
    `${count} net.tcp endpoint(s) listening`,
    () => poolhost.logLines.filter((line) => line.service === 'nettcpactivator' && /^net\.tcp endpoint .* listening$/.test(line.msg ?? '')).length >= count,
    45_000,
  );
}
