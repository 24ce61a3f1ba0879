// Which system.webServer sections may be set in web.config, as registered by a shipped IIS 10
// applicationHost.config (reference §5). Used when a file's own <configSections> does not say.

import type { AllowDefinition, SectionDefinition } from './model.js';

/** Section groups under system.webServer; everything else directly below it is a section. */
export const BUILT_IN_SECTION_GROUPS = [
  'system.webServer',
  'system.webServer/security',
  'system.webServer/security/authentication',
  'system.webServer/tracing',
  'system.webServer/webdav',
  'system.webServer/rewrite',
  'system.webServer/management',
];

const deny = (allowDefinition: AllowDefinition = 'Everywhere') => ({ overrideModeDefault: 'Deny' as const, allowDefinition });

const BUILT_IN: Record<string, Omit<SectionDefinition, 'path'>> = {
  asp: deny(),
  cgi: deny(),
  fastCgi: deny('AppHostOnly'),
  globalModules: deny('AppHostOnly'),
  handlers: deny(),
  httpLogging: deny(),
  httpTracing: deny(),
  isapiFilters: deny('MachineToApplication'),
  modules: deny('MachineToApplication'),
  odbcLogging: deny(),
  'security/access': deny(),
  'security/applicationDependencies': deny(),
  'security/authentication/anonymousAuthentication': deny(),
  'security/authentication/basicAuthentication': deny(),
  'security/authentication/clientCertificateMappingAuthentication': deny(),
  'security/authentication/digestAuthentication': deny(),
  'security/authentication/iisClientCertificateMappingAuthentication': deny(),
  'security/authentication/windowsAuthentication': deny(),
  'security/ipSecurity': deny(),
  'security/dynamicIpSecurity': deny(),
  'security/isapiCgiRestriction': deny('AppHostOnly'),
  serverRuntime: deny(),
  serverSideInclude: deny(),
  'tracing/traceProviderDefinitions': deny(),
  'webdav/globalSettings': deny(),
  'webdav/authoring': deny(),
  'webdav/authoringRules': deny(),
  webSocket: deny(),
};

export function builtInSectionDefinition(path: string): SectionDefinition {
  const relative = path.startsWith('system.webServer/') ? path.slice('system.webServer/'.length) : path;
  const known = BUILT_IN[relative];
  return { path, ...(known ?? { overrideModeDefault: 'Allow', allowDefinition: 'Everywhere' }) };
}
