// httpsys' view of redirection.config (IIS Shared Configuration), re-read when it changes as IIS does: the
// shared folder holds the farm's SSL store, TLS session ticket secret and ACME answers. Checked every
// second with the SSL store (its text compared: the file is a few hundred bytes, and a same-size edit
// within the filesystem's timestamp granularity must not go unnoticed). An edit applies only when
// redirection.config loads and the folder it names holds an applicationHost.config (was refuses it
// otherwise too); a refused edit is logged with file:line:column and httpsys keeps what it uses.
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, formatIssue, readConfigurationRedirection, redirectionConfigPath, type ConfigurationRedirection } from '@poolhost/config';

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

  constructor(
    /** The local applicationHost.config (POOLHOST_CONFIG), beside redirection.config. */
    private readonly localConfigFile: string,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.file = redirectionConfigPath(localConfigFile);
    this.text = this.read();
  }

  /**
   * Undefined: unchanged, or changed and refused (logged). Otherwise the redirection in force from now on
   * (null: not redirected, redirection.config gone or disabled) and the redirection it names.
   */
  poll(): { redirection: ConfigurationRedirection | null } | undefined {
    const text = this.read();
    if (text === this.text) return undefined;
    this.text = text;
    let redirection: ConfigurationRedirection | null;
    try {
      redirection = readConfigurationRedirection(this.localConfigFile, this.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        this.refuse(formatIssue(error.issues[0]!), { file: error.file, line: error.line, column: error.column, code: error.code });
        return undefined;
      }
      if ((error as NodeJS.ErrnoException).code === undefined) throw error;
      this.refuse(`${this.file} cannot be read: ${(error as Error).message}`);
      return undefined;
    }
    if (redirection && !existsSync(redirection.sharedFile)) {
      this.refuse(`${this.file} names ${redirection.sharedFile}, which is not used: no such file (the shared folder is gone, renamed or not mounted)`);
      return undefined;
    }
    return { redirection };
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
