// Automatic certificates (beyond IIS; docs/https.md): for every https binding with certificateSource="acme",
// poolhost orders a certificate from the `<automaticCertificates>` directory when the SSL store has none
// for its host:port or the one it has expires within renewBefore, and stores it where httpsys picks it up.
// A failed order is logged with the CA's reason and retried after retryInterval, doubled per further
// failure up to maxRetryInterval. poolhost starts it when applicationHost.config has <automaticCertificates>;
// the file is then re-read at every check, so an edit applies at the next one (checkInterval), and a file
// that does not load keeps the settings read before.
//
// It runs in poolhost (the SCM role), not in httpsys: it talks to a CA over the internet, holds the account
// key and generates keys — none of which belongs on the request path — and an order survives an httpsys
// restart. httpsys only answers the HTTP-01 challenges (from files) and swaps certificates (from the store).
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { httpBindingFor, loadApplicationHostConfig, loadServedConfiguration, readConfigurationRedirection, sslStorePath, type ApplicationHostConfig, type AutomaticCertificates as Settings } from '@poolhost/config';
import type { Logger } from '@poolhost/common';
import { createDirectoryTree } from '@poolhost/common';
import { orderCertificate, type IssuedCertificate } from './acme-order.js';
import { ACME_CERT_STORE_NAME, lookUpEntry, storeIssuedCertificate } from './certificate-files.js';
import { orderLeaseFile, takeOrderLease } from './order-lease.js';

export interface AutomaticCertificatesOptions {
  /** applicationHost.config; with `followRedirection`, the local one, beside redirection.config. */
  configFile: string;
  storeFile: string;
  /**
   * redirection.config beside `configFile` is followed at every check, as was follows it: the served
   * applicationHost.config, the SSL store and the shared folder are the ones it names now. An edit that
   * was refuses (it does not load, or names a file that cannot be used) keeps what was read before.
   */
  followRedirection?: boolean;
  runDirectory: string;
  /**
   * The shared configuration folder of a web farm (redirection.config), else null: challenge answers go
   * there, so whichever host the CA's validation reaches can answer it.
   */
  sharedFolder?: string | null;
  logger: Logger;
  /** Injectable for tests: the ACME order; `challengeRoot` holds the `acme-challenge` folder of the answers. */
  order?: (settings: Settings, host: string, challengeRoot: string) => Promise<IssuedCertificate>;
  /** Injectable for tests: who this host is in an order lease. */
  leaseHolder?: { hostName: string; pid: number };
  now?: () => number;
  /** Injectable for tests: whether the http binding accepts connections. */
  isListening?: (http: { ip: string; port: number }) => Promise<boolean>;
}

/** How soon a binding whose http port is not listening yet is looked at again. */
const LISTENER_WAIT_MS = 1_000;
/** How soon a name another host of the farm is ordering is looked at again. */
const LEASE_WAIT_MS = 30_000;

interface Failures {
  count: number;
  nextAttemptAt: number;
}

export class AutomaticCertificates {
  private readonly failures = new Map<string, Failures>();
  /** Logged once per host:port: an entry in the store that poolhost did not issue is left alone. */
  private readonly notManaged = new Set<string>();
  /** Logged once per certificate: valid, nothing to order. */
  private readonly validSeen = new Set<string>();
  /** Logged once per lease: the name is being ordered by another host of the farm. */
  private readonly leasesSeen = new Set<string>();
  private settings: { config: ApplicationHostConfig } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  /** The SSL store and the farm's shared folder in force (redirection.config may move them: followRedirection). */
  private storeFile: string;
  private sharedFolder: string | null;

  constructor(private readonly options: AutomaticCertificatesOptions) {
    this.storeFile = options.storeFile;
    this.sharedFolder = options.sharedFolder ?? null;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.check().finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }

  /** One pass over every ACME binding; then the next pass is scheduled (the check interval, or a retry due sooner). */
  async check(): Promise<void> {
    const now = this.options.now ?? Date.now;
    const config = this.readConfig();
    const settings = config?.automaticCertificates;
    if (!config || !settings) return this.schedule(60_000);
    let waitingForListener = false;
    let waitingForLease = false;
    for (const { host, port, validatedAt } of acmeBindings(config, settings.challengeType)) {
      if (this.stopped) return;
      const name = `${host}:${port}`;
      const failure = this.failures.get(name);
      if (failure && failure.nextAttemptAt > now()) continue;
      const { entry, validTo } = lookUpEntry(this.storeFile, host, port);
      if (entry && entry.certStoreName !== ACME_CERT_STORE_NAME) {
        if (!this.notManaged.has(name)) {
          this.notManaged.add(name);
          this.options.logger.warn({ sslBinding: `hostnameport=${name}` }, `hostnameport=${name} is in the SSL store already and was not issued by ACME (certstorename ${entry.certStoreName}); delete it with poolhost sslcert for automatic certificates`);
        }
        continue;
      }
      if (entry && validTo && validTo.getTime() - settings.renewBefore > now()) {
        this.reportValid(name, validTo, settings.renewBefore);
        continue;
      }
      // An order while httpsys does not listen yet would fail its challenge and wait out a back-off for nothing.
      if (validatedAt && !(await (this.options.isListening ?? listening)(validatedAt))) {
        waitingForListener = true;
        continue;
      }
      const lease = this.takeLease(settings, host, port);
      if (!lease) {
        waitingForLease = true;
        continue;
      }
      try {
        // Another host may have stored a new certificate just before its lease ended.
        const current = lookUpEntry(this.storeFile, host, port);
        if (current.entry && current.validTo && current.validTo.getTime() - settings.renewBefore > now()) {
          this.reportValid(name, current.validTo, settings.renewBefore);
          continue;
        }
        await this.issue(settings, host, port, current.entry !== null && current.validTo !== null);
      } finally {
        lease.release();
      }
    }
    const nextRetry = Math.min(...[...this.failures.values()].map((each) => each.nextAttemptAt));
    this.schedule(
      Math.max(0, Math.min(settings.checkInterval, nextRetry - now(), waitingForListener ? LISTENER_WAIT_MS : Infinity, waitingForLease ? LEASE_WAIT_MS : Infinity)),
    );
  }

  /** Said once per certificate (at start, and after another host of the farm renewed it): what is served until when. */
  private reportValid(name: string, validTo: Date, renewBefore: number): void {
    const seen = `${name} ${validTo.getTime()}`;
    if (this.validSeen.has(seen)) return;
    this.validSeen.add(seen);
    const renewFrom = new Date(validTo.getTime() - renewBefore).toISOString();
    this.options.logger.info({ sslBinding: `hostnameport=${name}`, validTo: validTo.toISOString(), renewFrom }, `certificate of ${name} is valid to ${validTo.toISOString()}; it is renewed from ${renewFrom}`);
  }

  /** The farm's lease on ordering host:port (order-lease.ts), or null when another host holds it (logged once per lease). */
  private takeLease(settings: Settings, host: string, port: number): { release(): void } | null {
    const name = `${host}:${port}`;
    const now = (this.options.now ?? Date.now)();
    let result;
    try {
      createDirectoryTree(settings.certificateStoreLocation, 0o700);
      result = takeOrderLease(settings.certificateStoreLocation, host, port, now, this.options.leaseHolder);
    } catch (error) {
      this.options.logger.error({ sslBinding: `hostnameport=${name}`, reason: reasonOf(error) }, `the certificate of ${name} cannot be ordered: ${reasonOf(error)}`);
      return null;
    }
    if (result.taken) return result;
    const { holder } = result;
    const seen = `${name} ${holder.hostName} ${holder.pid} ${holder.startedAt}`;
    if (!this.leasesSeen.has(seen)) {
      this.leasesSeen.add(seen);
      this.options.logger.info(
        { sslBinding: `hostnameport=${name}`, leaseHolder: holder, leaseFile: orderLeaseFile(settings.certificateStoreLocation, host, port) },
        `the certificate of ${name} is being ordered by ${holder.hostName} (pid ${holder.pid}) since ${new Date(holder.startedAt).toISOString()}; this host leaves the order to it`,
      );
    }
    return null;
  }

  private async issue(settings: Settings, host: string, port: number, renewal: boolean): Promise<void> {
    const name = `${host}:${port}`;
    const logger = this.options.logger;
    const now = this.options.now ?? Date.now;
    logger.info(
      { sslBinding: `hostnameport=${name}`, directoryUrl: settings.directoryUrl, challengeType: settings.challengeType },
      `${renewal ? 'renewing' : 'ordering'} the certificate of ${name} from ${settings.directoryUrl}, validated by ${settings.challengeType}`,
    );
    try {
      const issued = await (this.options.order ?? orderCertificate)(settings, host, this.sharedFolder ?? this.options.runDirectory);
      const entry = storeIssuedCertificate(this.storeFile, settings.certificateStoreLocation, host, port, issued);
      const { validTo } = lookUpEntry(this.storeFile, host, port);
      this.failures.delete(name);
      logger.info(
        { sslBinding: `hostnameport=${name}`, certFile: entry.certFile, validTo: validTo?.toISOString() },
        `certificate of ${name} ${renewal ? 'renewed' : 'issued'} by ${settings.directoryUrl}, valid to ${validTo?.toISOString() ?? '?'}: ${entry.certFile}`,
      );
    } catch (error) {
      const count = (this.failures.get(name)?.count ?? 0) + 1;
      const delay = Math.min(settings.retryInterval * 2 ** (count - 1), settings.maxRetryInterval);
      this.failures.set(name, { count, nextAttemptAt: now() + delay });
      logger.error(
        { sslBinding: `hostnameport=${name}`, attempt: count, retryInMs: delay, reason: reasonOf(error) },
        `ACME order for ${name} failed (attempt ${count}): ${reasonOf(error)}; next attempt in ${Math.round(delay / 1000)} s`,
      );
    }
  }

  private readConfig(): ApplicationHostConfig | null {
    try {
      const config = this.options.followRedirection ? this.readServed() : loadApplicationHostConfig(this.options.configFile);
      this.settings = { config };
      return config;
    } catch (error) {
      if (this.settings) this.options.logger.error({ reason: reasonOf(error) }, `automatic certificates keep the configuration read before: ${reasonOf(error)}`);
      return this.settings?.config ?? null;
    }
  }

  /** The configuration redirection.config names now, with its SSL store and shared folder; throws when was would refuse it. */
  private readServed(): ApplicationHostConfig {
    // Read as the served file itself (%SystemDrive% and relative paths are its folder's: a farm's certificates
    // go to the shared folder), as before redirection.config was followed.
    const redirection = readConfigurationRedirection(this.options.configFile);
    const served = loadServedConfiguration(this.options.configFile, { configDirectory: redirection?.path ?? dirname(resolve(this.options.configFile)) });
    const sharedFolder = served.redirection?.path ?? null;
    // Another folder whose file cannot be used: was keeps the running configuration, so do the certificates.
    if (sharedFolder !== this.sharedFolder && served.source === 'cached') {
      throw new Error(`redirection.config names ${served.redirection!.sharedFile}, which is not used: ${served.problem}`);
    }
    const storeFile = sslStorePath(this.options.configFile, process.env, served.redirection);
    if (sharedFolder !== this.sharedFolder || storeFile !== this.storeFile) {
      this.storeFile = storeFile;
      this.sharedFolder = sharedFolder;
      this.options.logger.info({ sslStore: storeFile, sharedFolder }, `automatic certificates follow redirection.config: SSL store ${storeFile}, challenge answers in ${sharedFolder ?? this.options.runDirectory}`);
    }
    return served.config;
  }
}

interface AcmeBinding {
  host: string;
  port: number;
  /**
   * Where httpsys must listen for the CA to validate: the site's http binding (http-01; packages/config makes
   * sure there is one), the https binding itself (tls-alpn-01), nowhere (dns-01).
   */
  validatedAt: { ip: string; port: number } | null;
}

function acmeBindings(config: ApplicationHostConfig, challengeType: Settings['challengeType']): AcmeBinding[] {
  const seen = new Map<string, AcmeBinding>();
  for (const site of config.sites) {
    for (const binding of site.bindings) {
      if (binding.certificateSource !== 'acme') continue;
      const http = challengeType === 'http-01' ? httpBindingFor(site, binding.host) : undefined;
      if (challengeType === 'http-01' && !http) continue;
      const validatedAt = http ?? (challengeType === 'tls-alpn-01' ? binding : null);
      seen.set(`${binding.host}:${binding.port}`, { host: binding.host, port: binding.port, validatedAt: validatedAt && { ip: validatedAt.ip, port: validatedAt.port } });
    }
  }
  return [...seen.values()];
}

/** Whether httpsys accepts connections on the http binding yet (at start, poolhost is ahead of it). */
function listening(http: { ip: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: http.ip === '*' ? '127.0.0.1' : http.ip, port: http.port, timeout: 1_000 });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
