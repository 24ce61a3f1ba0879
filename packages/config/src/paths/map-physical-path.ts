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

export function expandEnvironmentVariables(text: string, configDirectory: string, env: Environment = process.env): string {
  return text.replace(/%([^%\\/]+)%/g, (whole, name: string) => {
    const value = lookup(env, name);
    if (value !== undefined) return value;
    if (name.toLowerCase() === 'systemdrive') return configDirectory;
    return whole;
  });
}

function lookup(env: Environment, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  const lower = name.toLowerCase();
  // Names only: Object.entries(process.env) would read every variable's value (a native getter each) for
  // the one that matches — %SystemDrive%, which is usually not set, costs a whole scan at every use.
  for (const key of Object.keys(env)) {
    if (key.toLowerCase() !== lower) continue;
    const value = env[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Maps a physicalPath / directory attribute to an absolute Linux path. '' stays ''. */
export function mapPhysicalPath(raw: string, configDirectory: string, env: Environment = process.env): string {
  if (raw.trim() === '') return '';
  let path = expandEnvironmentVariables(raw.trim(), configDirectory, env);
  path = path.replace(/^[A-Za-z]:(?=[\\/]|$)/, configDirectory);
  path = path.replace(/\\/g, '/');
  return isAbsolute(path) ? resolve(path) : resolve(configDirectory, path);
}
