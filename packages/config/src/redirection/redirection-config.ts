// IIS Shared Configuration (reference/iis-2.md §7): a `redirection.config` beside the local
// applicationHost.config whose `<configurationRedirection enabled="true" path="…">` makes every reader
// take applicationHost.config from `path` instead. Read and validated like every configuration file
// (file:line:column, unknown attributes refused). What changes on Linux:
//   - `userName` / `password` are refused when set: the operating system mounts the share (cifs
//     credentials file, NFS with Kerberos) and poolhost reads a local path; IIS encrypts the password
//     with IISRsaProvider, which has no counterpart here, so a clear-text secret would be the only option;
//   - `path` is a folder (a mount point), never a UNC name;
//   - polling is always on (every `pollingPeriod`: network filesystems give no change notifications for
//     other hosts' writes); `enableUncPolling="true"` polls only, without watching the folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { expandEnvironmentVariables, type Environment } from '../paths/map-physical-path.js';
import { bool, string, timeSpan, type ElementSchema } from '../values/attribute-type.js';
import { readAttributes } from '../validation/read-attributes.js';
import { Diagnostics } from '../validation/diagnostics.js';
import { ConfigError } from '../validation/config-error.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { decodeConfigBytes } from '../xml/xml-document.js';
import { childElements, findAttribute, firstChildElement } from '../xml/xml-node.js';
import { parseOrThrow } from '../application-host/load-application-host-config.js';

export const REDIRECTION_CONFIG_NAME = 'redirection.config';
export const APPLICATION_HOST_CONFIG_NAME = 'applicationHost.config';

/** IIS_schema.xml's `configurationRedirection`; pollingPeriod's IIS default is three minutes. */
const CONFIGURATION_REDIRECTION_SCHEMA: ElementSchema = {
  enabled: bool(false),
  path: string(''),
  userName: string(''),
  password: string(''),
  enableUncPolling: bool(false),
  pollingPeriod: timeSpan('00:03:00', 1, 86400, 1),
};

/** An enabled redirection: where applicationHost.config is read from, and how changes are noticed. */
export interface ConfigurationRedirection {
  /** The redirection.config it was read from. */
  file: string;
  /** The shared folder (absolute, variables expanded). */
  path: string;
  /** `<path>/applicationHost.config`. */
  sharedFile: string;
  pollingPeriodMs: number;
  /** Poll only: the shared folder is not watched with file notifications. */
  enableUncPolling: boolean;
}

interface RedirectionAttributes {
  enabled: boolean;
  path: string;
  userName: string;
  password: string;
  enableUncPolling: boolean;
  pollingPeriod: number;
}

/** `redirection.config` beside `localConfigFile`. */
export function redirectionConfigPath(localConfigFile: string): string {
  return join(dirname(resolve(localConfigFile)), REDIRECTION_CONFIG_NAME);
}

/**
 * The redirection in force for the applicationHost.config at `localConfigFile`: null when there is no
 * redirection.config beside it or it is not enabled. Throws ConfigError (file:line:column) when the
 * file is malformed or asks for something poolhost cannot honour.
 */
export function readConfigurationRedirection(localConfigFile: string, env: Environment = process.env): ConfigurationRedirection | null {
  const file = redirectionConfigPath(localConfigFile);
  if (!existsSync(file)) return null;
  return parseConfigurationRedirection(decodeConfigBytes(readFileSync(file)).text, file, env);
}

/** Same as readConfigurationRedirection for text in memory; `file` names it and anchors a relative path. */
export function parseConfigurationRedirection(text: string, file: string, env: Environment = process.env): ConfigurationRedirection | null {
  const document = parseOrThrow(text, file);
  const diagnostics = new Diagnostics(document);
  if (document.root.name !== 'configuration') {
    diagnostics.report(ConfigErrors.rootNotConfiguration, { name: document.root.name }, document.root.start);
    throw new ConfigError(diagnostics.issues);
  }
  // configSections only registers the section (IIS writes it); anything else would be ignored, so it is refused.
  for (const element of childElements(document.root)) {
    if (element.name !== 'configSections' && element.name !== 'configurationRedirection') diagnostics.report(ConfigErrors.redirectionUnknownElement, { element: element.name }, element.start);
  }
  const element = firstChildElement(document.root, 'configurationRedirection');
  const known = Object.keys(CONFIGURATION_REDIRECTION_SCHEMA);
  for (const attribute of element?.attributes ?? []) {
    if (!known.includes(attribute.name)) diagnostics.report(ConfigErrors.unknownAttribute, { element: 'configurationRedirection', attribute: attribute.name, known }, attribute.start);
  }
  const values = readAttributes<RedirectionAttributes>(CONFIGURATION_REDIRECTION_SCHEMA, [element], diagnostics);
  for (const name of ['userName', 'password'] as const) {
    const attribute = element && findAttribute(element, name);
    if (attribute && attribute.value !== '') diagnostics.report(ConfigErrors.redirectionCredentials, { attribute: name }, attribute.start);
  }
  let path = '';
  if (values.enabled && element) {
    const attribute = findAttribute(element, 'path');
    const raw = values.path.trim();
    const at = attribute?.start ?? element.start;
    const expanded = expandEnvironmentVariables(raw, dirname(file), env);
    if (raw === '') diagnostics.report(ConfigErrors.redirectionPath, { value: raw, reason: 'is empty: with enabled="true" it must name the shared folder' }, at);
    else if (/^(\\\\|\/\/)/.test(raw)) diagnostics.report(ConfigErrors.redirectionPath, { value: raw, reason: 'is a UNC name: on Linux the share must be mounted and path must name the mount point' }, at);
    else if (/^[A-Za-z]:/.test(expanded)) diagnostics.report(ConfigErrors.redirectionPath, { value: raw, reason: 'is a Windows drive path' }, at);
    else path = isAbsolute(expanded) ? resolve(expanded) : resolve(dirname(file), expanded);
  }
  if (diagnostics.issues.length > 0) throw new ConfigError([...diagnostics.issues].sort((a, b) => a.line - b.line || a.column - b.column));
  if (!values.enabled || !element) return null;
  return {
    file,
    path,
    sharedFile: join(path, APPLICATION_HOST_CONFIG_NAME),
    pollingPeriodMs: values.pollingPeriod,
    enableUncPolling: values.enableUncPolling,
  };
}
