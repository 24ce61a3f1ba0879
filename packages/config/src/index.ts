// Public API of @poolhost/config: the only place in poolhost that knows the applicationHost.config format.

export type * from './model.js';
export type * from './web-server/model.js';

export { loadApplicationHostConfig, parseApplicationHostConfig, type LoadOptions } from './application-host/load-application-host-config.js';
export { parseBindingInformation, type ParsedBindingInformation } from './application-host/binding-information.js';
export { parseNetTcpBindingInformation } from './application-host/net-tcp-binding-information.js';
export {
  LISTENER_ADAPTER_PROTOCOLS,
  listenerProtocolOf,
  enabledProtocolsOf,
  applicationServesProtocol,
  applicationPoolProtocols,
  listenerAdaptersToStart,
  listenerAdapterNames,
  type ListenerProtocol,
} from './application-host/listener-protocols.js';
export { ConfigError, formatIssue, type ConfigIssue } from './validation/config-error.js';
export { ConfigErrors, type ErrorDefinition, type ConfigErrorName } from './validation/error-registry.js';
export { parseTimeSpan, formatTimeSpan } from './values/time-span.js';
export { mapPhysicalPath, expandEnvironmentVariables, type Environment } from './paths/map-physical-path.js';

export { EffectiveConfigCache, getEffectiveWebServerConfig, type EffectiveConfigOptions } from './web-server/effective-config.js';
export { resolveUrl, type ResolvedUrl } from './web-server/resolve-url.js';
export { parseWebConfig } from './web-server/read-web-config.js';
export { readAppSettings } from './web-server/app-settings.js';
export { LOCKED_SECTION_MESSAGE, ERROR_CODES as CONFIGURATION_ERROR_CODES } from './web-server/configuration-fault.js';

export { ConfigDocument, ConfigElement, type CollectionKey } from './editing/config-document.js';
export { writeFileAtomic } from './editing/atomic-write.js';
export { lockConfigFile, ConfigLockTimeoutError, type ConfigLock } from './editing/config-lock.js';

export {
  diffApplicationHostConfig,
  type ApplicationHostConfigDiff,
  type ObjectSetDiff,
  type ObjectChange,
  type BindingKey,
  type ApplicationKey,
  type VirtualDirectoryKey,
} from './diff/diff-application-host-config.js';
export {
  describeElement,
  describeCollection,
  checkAttributeValue,
  parseAttributeValue,
  formatAttributeValue,
  type ElementDescription,
  type CollectionDescription,
  type AttributeSpec,
  type AttributeType,
  type ElementSchema,
} from './editing/element-schemas.js';

export {
  formatSslCertKey,
  sameSslCertKey,
  SSL_FLAG_DISABLE_TLS13,
  SSL_FLAG_DISABLE_LEGACY_TLS,
  type SslCertBinding,
  type SslCertKey,
  type SslCertKeyKind,
} from './ssl-store/ssl-store-model.js';
export { parseSslCertKey, SSL_CERT_KEY_KINDS, type ParsedSslCertKey } from './ssl-store/parse-ssl-cert-key.js';
export {
  readSslStore,
  parseSslStore,
  serializeSslStore,
  writeSslStore,
  sslStorePath,
  DEFAULT_APP_ID,
  SSL_CERT_PARAMETERS,
  type SslStoreReadResult,
} from './ssl-store/ssl-store-file.js';
export { httpBindingFor } from './application-host/server-elements.js';

export {
  readConfigurationRedirection,
  parseConfigurationRedirection,
  redirectionConfigPath,
  REDIRECTION_CONFIG_NAME,
  type ConfigurationRedirection,
} from './redirection/redirection-config.js';
export { configurationGeneration } from './redirection/configuration-generation.js';
export { redirectionChange, type RedirectionChange, type RedirectionChangeInput } from './redirection/redirection-change.js';
export { decodeConfigBytes } from './xml/xml-document.js';
export { sharedConfigurationCachePath, readSharedConfigurationCache, writeSharedConfigurationCache } from './redirection/shared-configuration-cache.js';
export {
  loadServedConfiguration,
  describeSharedConfigurationProblem,
  SharedConfigurationUnavailableError,
  type ServedConfiguration,
  type ConfigurationSource,
} from './redirection/served-configuration.js';
