// Which applicationHost.config appcmd edits: `/apphostconfig:<file>`, then POOLHOST_CONFIG, then the
// file the server running in the run directory serves (POOLHOST_RUN_DIR or the default one), then
// ./applicationHost.config — so appcmd never shows one server's runtime state beside another file's
// pools. A redirection.config beside that file (IIS Shared Configuration) sends appcmd to the shared
// applicationHost.config, as it sends was: an edit on any host is an edit of the one shared file, under
// its lock (beside it, so two hosts serialize). Opening and saving go through packages/config's
// ConfigDocument (byte-preserving edits, atomic save).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigDocument, ConfigError, readConfigurationRedirection, type ApplicationHostConfig } from '@poolhost/config';
import { AppcmdError, Errors } from '../errors.js';
import type { RuntimeClient } from '../runtime/runtime-client.js';

export async function resolveConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string, runtime: RuntimeClient): Promise<string> {
  const named = explicit ?? env.POOLHOST_CONFIG;
  if (named !== undefined) return followRedirection(resolve(cwd, named), env);
  const served = await runtime.tryRequest('was', { type: 'GetConfigurationFile' });
  if (served?.type === 'ConfigurationFile') return followRedirection(served.file, env);
  return followRedirection(resolve(cwd, 'applicationHost.config'), env);
}

/** The shared applicationHost.config when redirection.config beside `file` is enabled; `file` otherwise. */
function followRedirection(file: string, env: NodeJS.ProcessEnv): string {
  try {
    return readConfigurationRedirection(file, env)?.sharedFile ?? file;
  } catch (error) {
    if (error instanceof ConfigError) throw configurationError(error.file, error.message);
    throw error;
  }
}

/** IIS's "Configuration error" block: the file, and what is wrong with it. */
export function configurationError(file: string, detail: string): AppcmdError {
  return Errors.configInvalid(`Filename: ${file}\nError: ${detail}\n`);
}

export function openConfigDocument(file: string): ConfigDocument {
  if (!existsSync(file)) throw configurationError(file, 'Cannot read configuration file');
  try {
    return ConfigDocument.open(file);
  } catch (error) {
    if (error instanceof ConfigError) throw configurationError(file, error.message);
    throw error;
  }
}

/** The typed model of the document as it is now; a file that does not validate is reported IIS-style. */
export function modelOf(document: ConfigDocument, env: NodeJS.ProcessEnv): ApplicationHostConfig {
  try {
    return document.toModel({ env });
  } catch (error) {
    if (error instanceof ConfigError) throw configurationError(document.file, error.message);
    throw error;
  }
}

/** Validates the edited document as a whole (duplicate ids, unknown pools …) and writes it atomically. */
export function commitConfigDocument(document: ConfigDocument, env: NodeJS.ProcessEnv): void {
  if (!document.isDirty) return;
  try {
    document.toModel({ env });
  } catch (error) {
    if (error instanceof ConfigError) throw Errors.invalidValue(error.issues.map((issue) => issue.message).join('\n'));
    throw error;
  }
  try {
    document.save();
  } catch (error) {
    throw Errors.commitFailed((error as Error).message);
  }
}
