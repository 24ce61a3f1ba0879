// Which applicationHost.config appcmd edits: `/apphostconfig:<file>`, then POOLHOST_CONFIG, then
// ./applicationHost.config. Opening and saving go through packages/config's ConfigDocument
// (byte-preserving edits, atomic save).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigDocument, ConfigError, type ApplicationHostConfig } from '@poolhost/config';
import { AppcmdError, Errors } from '../errors.js';

export function resolveConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, explicit ?? env.POOLHOST_CONFIG ?? 'applicationHost.config');
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
