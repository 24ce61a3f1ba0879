// `poolhost sslcert add|show|delete`: edits the SSL store file httpsys watches (a running httpsys applies
// the change to new handshakes within about a second; no restart). Messages are netsh's.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatSslCertKey, readSslStore, sameSslCertKey, writeSslStore, type SslCertBinding } from '@poolhost/config';
import { bindingFromArguments, parseSslCertArguments, type SslCertVerb } from './sslcert-arguments.js';
import { formatSslCertBindings } from './show-sslcert.js';

export interface SslCertCommandOptions {
  verb: SslCertVerb;
  args: readonly string[];
  storeFile: string;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export function runSslCertCommand(options: SslCertCommandOptions): number {
  const out = options.stdout ?? ((text: string) => process.stdout.write(text));
  const err = options.stderr ?? ((text: string) => process.stderr.write(text));
  const parsed = parseSslCertArguments(options.verb, options.args);
  if (!parsed.ok) {
    err(`${parsed.message}\n`);
    return 1;
  }
  const store = readSslStore(options.storeFile);
  if (store.errors.length > 0 && options.verb !== 'show') {
    err(`${store.errors.join('\n')}\nFix ${options.storeFile} before changing it.\n`);
    return 1;
  }
  const key = parsed.key;
  const existing = key ? store.bindings.find((binding) => sameSslCertKey(binding.key, key)) : undefined;
  switch (options.verb) {
    case 'show': {
      const shown = key ? (existing ? [existing] : []) : store.bindings;
      if (key && !existing) {
        err('The system cannot find the file specified.\n');
        return 1;
      }
      out(formatSslCertBindings(shown));
      for (const error of store.errors) err(`${error}\n`);
      return 0;
    }
    case 'delete': {
      if (!existing) {
        err('SSL Certificate deletion failed, Error: 2\nThe system cannot find the file specified.\n');
        return 1;
      }
      writeSslStore(options.storeFile, store.bindings.filter((binding) => binding !== existing));
      out('\nSSL Certificate successfully deleted\n\n');
      return 0;
    }
    case 'add': {
      if (existing) {
        err(`SSL Certificate add failed, Error: 183\nCannot create a file when that file already exists. (${key!.kind}=${formatSslCertKey(key!)}; delete it first)\n`);
        return 1;
      }
      const binding = bindingFromArguments(key!, parsed.values, (path) => resolve(path));
      if (typeof binding === 'string') {
        err(`${binding}\n`);
        return 1;
      }
      const problem = checkFiles(binding);
      if (problem) {
        err(`SSL Certificate add failed, Error: 1312\n${problem}\n`);
        return 1;
      }
      writeSslStore(options.storeFile, [...store.bindings, binding]);
      out('\nSSL Certificate successfully added\n\n');
      return 0;
    }
  }
}

/** What `add` can check before httpsys loads it: the files exist, a PEM certificate parses and matches its key. */
function checkFiles(binding: SslCertBinding): string | null {
  try {
    if (binding.certStoreLocation) {
      if (!statSync(binding.certStoreLocation).isDirectory()) return `${binding.certStoreLocation} is not a folder`;
      return null;
    }
    const certFile = binding.certFile!;
    if (/\.(pfx|p12)$/i.test(certFile)) {
      statSync(certFile);
      return null;
    }
    const certificate = new X509Certificate(readFileSync(certFile));
    const keyText = readFileSync(binding.keyFile ?? certFile);
    if (!certificate.checkPrivateKey(createPrivateKey(keyText))) return `${binding.keyFile ?? certFile}: the private key does not belong to the certificate in ${certFile}`;
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
