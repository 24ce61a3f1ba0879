// Pebble, the ACME test CA (Debian's `pebble`), started by a test on free ports: pebble-challtestsrv as its
// DNS (every name is 127.0.0.1, no AAAA; TXT records set through its management API for DNS-01), its
// HTTP-01 validation aimed at poolhost's http port and TLS-ALPN-01 at its https port, real
// validation (PEBBLE_VA_ALWAYS_VALID=0) without the random sleeps, and short-lived certificates. Both
// processes are stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:https';
import { freePort } from '../support/http.js';
import { waitFor } from '../support/wait.js';
import type { TestCertificateAuthority } from '../support/test-certificates.js';

export interface PebbleServer {
  directoryUrl: string;
  /** The CA of pebble's own HTTPS (the `caBundle` poolhost trusts for the directory). */
  apiCaFile: string;
  /** Pebble's issuing root of this run, from its management endpoint, written to a file. */
  fetchRoot(file: string): Promise<string>;
  /** The DNS answer for `host` becomes `address` (pebble-challtestsrv's /add-a). */
  pointName(host: string, address: string): Promise<void>;
  /** pebble-challtestsrv's management API (`/set-txt`, `/clear-txt`: what a DNS provider's API does for DNS-01). */
  dnsManagementUrl: string;
  output(): string;
}

export async function startPebble(
  options: {
    authority: TestCertificateAuthority;
    folder: string;
    /** Where Pebble validates HTTP-01 (poolhost's http binding). */
    httpPort: number;
    /** Where Pebble validates TLS-ALPN-01 (poolhost's https binding); a free port when not given. */
    tlsPort?: number;
    certificateValiditySeconds: number;
  },
  after: (fn: () => Promise<void>) => void,
): Promise<PebbleServer> {
  const [apiPort, managementPort, dnsPort, challengeManagementPort, tlsPort] = await Promise.all([
    freePort(), freePort(), freePort(), freePort(), options.tlsPort ?? freePort(),
  ]);
  const apiCertificate = options.authority.issue('pebble-api', ['localhost']);
  const configFile = join(options.folder, 'pebble-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${apiPort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: apiCertificate.certFile,
        privateKey: apiCertificate.keyFile,
        httpPort: options.httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        certificateValidityPeriod: options.certificateValiditySeconds,
      },
    }),
  );
  let output = '';
  const children: ChildProcess[] = [];
  const launch = (command: string, args: string[], env: Record<string, string>): void => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
  };
  after(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.pid === undefined) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
  });
  launch('pebble-challtestsrv', [
    '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
    '-management', `127.0.0.1:${challengeManagementPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
  ], {});
  launch('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_ALWAYS_VALID: '0',
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
    PEBBLE_AUTHZREUSE: '0',
  });
  const directoryUrl = `https://localhost:${apiPort}/dir`;
  const fetchText = (url: string): Promise<string> =>
    new Promise((resolve, reject) => {
      get(url, { ca: readFileSync(options.authority.caFile) }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${response.statusCode} ${body}`))));
      }).on('error', reject);
    });
  await waitFor(`pebble's directory at ${directoryUrl}`, async () => (await fetchText(directoryUrl)).includes('newOrder'), 20_000, 200).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    directoryUrl,
    apiCaFile: options.authority.caFile,
    async fetchRoot(file) {
      const root = await fetchText(`https://localhost:${managementPort}/roots/0`);
      writeFileSync(file, root);
      return root;
    },
    async pointName(host, address) {
      const response = await fetch(`http://127.0.0.1:${challengeManagementPort}/add-a`, { method: 'POST', body: JSON.stringify({ host, addresses: [address] }) });
      if (!response.ok) throw new Error(`pebble-challtestsrv /add-a: ${response.status} ${await response.text()}`);
    },
    dnsManagementUrl: `http://127.0.0.1:${challengeManagementPort}`,
    output: () => output,
  };
}
