// The `<iisnode>` section (system.webServer/iisnode), typed, with the defaults of iisnode's own schema
// (src/config/iisnode_schema.xml in tjanczuk/iisnode; Azure/iisnode's adds nodeProcessStickySessions). Values come from the effective configuration,
// then from the configOverrides file (iisnode.yml), as iisnode applies them. Attributes that describe
// Windows machinery (named pipes, IO threads, the node-inspector debugger, page-out) are accepted and
// kept — appcmd shows them — but have no effect: the worker logs each one set (docs/hosting.md lists them).
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

/**
 * Every attribute of iisnode's schema: its type, its default, and — for the ones poolhost accepts but
 * cannot act on — why (docs/hosting.md, the <iisnode> table).
 */
export const IISNODE_ATTRIBUTES: Record<string, { kind: Kind; defaultValue: string; withoutEffect?: string }> = {
  node_env: { kind: 'string', defaultValue: '%node_env%' },
  asyncCompletionThreadCount: { kind: 'uint', defaultValue: '0', withoutEffect: 'Windows IO tuning' },
  nodeProcessCountPerApplication: { kind: 'uint', defaultValue: '1' },
  nodeProcessCommandLine: { kind: 'string', defaultValue: 'node.exe' },
  interceptor: { kind: 'string', defaultValue: '"%programfiles%\\iisnode\\interceptor.js"' },
  maxConcurrentRequestsPerProcess: { kind: 'uint', defaultValue: '1024' },
  maxNamedPipeConnectionRetry: { kind: 'uint', defaultValue: '100' },
  namedPipeConnectionRetryDelay: { kind: 'uint', defaultValue: '250' },
  maxNamedPipeConnectionPoolSize: { kind: 'uint', defaultValue: '512', withoutEffect: 'Windows named-pipe tuning' },
  maxNamedPipePooledConnectionAge: { kind: 'uint', defaultValue: '30000', withoutEffect: 'Windows named-pipe tuning' },
  initialRequestBufferSize: { kind: 'uint', defaultValue: '4096', withoutEffect: 'Windows IO tuning; request heads are limited by httpsys' },
  maxRequestBufferSize: { kind: 'uint', defaultValue: '65536', withoutEffect: 'Windows IO tuning; request heads are limited by httpsys' },
  uncFileChangesPollingInterval: { kind: 'uint', defaultValue: '5000', withoutEffect: 'UNC shares; watchedFiles uses inotify' },
  gracefulShutdownTimeout: { kind: 'uint', defaultValue: '60000' },
  logDirectory: { kind: 'string', defaultValue: 'iisnode' },
  debuggingEnabled: { kind: 'bool', defaultValue: 'true', withoutEffect: "iisnode's node-inspector debugger; use node --inspect in nodeProcessCommandLine" },
  debuggerExtensionDll: { kind: 'string', defaultValue: 'iisnode-inspector-0.7.3.dll', withoutEffect: "iisnode's node-inspector debugger" },
  debugHeaderEnabled: { kind: 'bool', defaultValue: 'false' },
  debuggerVirtualDir: { kind: 'string', defaultValue: '', withoutEffect: "iisnode's node-inspector debugger" },
  debuggerPathSegment: { kind: 'string', defaultValue: 'debug', withoutEffect: "iisnode's node-inspector debugger" },
  debuggerPortRange: { kind: 'string', defaultValue: '5058-6058', withoutEffect: "iisnode's node-inspector debugger" },
  maxLogFileSizeInKB: { kind: 'uint', defaultValue: '128' },
  maxTotalLogFileSizeInKB: { kind: 'uint', defaultValue: '1024' },
  maxLogFiles: { kind: 'uint', defaultValue: '20' },
  loggingEnabled: { kind: 'bool', defaultValue: 'true' },
  devErrorsEnabled: { kind: 'bool', defaultValue: 'true' },
  flushResponse: { kind: 'bool', defaultValue: 'false' },
  watchedFiles: { kind: 'string', defaultValue: '*.js;iisnode.yml' },
  enableXFF: { kind: 'bool', defaultValue: 'false' },
  promoteServerVars: { kind: 'list', defaultValue: '' },
  configOverrides: { kind: 'string', defaultValue: 'iisnode.yml' },
  recycleSignalEnabled: { kind: 'bool', defaultValue: 'false' },
  idlePageOutTimePeriod: { kind: 'uint', defaultValue: '0', withoutEffect: 'Windows working-set page-out' },
  // Azure/iisnode (Azure App Service): a request whose iisnode.session.cookie names a process goes to it.
  nodeProcessStickySessions: { kind: 'bool', defaultValue: 'false', withoutEffect: 'Azure iisnode sticky sessions; requests go round robin to the node processes (keep session state outside the process)' },
};

/** What an application loaded into w3wp itself reads of the section; the rest needs node processes. */
const READ_IN_WORKER = new Set(['promoteServerVars', 'enableXFF']);
/** IIS's lock attributes, allowed on any element. */
const LOCK_ATTRIBUTES = new Set(['lockattributes', 'lockallattributesexcept', 'lockelements', 'lockallelementsexcept', 'lockitem']);

/**
 * The attributes a `<iisnode>` section sets that do nothing where the application runs — each with why —
 * so the worker reports them instead of dropping them in silence. `hosting`: `node processes` (an iisnode
 * handler names the script) or `worker` (the application is loaded into w3wp). An attribute left at
 * iisnode's default is not reported.
 */
export function iisnodeAttributesWithoutEffect(section: RawElement | undefined, hosting: 'node processes' | 'worker'): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(section?.attributes ?? {})) {
    if (LOCK_ATTRIBUTES.has(name.toLowerCase())) continue;
    const canonical = CANONICAL_NAMES.get(name.toLowerCase());
    if (canonical === undefined) {
      found.push(`${name}="${value}" (not an iisnode attribute)`);
      continue;
    }
    if (value.trim().toLowerCase() === IISNODE_ATTRIBUTES[canonical]!.defaultValue.toLowerCase()) continue;
    const why = IISNODE_ATTRIBUTES[canonical]!.withoutEffect ?? (hosting === 'worker' && !READ_IN_WORKER.has(canonical) ? 'needs node processes: map the script with an iisnode handler' : undefined);
    if (why !== undefined) found.push(`${canonical}="${value}" (${why})`);
  }
  return found;
}

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
