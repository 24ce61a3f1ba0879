// The `<iisnode>` section (system.webServer/iisnode), typed, with the defaults of iisnode's own schema
// (src/config/iisnode_schema.xml in tjanczuk/iisnode). Values come from the effective configuration,
// then from the configOverrides file (iisnode.yml), as iisnode applies them. Attributes that describe
// Windows machinery (named pipes, IO threads, the node-inspector debugger, page-out) are accepted and
// kept — appcmd shows them — and have no effect; docs/hosting.md lists them.
import { cpus } from 'node:os';
import type { RawElement } from '@poolhost/config';

export interface IisnodeSettings {
  node_env: string;
  nodeProcessCountPerApplication: number;
  nodeProcessCommandLine: string;
  interceptor: string;
  maxConcurrentRequestsPerProcess: number;
  maxNamedPipeConnectionRetry: number;
  namedPipeConnectionRetryDelay: number;
  watchedFiles: string;
  gracefulShutdownTimeout: number;
  loggingEnabled: boolean;
  logDirectory: string;
  debugHeaderEnabled: boolean;
  maxLogFileSizeInKB: number;
  maxTotalLogFileSizeInKB: number;
  maxLogFiles: number;
  devErrorsEnabled: boolean;
  flushResponse: boolean;
  enableXFF: boolean;
  promoteServerVars: string[];
  configOverrides: string;
  recycleSignalEnabled: boolean;
}

type Kind = 'string' | 'uint' | 'bool' | 'list';

/** Every attribute of iisnode's schema: its type, its default, and whether poolhost acts on it. */
export const IISNODE_ATTRIBUTES: Record<string, { kind: Kind; defaultValue: string; acts: boolean }> = {
  node_env: { kind: 'string', defaultValue: '%node_env%', acts: true },
  asyncCompletionThreadCount: { kind: 'uint', defaultValue: '0', acts: false },
  nodeProcessCountPerApplication: { kind: 'uint', defaultValue: '1', acts: true },
  nodeProcessCommandLine: { kind: 'string', defaultValue: 'node.exe', acts: true },
  interceptor: { kind: 'string', defaultValue: '"%programfiles%\\iisnode\\interceptor.js"', acts: true },
  maxConcurrentRequestsPerProcess: { kind: 'uint', defaultValue: '1024', acts: true },
  maxNamedPipeConnectionRetry: { kind: 'uint', defaultValue: '100', acts: true },
  namedPipeConnectionRetryDelay: { kind: 'uint', defaultValue: '250', acts: true },
  maxNamedPipeConnectionPoolSize: { kind: 'uint', defaultValue: '512', acts: false },
  maxNamedPipePooledConnectionAge: { kind: 'uint', defaultValue: '30000', acts: false },
  initialRequestBufferSize: { kind: 'uint', defaultValue: '4096', acts: false },
  maxRequestBufferSize: { kind: 'uint', defaultValue: '65536', acts: false },
  uncFileChangesPollingInterval: { kind: 'uint', defaultValue: '5000', acts: false },
  gracefulShutdownTimeout: { kind: 'uint', defaultValue: '60000', acts: true },
  logDirectory: { kind: 'string', defaultValue: 'iisnode', acts: true },
  debuggingEnabled: { kind: 'bool', defaultValue: 'true', acts: false },
  debuggerExtensionDll: { kind: 'string', defaultValue: 'iisnode-inspector-0.7.3.dll', acts: false },
  debugHeaderEnabled: { kind: 'bool', defaultValue: 'false', acts: true },
  debuggerVirtualDir: { kind: 'string', defaultValue: '', acts: false },
  debuggerPathSegment: { kind: 'string', defaultValue: 'debug', acts: false },
  debuggerPortRange: { kind: 'string', defaultValue: '5058-6058', acts: false },
  maxLogFileSizeInKB: { kind: 'uint', defaultValue: '128', acts: true },
  maxTotalLogFileSizeInKB: { kind: 'uint', defaultValue: '1024', acts: true },
  maxLogFiles: { kind: 'uint', defaultValue: '20', acts: true },
  loggingEnabled: { kind: 'bool', defaultValue: 'true', acts: true },
  devErrorsEnabled: { kind: 'bool', defaultValue: 'true', acts: true },
  flushResponse: { kind: 'bool', defaultValue: 'false', acts: true },
  watchedFiles: { kind: 'string', defaultValue: '*.js;iisnode.yml', acts: true },
  enableXFF: { kind: 'bool', defaultValue: 'false', acts: true },
  promoteServerVars: { kind: 'list', defaultValue: '', acts: true },
  configOverrides: { kind: 'string', defaultValue: 'iisnode.yml', acts: true },
  recycleSignalEnabled: { kind: 'bool', defaultValue: 'false', acts: true },
  idlePageOutTimePeriod: { kind: 'uint', defaultValue: '0', acts: false },
};

const CANONICAL_NAMES = new Map(Object.keys(IISNODE_ATTRIBUTES).map((name) => [name.toLowerCase(), name]));

/** An attribute value iisnode would refuse (a bool that is not true/false/1/0/yes/no, a negative uint). */
export class IisnodeSettingError extends Error {}

/** iisnode's GetBOOL: true/1/yes and false/0/no, any case. */
function parseBool(name: string, value: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new IisnodeSettingError(`${name}: "${value}" is not a boolean (true, false, 1, 0, yes, no)`);
}

function parseUint(name: string, value: string): number {
  const text = value.trim();
  if (text === '') return 0;
  if (!/^\d+$/.test(text)) throw new IisnodeSettingError(`${name}: "${value}" is not an unsigned integer`);
  return Number(text);
}

/** `%NAME%` from the worker's environment, as iisnode's `expanded="true"` attributes; unknown names stay as written. */
export function expandEnvironment(value: string): string {
  return value.replace(/%([^%]+)%/g, (whole, name: string) => {
    const key = Object.keys(process.env).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    return key !== undefined ? (process.env[key] ?? '') : whole;
  });
}

/**
 * Settings from the section's attributes (unknown names ignored, as iisnode's code reads only the
 * ones it knows) and then the overrides (iisnode.yml keys). Throws IisnodeSettingError for a bad value.
 */
export function resolveIisnodeSettings(section: RawElement | undefined, overrides: Map<string, string> = new Map()): IisnodeSettings {
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(IISNODE_ATTRIBUTES)) values.set(name, spec.defaultValue);
  for (const [name, value] of Object.entries(section?.attributes ?? {})) {
    const canonical = CANONICAL_NAMES.get(name.toLowerCase());
    if (canonical) values.set(canonical, value);
  }
  for (const [name, value] of overrides) {
    const canonical = CANONICAL_NAMES.get(name.toLowerCase());
    if (canonical) values.set(canonical, value);
  }
  const text = (name: string): string => values.get(name) ?? '';
  const uint = (name: string): number => parseUint(name, text(name));
  const bool = (name: string): boolean => parseBool(name, text(name));
  // Every attribute is checked, the ones without effect too: iisnode refuses a bad value of any of them.
  for (const [name, spec] of Object.entries(IISNODE_ATTRIBUTES)) {
    if (spec.kind === 'uint') uint(name);
    else if (spec.kind === 'bool') bool(name);
  }
  const processCount = uint('nodeProcessCountPerApplication');
  return {
    node_env: expandEnvironment(text('node_env')),
    nodeProcessCountPerApplication: processCount === 0 ? Math.max(1, cpus().length) : processCount,
    nodeProcessCommandLine: expandEnvironment(text('nodeProcessCommandLine')),
    interceptor: expandEnvironment(text('interceptor')),
    maxConcurrentRequestsPerProcess: uint('maxConcurrentRequestsPerProcess'),
    maxNamedPipeConnectionRetry: uint('maxNamedPipeConnectionRetry'),
    namedPipeConnectionRetryDelay: uint('namedPipeConnectionRetryDelay'),
    watchedFiles: expandEnvironment(text('watchedFiles')),
    gracefulShutdownTimeout: uint('gracefulShutdownTimeout'),
    loggingEnabled: bool('loggingEnabled'),
    logDirectory: expandEnvironment(text('logDirectory')),
    debugHeaderEnabled: bool('debugHeaderEnabled'),
    maxLogFileSizeInKB: uint('maxLogFileSizeInKB'),
    maxTotalLogFileSizeInKB: uint('maxTotalLogFileSizeInKB'),
    maxLogFiles: uint('maxLogFiles'),
    devErrorsEnabled: bool('devErrorsEnabled'),
    flushResponse: bool('flushResponse'),
    enableXFF: bool('enableXFF'),
    promoteServerVars: text('promoteServerVars').split(',').map((name) => name.trim()).filter(Boolean),
    configOverrides: expandEnvironment(text('configOverrides')),
    recycleSignalEnabled: bool('recycleSignalEnabled'),
  };
}
