// Which applicationHost.config a host serves, and where it came from: the local file; the shared one
// named by redirection.config; or, when the shared one cannot be read or does not validate, the cached
// copy of the last shared configuration that did (sturdier than IIS, which cannot start then).
// was, `poolhost start` and appcmd all ask here, so they agree on the file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApplicationHostConfig } from '../model.js';
import { parseApplicationHostConfig, type LoadOptions } from '../application-host/load-application-host-config.js';
import { ConfigError, formatIssue } from '../validation/config-error.js';
import { decodeConfigBytes } from '../xml/xml-document.js';
import { configurationGeneration } from './configuration-generation.js';
import { readConfigurationRedirection, type ConfigurationRedirection } from './redirection-config.js';
import { readSharedConfigurationCache, sharedConfigurationCachePath } from './shared-configuration-cache.js';

/** local: no redirection; shared: read from the shared folder; cached: the local copy, the shared file being unusable. */
export type ConfigurationSource = 'local' | 'shared' | 'cached';

export interface ServedConfiguration {
  /** The applicationHost.config named on the command line (beside redirection.config). */
  localFile: string;
  redirection: ConfigurationRedirection | null;
  source: ConfigurationSource;
  /** The text the model was read from. */
  text: string;
  config: ApplicationHostConfig;
  generation: string;
  /** source 'cached': why the shared file is not used. */
  problem?: string;
}

/** Redirection is enabled, the shared file is unusable and no cached copy exists yet. */
export class SharedConfigurationUnavailableError extends Error {
  override readonly name = 'SharedConfigurationUnavailableError';
  constructor(
    readonly redirection: ConfigurationRedirection,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${problem}; and there is no cached copy of the shared configuration yet (${sharedConfigurationCachePath(redirection)})`, options);
  }
}

/** The one line an operator reads about why the shared file is not used. */
export function describeSharedConfigurationProblem(file: string, error: unknown): string {
  if (error instanceof ConfigError) return `it does not load: ${formatIssue(error.issues[0]!)}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file} cannot be read: no such file (the shared folder is gone, renamed or not mounted)`;
  return `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

/** Reads, validates and returns the configuration this host serves; throws ConfigError or SharedConfigurationUnavailableError. */
export function loadServedConfiguration(localFile: string, options: LoadOptions = {}): ServedConfiguration {
  const absolute = resolve(localFile);
  const redirection = readConfigurationRedirection(absolute, options.env);
  if (!redirection) {
    const text = decodeConfigBytes(readFileSync(absolute)).text;
    const config = parseApplicationHostConfig(text, absolute, options);
    return { localFile: absolute, redirection: null, source: 'local', text, config, generation: configurationGeneration(text) };
  }
  // Paths in the shared file map on each host to its own folder, as %SystemDrive% is each IIS host's own drive.
  const parse = (text: string) => parseApplicationHostConfig(text, redirection.sharedFile, { ...options, configDirectory: options.configDirectory ?? dirname(absolute) });
  let problem: string;
  let cause: unknown;
  try {
    const text = decodeConfigBytes(readFileSync(redirection.sharedFile)).text;
    return { localFile: absolute, redirection, source: 'shared', text, config: parse(text), generation: configurationGeneration(text) };
  } catch (error) {
    if (!(error instanceof ConfigError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    problem = describeSharedConfigurationProblem(redirection.sharedFile, error);
    cause = error;
  }
  const cached = readSharedConfigurationCache(redirection);
  if (cached === null) throw new SharedConfigurationUnavailableError(redirection, problem, { cause });
  // The copy was written only after it loaded; a copy that no longer does (edited by hand) throws here.
  return { localFile: absolute, redirection, source: 'cached', text: cached, config: parse(cached), generation: configurationGeneration(cached), problem };
}
