// The configOverrides file (iisnode.yml by default): iisnode's "small subset of YAML", one
// `<key>: <value>` per line, `#` comments to the end of the line, blank lines allowed. As iisnode's
// parser (CModuleConfiguration::ApplyYamlConfigOverrides): a line without a colon, or starting with
// one, is a syntax error; an empty value is allowed; unknown keys are ignored (by the settings).
import { readFileSync } from 'node:fs';

export class ConfigOverridesError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

/** The overrides in `file`, or an empty map when the file does not exist. Throws ConfigOverridesError. */
export function readConfigOverrides(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
    throw new ConfigOverridesError(file, 0, `cannot be read: ${(error as Error).message}`);
  }
  return parseConfigOverrides(text, file);
}

export function parseConfigOverrides(text: string, file: string): Map<string, string> {
  const overrides = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const comment = raw.indexOf('#');
    const line = (comment === -1 ? raw : raw.slice(0, comment)).trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon === -1) throw new ConfigOverridesError(file, index + 1, `"${line}" is not a <key>: <value> line`);
    if (colon === 0) throw new ConfigOverridesError(file, index + 1, `"${line}" has no key before the colon`);
    const key = line.slice(0, colon).trim();
    if (/\s/.test(key)) throw new ConfigOverridesError(file, index + 1, `"${key}" is not a key (no spaces allowed)`);
    overrides.set(key, line.slice(colon + 1).trim());
  }
  return overrides;
}
