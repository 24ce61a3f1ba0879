// One ACME order (RFC 8555 §7.4) with acme-client: the account (its key kept 0600 in the certificate
// folder, so every order and renewal uses the same account), a new key and CSR for the host name, the
// HTTP-01 challenge answered through the run directory's acme-challenge folder (httpsys serves it on the
// site's http binding), and the issued chain. Throws with the CA's reason when the order fails.
import { Agent } from 'node:https';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomaticCertificates } from '@poolhost/config';
import { acmeChallengeDirectory } from '@poolhost/protocol';

export interface IssuedCertificate {
  /** PEM: the leaf then its chain. */
  certificate: string;
  /** PEM private key of the leaf. */
  key: string;
}

const ACCOUNT_KEY_FILE = 'account.key';

type AcmeClientLibrary = typeof import('acme-client');
let library: AcmeClientLibrary | null = null;

/** acme-client (axios, node-forge, @peculiar/x509: tens of MB) is loaded on the first order, never by a poolhost without ACME. */
async function acmeClient(): Promise<AcmeClientLibrary> {
  library ??= ((await import('acme-client')) as unknown as { default: AcmeClientLibrary }).default;
  return library;
}

export async function orderCertificate(settings: AutomaticCertificates, host: string, runDirectory: string): Promise<IssuedCertificate> {
  const acme = await acmeClient();
  trustDirectoryCas(acme, settings.caBundle);
  const client = new acme.Client({
    directoryUrl: settings.directoryUrl,
    accountKey: await accountKey(acme, settings.certificateStoreLocation),
    // Polls of a pending authorization and order: quick first, never more than 10 s apart.
    backoffMin: 500,
    backoffMax: 10_000,
  });
  await client.createAccount({
    termsOfServiceAgreed: settings.termsOfServiceAgreed,
    ...(settings.contact ? { contact: [settings.contact] } : {}),
  });
  const privateKey = settings.keyType === 'Rsa2048' ? await acme.crypto.createPrivateRsaKey(2048) : await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, privateKey);
  const challenges = acmeChallengeDirectory(runDirectory);
  const certificate = await client.auto({
    csr,
    challengePriority: ['http-01'],
    termsOfServiceAgreed: settings.termsOfServiceAgreed,
    // The CA fetches the answer itself; poolhost asking its own port first proves nothing about the route.
    skipChallengeVerification: true,
    challengeCreateFn: async (_authorization, challenge, keyAuthorization) => {
      mkdirSync(challenges, { recursive: true, mode: 0o700 });
      writeFileSync(join(challenges, challenge.token), keyAuthorization, { mode: 0o600 });
    },
    challengeRemoveFn: async (_authorization, challenge) => {
      rmSync(join(challenges, challenge.token), { force: true });
    },
  });
  return { certificate, key: privateKey.toString() };
}

let trustedBundle: string | null = null;

/** caBundle=: the CAs the directory's HTTPS certificate must chain to (acme-client has one HTTP client). */
function trustDirectoryCas(acme: AcmeClientLibrary, caBundle: string): void {
  if (caBundle === trustedBundle) return;
  trustedBundle = caBundle;
  acme.axios.defaults.httpsAgent = caBundle ? new Agent({ ca: readFileSync(caBundle) }) : undefined;
}

async function accountKey(acme: AcmeClientLibrary, folder: string): Promise<Buffer> {
  const file = join(folder, ACCOUNT_KEY_FILE);
  if (existsSync(file)) return readFileSync(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const key = await acme.crypto.createPrivateEcdsaKey('P-256');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
