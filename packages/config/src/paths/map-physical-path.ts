// Windows paths in applicationHost.config, mapped onto Linux:
//   1. `%VAR%` expands from the environment (names match case-insensitively, as on Windows); an unknown
//      variable is left as written, as IIS does.
//   2. `%SystemDrive%` expands to the folder holding applicationHost.config, unless the environment
//      sets SystemDrive itself.
//   3. A drive prefix (`C:`) likewise maps to that folder.
//   4. Backslashes become `/`.
//   5. A relative path resolves against the config file's folder.
// So `%SystemDrive%\inetpub\wwwroot` → `<configdir>/inetpub/wwwroot` and `C:\vhosts\a` → `<configdir>/vhosts/a`.

import { isAbsolute, resolve } from 'node:path';

export type Environment = Record<string, string | undefined>;

/**
 * An environment whose names are listed (lower-cased) once, at the first name not found as written, for
 * one reading of a file: %SystemDrive%, usually not set, is looked up for each site's log folders and
 * httpsys' error log, and each miss would otherwise list every variable again. Values are read as asked.
 */
export class EnvironmentNames {
  private byLowerCase: Map<string, string[]> | undefined;

  constructor(readonly env: Environment) {}

  lookup(name: string): string | undefined {
    const env = this.env;
    if (env[name] !== undefined) return env[name];
    if (!this.byLowerCase) {
      // Names only: Object.entries(process.env) would read every variable's value (a native getter each).
      this.byLowerCase = new Map();
      for (const key of Object.keys(env)) {
        const lower = key.toLowerCase();
        const keys = this.byLowerCase.get(lower);
        if (keys) keys.push(key);
        else this.byLowerCase.set(lower, [key]);
      }
    }
    for (const key of this.byLowerCase.get(name.toLowerCase()) ?? []) {
      const value = env[key];
      if (value !== undefined) return value;
    }
    return undefined;
  }
}

export function expandEnvironmentVariables(text: string, configDirectory: string, env: Environment | EnvironmentNames = process.env): string {
  const names = env instanceof EnvironmentNames ? env : new EnvironmentNames(env);
  return text.replace(/%([^%\\/]+)%/g, (whole, name: string) => {
    const value = names.lookup(name);
    if (value !== undefined) return value;
    if (name.toLowerCase() === 'systemdrive') return configDirectory;
    return whole;
  });
}

/** Maps a physicalPath / directory attribute to an absolute Linux path. '' stays ''. */
export function mapPhysicalPath(raw: string, configDirectory: string, env: Environment | EnvironmentNames = process.env): string {
  if (raw.trim() === '') return '';
  let path = expandEnvironmentVariables(raw.trim(), configDirectory, env);
  path = path.replace(/^[A-Za-z]:(?=[\\/]|$)/, configDirectory);
  path = path.replace(/\\/g, '/');
  return isAbsolute(path) ? resolve(path) : resolve(configDirectory, path);
}
