// An edit of redirection.config while poolhost runs (IIS re-reads it when it changes): what it asks for,
// checked whole before anything changes. The edit applies only when redirection.config loads AND the
// applicationHost.config it now names can be read and loads; otherwise it is refused with file:line:column
// and the running configuration stays in force. was (which serves that file) and httpsys (which follows its
// shared folder for the SSL store, ticket secret and ACME answers) both decide with this, so neither moves
// without the other.
import { readFileSync } from 'node:fs';
import type { ApplicationHostConfig } from '../model.js';
import { parseApplicationHostConfig } from '../application-host/load-application-host-config.js';
import { ConfigError, formatIssue } from '../validation/config-error.js';
import { decodeConfigBytes } from '../xml/xml-document.js';
import { readConfigurationRedirection, redirectionConfigPath, type ConfigurationRedirection } from './redirection-config.js';
import { describeSharedConfigurationProblem } from './served-configuration.js';

export type RedirectionChange =
  /** It still names the same file with the same polling: nothing to do. */
  | { kind: 'unchanged' }
  /** The same file, read with other polling settings (pollingPeriod, enableUncPolling). */
  | { kind: 'polling'; redirection: ConfigurationRedirection }
  /** Another file is served: the shared one of `redirection`, or the local one (null: not redirected). */
  | { kind: 'redirect'; redirection: ConfigurationRedirection | null; file: string; text: string; config: ApplicationHostConfig; utf8: boolean }
  /** The edit cannot apply: the running configuration stays. `error`: the file that does not load (file:line:column). */
  | { kind: 'refused'; problem: string; error?: ConfigError };

export interface RedirectionChangeInput {
  /** The local applicationHost.config (absolute), beside redirection.config. */
  localFile: string;
  /** The redirection in force. */
  current: ConfigurationRedirection | null;
  /** Where the served file's %SystemDrive% and relative paths map: the local folder. */
  configDirectory: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads redirection.config as it is now (gone: not redirected) and what it names. */
export function redirectionChange(input: RedirectionChangeInput): RedirectionChange {
  const file = redirectionConfigPath(input.localFile);
  let redirection: ConfigurationRedirection | null;
  try {
    redirection = readConfigurationRedirection(input.localFile, input.env);
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'refused', problem: formatIssue(error.issues[0]!), error };
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    return { kind: 'refused', problem: `${file} cannot be read: ${(error as Error).message}` };
  }
  const current = input.current;
  const target = redirection?.sharedFile ?? input.localFile;
  if (target === (current?.sharedFile ?? input.localFile)) {
    if (redirection === null || current === null) return { kind: 'unchanged' };
    const samePolling = redirection.pollingPeriodMs === current.pollingPeriodMs && redirection.enableUncPolling === current.enableUncPolling;
    return samePolling ? { kind: 'unchanged' } : { kind: 'polling', redirection };
  }
  let text: string;
  let utf8: boolean;
  try {
    const decoded = decodeConfigBytes(readFileSync(target));
    text = decoded.text;
    utf8 = decoded.encoding === 'utf8';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    return { kind: 'refused', problem: `${file} names ${target}, which is not used: ${describeSharedConfigurationProblem(target, error)}` };
  }
  try {
    const config = parseApplicationHostConfig(text, target, { configDirectory: input.configDirectory, ...(input.env ? { env: input.env } : {}) });
    return { kind: 'redirect', redirection, file: target, text, config, utf8 };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { kind: 'refused', problem: `${file} names ${target}, which does not load: ${formatIssue(error.issues[0]!)}`, error };
  }
}
