// dns-01 through the administrator's own DNS provider hook (win-acme's "script" validation): poolhost runs
// the command `<automaticCertificates dnsCreateScript>` names with its arguments — win-acme's placeholders
// {Identifier} (the name, without a wildcard's `*.`), {RecordName} (`_acme-challenge.<name>`) and {Token}
// (the TXT value, RFC 8555 §8.4) — and, after validation, dnsDeleteScript. No shell: the argument template
// is split on spaces first, so a value can never become two arguments or a command. A script that exits
// non-zero, is killed by dnsScriptTimeout or cannot start fails the order with its exit and stderr.
import { execFile } from 'node:child_process';
import type { AutomaticCertificates } from '@poolhost/config';

export interface DnsChallengeRecord {
  identifier: string;
  recordName: string;
  token: string;
}

/** The TXT record of a name (RFC 8555 §8.4): `_acme-challenge.` before the name, a wildcard's `*.` dropped. */
export function dnsChallengeRecord(identifier: string, token: string): DnsChallengeRecord {
  const name = identifier.startsWith('*.') ? identifier.slice(2) : identifier;
  return { identifier: name, recordName: `_acme-challenge.${name}`, token };
}

export function scriptArguments(template: string, record: DnsChallengeRecord): string[] {
  return template
    .split(' ')
    .filter((argument) => argument !== '')
    .map((argument) => argument.replaceAll('{Identifier}', record.identifier).replaceAll('{RecordName}', record.recordName).replaceAll('{Token}', record.token));
}

export function runDnsScript(settings: AutomaticCertificates, step: 'create' | 'delete', record: DnsChallengeRecord): Promise<void> {
  const script = step === 'create' ? settings.dnsCreateScript : settings.dnsDeleteScript;
  const args = scriptArguments(step === 'create' ? settings.dnsCreateScriptArguments : settings.dnsDeleteScriptArguments, record);
  return new Promise((resolve, reject) => {
    execFile(script, args, { timeout: settings.dnsScriptTimeout, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const said = lastLine(stderr);
      const how = error.killed
        ? `was killed after dnsScriptTimeout (${Math.round(settings.dnsScriptTimeout / 1000)} s)`
        : typeof error.code === 'number'
          ? `exited with code ${error.code}`
          : `could not run (${error.code ?? error.message})`;
      reject(new Error(`DNS ${step} script ${script} for ${record.recordName} ${how}${said ? `: ${said}` : ''}`));
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim().slice(0, 500);
}
