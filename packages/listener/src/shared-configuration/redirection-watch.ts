// httpsys' view of redirection.config (IIS Shared Configuration), re-read when it changes as IIS does: the
// shared folder holds the farm's SSL store, TLS session ticket secret and ACME answers. Checked every
// second with the SSL store (its text compared: the file is a few hundred bytes, and a same-size edit
// within the filesystem's timestamp granularity must not go unnoticed). An edit applies only when
// redirection.config loads and the applicationHost.config it names loads — was's own test
// (redirectionChange, @poolhost/config), so httpsys never moves to a folder whose configuration was
// refuses; a refused edit is logged with file:line:column and httpsys keeps what it uses.
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { redirectionChange, redirectionConfigPath, type ConfigurationRedirection } from '@poolhost/config';

/** What httpsys takes from an enabled redirection.config. */
export interface SharedConfiguration {
  /** The shared folder. */
  path: string;
  /** Where local copies go: redirection.config's folder. */
  cacheFolder: string;
  pollingPeriodMs: number;
}

export function sharedConfigurationOf(redirection: ConfigurationRedirection | null): SharedConfiguration | null {
  return redirection ? { path: redirection.path, cacheFolder: dirname(redirection.file), pollingPeriodMs: redirection.pollingPeriodMs } : null;
}

export function sameSharedConfiguration(a: SharedConfiguration | null, b: SharedConfiguration | null): boolean {
  if (a === null || b === null) return a === b;
  return a.path === b.path && a.cacheFolder === b.cacheFolder && a.pollingPeriodMs === b.pollingPeriodMs;
}

export class RedirectionWatch {
  readonly file: string;
  private text: string | null;
  /** The redirection in force (null: none): what redirection.config said when it last applied. */
  private current: ConfigurationRedirection | null;

  constructor(
    /** The local applicationHost.config (POOLHOST_CONFIG), beside redirection.config. */
    private readonly localConfigFile: string,
    /** The redirection httpsys started with (main.ts read it: null when there is none, or it did not load). */
    inForce: ConfigurationRedirection | null,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.file = redirectionConfigPath(localConfigFile);
    this.text = this.read();
    this.current = inForce;
  }

  /**
   * Undefined: unchanged, or changed and refused (logged). Otherwise the redirection in force from now on
   * (null: not redirected, redirection.config gone or disabled).
   */
  poll(): { redirection: ConfigurationRedirection | null } | undefined {
    const text = this.read();
    if (text === this.text) return undefined;
    this.text = text;
    const change = redirectionChange({ localFile: this.localConfigFile, current: this.current, configDirectory: dirname(this.localConfigFile), env: this.env });
    switch (change.kind) {
      case 'unchanged':
        return undefined;
      case 'refused':
        this.refuse(change.problem, change.error ? { file: change.error.file, line: change.error.line, column: change.error.column, code: change.error.code } : undefined);
        return undefined;
      case 'polling':
      case 'redirect':
        this.current = change.redirection;
        return { redirection: change.redirection };
    }
  }

  private refuse(problem: string, configError?: { file: string; line: number; column: number; code: string }): void {
    this.logger.error(
      { ...(configError ? { configError } : {}) },
      `The configuration file '${this.file}' could not be applied; httpsys keeps its SSL store, TLS session ticket keys and ACME answers (last known good): ${problem}`,
    );
  }

  /** The text now; null when there is none (or it cannot be read: reported by poll()'s read). */
  private read(): string | null {
    if (!existsSync(this.file)) return null;
    try {
      return readFileSync(this.file, 'latin1');
    } catch (error) {
      return `\0unreadable ${(error as NodeJS.ErrnoException).code ?? ''}`;
    }
  }
}
