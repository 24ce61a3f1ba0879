// Automatic certificates in a web farm: two poolhost hosts (the second in its own network namespace, so
// both bind the same ports as two machines would) on one shared configuration folder. Host 1 orders the
// certificate from Pebble; Pebble's DNS sends the HTTP-01 validation to host 2, which answers it from the
// shared folder, where host 1 put it. The issued certificate lands in the shared SSL store and both hosts
// serve it; host 2, restarted with ACME on, finds it and orders nothing (its order lease check is in the
// unit tests: packages/poolhost/test/automatic-certificates).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPoolhost, type PoolhostInstance } from '../support/poolhost-instance.js';
import { applicationHostConfig } from '../support/config-builder.js';
import { freePort, tcpAccepts } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import { createNetworkNamespace } from '../support/network-namespace.js';
import { run } from '../support/tls-clients.js';
import { newAuthority } from '../https/https-support.js';
import { startPebble } from '../https/pebble-server.js';

const NAME = 'www.farm.test';

test('a farm orders one certificate: the host the CA reaches answers the challenge of the host that ordered, and every host serves the result', async () => {
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const authority = newAuthority();
  const shared = mkdtempSync(join(tmpdir(), 'poolhost-farm-acme-'));
  after(() => rmSync(shared, { recursive: true, force: true }));
  const pebble = await startPebble({ authority, folder: shared, httpPort, certificateValiditySeconds: 3600 }, after);
  const namespace = createNetworkNamespace();
  after(() => namespace.remove());
  // The CA's validation goes to host 2, which does not order.
  await pebble.pointName(NAME, namespace.address);

  const configOf = (bindings: string[]): string =>
    applicationHostConfig({
      pools: [{ name: 'DefaultAppPool' }],
      sites: [{ name: 'Www', id: 1, bindings, applications: [{ path: '/', physicalPath: '%SystemDrive%\\www' }] }],
    }).replaceAll('{{root}}', '%SystemDrive%');
  const configFile = join(shared, 'applicationHost.config');
  const publish = (text: string): void => {
    writeFileSync(`${configFile}.new`, text);
    renameSync(`${configFile}.new`, configFile);
  };
  // At first the site has only its http binding (an acme binding needs <automaticCertificates>).
  publish(configOf([`*:${httpPort}:${NAME}`]));
  writeFileSync(join(shared, 'sslcert.json'), '{"sslcert": []}\n');
  const host = (name: string) => ({
    config: applicationHostConfig({ pools: [{ name: 'LocalOnly' }], sites: [] }),
    files: {
      'redirection.config': `<configuration>\n  <configurationRedirection enabled="true" path="${shared}" pollingPeriod="00:00:02" />\n</configuration>\n`,
      'www/host.txt': name,
    },
  });

  // Host 2 starts before <automaticCertificates> is in the configuration: it runs no ACME client of its own
  // (a running poolhost starts one only at `poolhost start`), but takes the new binding when it comes.
  let host2: PoolhostInstance = await startPoolhost({ ...host('host2'), commandPrefix: namespace.commandPrefix }, after);
  await waitFor('host 2 to serve its http binding', async () => (await curlHost(namespace.address, '/host.txt')) === 'host2', 45_000, 200);
  const element =
    `<automaticCertificates directoryUrl="${pebble.directoryUrl}" termsOfServiceAgreed="true" caBundle="${pebble.apiCaFile}" ` +
    'renewBefore="00:10:00" checkInterval="00:00:02" retryInterval="00:00:02" maxRetryInterval="00:00:10" />';
  const withAcme = configOf([`*:${httpPort}:${NAME}`, `https/*:${httpsPort}:${NAME}#1`])
    .replace(`bindingInformation="*:${httpsPort}:${NAME}" sslFlags="1"`, `bindingInformation="*:${httpsPort}:${NAME}" sslFlags="1" certificateSource="acme"`)
    .replace('</system.applicationHost>', `  ${element}\n  </system.applicationHost>`);
  assert.match(withAcme, /certificateSource="acme"/);
  publish(withAcme);
  await waitFor('host 2 to listen on the new https binding', () => tcpAccepts(httpsPort, namespace.address), 20_000, 200);
  const host1 = await startPoolhost({ ...host('host1'), waitForPort: httpPort }, after);

  const issued = (instance: PoolhostInstance) => instance.logLines.find((line) => String(line.msg).startsWith(`certificate of ${NAME}:${httpsPort} issued by ${pebble.directoryUrl}`));
  await waitFor('host 1 to get the certificate', () => issued(host1) !== undefined, 90_000, 200).catch((error: Error) => {
    throw new Error(`${error.message}\n${host1.logLines.filter((line) => line.component === 'acme').map((line) => line.msg).join('\n')}\n${pebble.output().slice(-3000)}`);
  });
  assert.match(String(issued(host1)!.msg), new RegExp(`: ${join(shared, 'acme')}/www\\.farm\\.test-${httpsPort}\\.pem$`), 'in the shared certificate folder');
  assert.match(readFileSync(join(shared, 'sslcert.json'), 'utf8'), new RegExp(`"hostnameport": "${NAME.replaceAll('.', '\\.')}:${httpsPort}"`));

  const rootFile = join(shared, 'pebble-root.pem');
  await pebble.fetchRoot(rootFile);
  /** The certificate `address` presents for NAME when it verifies with Pebble's root, else null. */
  const servedAt = async (address: string): Promise<string | null> => {
    const result = await run('openssl', ['s_client', '-connect', `${address}:${httpsPort}`, '-servername', NAME, '-CAfile', rootFile], '');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
    return pem && /Verify return code: 0 \(ok\)/.test(result.stdout) ? pem : null;
  };
  await waitFor('both hosts serve the issued certificate', async () => {
    const [one, two] = await Promise.all([servedAt('127.0.0.1'), servedAt(namespace.address)]);
    return one !== null && one === two;
  }, 20_000, 200);

  // Host 2 restarted, now with the ACME client: the shared store has a valid certificate, nothing is ordered.
  await host2.stop();
  host2 = await startPoolhost({ ...host('host2'), commandPrefix: namespace.commandPrefix }, after);
  const valid = new RegExp(`^certificate of ${NAME.replaceAll('.', '\\.')}:${httpsPort} is valid to \\S+; it is renewed from `);
  await waitFor('host 2 to find the certificate valid', () => host2.logLines.some((line) => valid.test(String(line.msg))), 45_000, 200);
  await waitFor('host 2 to serve it after its restart', async () => (await servedAt(namespace.address)) !== null, 45_000, 200);
  const orders = [host1, host2].flatMap((instance) => instance.logLines.filter((line) => /^(ordering|renewing) the certificate of /.test(String(line.msg))));
  assert.equal(orders.length, 1, `one order in the farm: ${orders.map((line) => line.msg).join('; ')}`);

  async function curlHost(address: string, path: string): Promise<string | null> {
    const result = await run('curl', ['-s', '--max-time', '5', '-H', `Host: ${NAME}`, `http://${address}:${httpPort}${path}`], '');
    return result.code === 0 ? result.stdout : null;
  }
});
