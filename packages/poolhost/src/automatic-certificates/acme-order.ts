// One ACME order (RFC 8555 §7.4) with acme-client: the account (its key kept 0600 in the certificate
// folder, so every order and renewal uses the same account), a new key and CSR for the host name, the
// HTTP-01 challenge answered through the acme-challenge folder of the run directory, or of a farm's shared
// folder (httpsys serves it on the site's http binding), TLS-ALPN-01 (httpsys presents the challenge
// certificate on the https port) or DNS-01 (the administrator's DNS script), and the issued chain. Throws with the CA's reason when the order fails.
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomaticCertificates } from '@poolhost/config';
import { acmeChallengeDirectory, acmeTlsAlpnDirectory } from '@poolhost/protocol';
import { dnsChallengeRecord, runDnsScript } from './dns-script.js';
import { createDirectoryTree } from '@poolhost/common';

export interface IssuedCertificate {
  /** PEM: the leaf then its chain. */
  certificate: string;
  /** PEM private key of the leaf. */
  key: string;
}

const ACCOUNT_KEY_FILE = 'account.key';

type AcmeClientLibrary = typeof import('acme-client');
type Authorization = import('acme-client').Authorization;
let library: AcmeClientLibrary | null = null;

/** acme-client (axios, node-forge, @peculiar/x509: tens of MB) is loaded on the first order, never by a poolhost without ACME. */
async function acmeClient(): Promise<AcmeClientLibrary> {
  library ??= ((await import('acme-client')) as unknown as { default: AcmeClientLibrary }).default;
  return library;
}

/** `challengeRoot`: the run directory, or a farm's shared folder (every host's httpsys reads both). */
export async function orderCertificate(settings: AutomaticCertificates, host: string, challengeRoot: string): Promise<IssuedCertificate> {
  const acme = await acmeClient();
  await trustDirectoryCas(acme, settings.caBundle);
  const client = new acme.Client({
    directoryUrl: settings.directoryUrl,
    accountKey: await accountKey(acme, settings.certificateStoreLocation),
    // Polls of a pending authorization and order: quick first, never more than 10 s apart.
    backoffMin: 500,
    backoffMax: 10_000,
  });
  await registerAccount(client, settings);
  const privateKey = settings.keyType === 'Rsa2048' ? await acme.crypto.createPrivateRsaKey(2048) : await acme.crypto.createPrivateEcdsaKey('P-256');
  const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, privateKey);
  const answers = challengeAnswers(acme, settings, challengeRoot);
  const certificate = await client.auto({
    csr,
    challengePriority: [settings.challengeType],
    termsOfServiceAgreed: settings.termsOfServiceAgreed,
    // The CA checks the answer itself; poolhost asking its own port (or its resolver) first proves nothing about the route.
    skipChallengeVerification: true,
    challengeCreateFn: async (authorization, challenge, keyAuthorization) => {
      // acme-client falls back to another type when the CA does not offer ours; poolhost answers only the configured one.
      if (challenge.type !== settings.challengeType) {
        const offered = authorization.challenges.map((each) => each.type).join(', ');
        throw new Error(`the CA offers no ${settings.challengeType} challenge for ${authorization.identifier.value} (it offers ${offered})`);
      }
      await answers.create(authorization, challenge.token, keyAuthorization);
    },
    challengeRemoveFn: (authorization, challenge, keyAuthorization) => answers.remove(authorization, challenge.token, keyAuthorization),
  });
  return { certificate, key: privateKey.toString() };
}

/**
 * The account of this key (RFC 8555 §7.3.1): found with onlyReturnExisting, created when there is none.
 * Creating it again would make acme-client send an "update" that, without a contact, changes nothing, which
 * CAs refuse ("Use POST-as-GET to retrieve account data instead of doing an empty update"): every order
 * after the first would fail.
 */
async function registerAccount(client: InstanceType<AcmeClientLibrary['Client']>, settings: AutomaticCertificates): Promise<void> {
  const contact = settings.contact ? { contact: [settings.contact] } : {};
  try {
    await client.createAccount({ onlyReturnExisting: true });
  } catch {
    await client.createAccount({ termsOfServiceAgreed: settings.termsOfServiceAgreed, ...contact });
    return;
  }
  if (settings.contact) await client.updateAccount(contact);
}

interface ChallengeAnswers {
  create(authorization: Authorization, token: string, keyAuthorization: string): Promise<void>;
  remove(authorization: Authorization, token: string, keyAuthorization: string): Promise<void>;
}

/**
 * Where each challenge type's answer goes. http-01: the key authorization in a file named by the token,
 * which httpsys serves on http bindings. tls-alpn-01: a certificate for the name with the acmeIdentifier
 * extension, which httpsys presents to acme-tls/1 handshakes. dns-01: the administrator's DNS script.
 */
function challengeAnswers(acme: AcmeClientLibrary, settings: AutomaticCertificates, challengeRoot: string): ChallengeAnswers {
  if (settings.challengeType === 'dns-01') {
    return {
      async create(authorization, _token, txtValue) {
        await runDnsScript(settings, 'create', dnsChallengeRecord(authorization.identifier.value, txtValue));
        if (settings.dnsPropagationDelay > 0) await new Promise((resolve) => setTimeout(resolve, settings.dnsPropagationDelay));
      },
      async remove(authorization, _token, txtValue) {
        if (settings.dnsDeleteScript !== '') await runDnsScript(settings, 'delete', dnsChallengeRecord(authorization.identifier.value, txtValue));
      },
    };
  }
  const tlsAlpn = settings.challengeType === 'tls-alpn-01';
  const folder = tlsAlpn ? acmeTlsAlpnDirectory(challengeRoot) : acmeChallengeDirectory(challengeRoot);
  const fileOf = (authorization: Authorization, token: string): string => join(folder, tlsAlpn ? `${authorization.identifier.value.toLowerCase()}.pem` : token);
  return {
    async create(authorization, token, keyAuthorization) {
      createDirectoryTree(folder, 0o700);
      let answer = keyAuthorization;
      if (tlsAlpn) {
        const key = await acme.crypto.createPrivateEcdsaKey('P-256');
        const [, certificate] = await acme.crypto.createAlpnCertificate(authorization, keyAuthorization, key);
        // One PEM file, certificate then key; the certificate's PEM has no final newline to join them on.
        answer = `${certificate.toString().trimEnd()}\n${key.toString()}`;
      }
      writeFileSync(fileOf(authorization, token), answer, { mode: 0o600 });
    },
    async remove(authorization, token) {
      rmSync(fileOf(authorization, token), { force: true });
    },
  };
}

let trustedBundle: string | null = null;

/** caBundle=: the CAs the directory's HTTPS certificate must chain to (acme-client has one HTTP client). */
// node:https (with tls and http) is loaded here, as acme-client is: a poolhost without ACME never needs it.
async function trustDirectoryCas(acme: AcmeClientLibrary, caBundle: string): Promise<void> {
  if (caBundle === trustedBundle) return;
  trustedBundle = caBundle;
  const { Agent } = await import('node:https');
  acme.axios.defaults.httpsAgent = caBundle ? new Agent({ ca: readFileSync(caBundle) }) : undefined;
}

async function accountKey(acme: AcmeClientLibrary, folder: string): Promise<Buffer> {
  const file = join(folder, ACCOUNT_KEY_FILE);
  if (existsSync(file)) return readFileSync(file);
  createDirectoryTree(folder, 0o700);
  chmodSync(folder, 0o700);
  const key = await acme.crypto.createPrivateEcdsaKey('P-256');
  // Written aside, then linked in: in a farm two hosts may make the account at once, and the first key in
  // place is the farm's account (link fails on an existing file; a reader never sees half a key).
  const temp = `${file}.${process.pid}.new`;
  writeFileSync(temp, key, { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file);
  } finally {
    rmSync(temp, { force: true });
  }
  return key;
}
