// Real TLS clients for the https tests: curl and openssl s_client, run without blocking the test's loop.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input = '', timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    // A client that exits before reading its input (openssl after a failed handshake) must not fail the test with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** `curl --cacert <ca> https://<host>:<port><path>` with the name resolved to 127.0.0.1: status and body. */
export async function curlHttps(host: string, port: number, path: string, caFile: string, extra: string[] = []): Promise<{ code: number; status: number; body: string; stderr: string; headers: string }> {
  const result = await run('curl', [
    '-sS', '--http1.1', '--cacert', caFile, '--resolve', `${host}:${port}:127.0.0.1`,
    '-D', '-', '-o', '-', `https://${host}:${port}${path}`, ...extra,
  ]);
  const split = result.stdout.indexOf('\r\n\r\n');
  const headers = split >= 0 ? result.stdout.slice(0, split) : '';
  const body = split >= 0 ? result.stdout.slice(split + 4) : result.stdout;
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(headers)?.[1] ?? 0);
  return { code: result.code, status, body, stderr: result.stderr, headers };
}

export interface ServerCertificate {
  /** s_client completed a handshake. */
  connected: boolean;
  subjectCn: string | null;
  serial: string | null;
  output: string;
}

/** `openssl s_client -connect 127.0.0.1:<port> -servername <name>` (or `-noservername` for null). */
export async function serverCertificate(port: number, serverName: string | null, caFile: string): Promise<ServerCertificate> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, ...(serverName ? ['-servername', serverName] : ['-noservername'])];
  const result = await run('openssl', args, '');
  const output = result.stdout + result.stderr;
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(result.stdout)?.[0];
  if (!pem) return { connected: false, subjectCn: null, serial: null, output };
  const certificate = new X509Certificate(pem);
  return {
    connected: /Verify return code: 0 \(ok\)/.test(output),
    subjectCn: /CN=([^\n,]+)/.exec(certificate.subject)?.[1] ?? null,
    serial: certificate.serialNumber.toUpperCase(),
    output,
  };
}
