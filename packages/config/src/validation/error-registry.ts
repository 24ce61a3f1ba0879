// Every configuration error poolhost reports, in one place: a stable code, the message naming the bad
// value, and the hint saying how to fix it (STYLE.md "One error registry").

import { formatTimeSpan } from '../values/time-span.js';

export interface ErrorDefinition<P> {
  code: string;
  message: (params: P) => string;
  hint: (params: P) => string;
}

const define = <P>(code: string, message: (params: P) => string, hint: (params: P) => string): ErrorDefinition<P> => ({ code, message, hint });

type Attr = { attribute: string; value: string };
const seconds = (s: number): string => formatTimeSpan(s * 1000);
const list = (values: readonly string[]): string => values.join(', ');

export const ConfigErrors = {
  xmlMalformed: define<{ detail: string }>(
    'POOLHOST_CONFIG_XML_MALFORMED',
    (p) => `the file is not well-formed XML: ${p.detail}`,
    () => 'correct the XML syntax at this position (quotes around attribute values, every element closed, one root element)',
  ),
  rootNotConfiguration: define<{ name: string }>(
    'POOLHOST_CONFIG_ROOT_ELEMENT',
    (p) => `the root element is <${p.name}>, not <configuration>`,
    () => 'wrap the file in <configuration> ... </configuration>',
  ),
  notBoolean: define<Attr>(
    'POOLHOST_CONFIG_NOT_BOOLEAN',
    (p) => `${p.attribute}="${p.value}" is not a boolean`,
    (p) => `write ${p.attribute}="true" or ${p.attribute}="false"`,
  ),
  notNumber: define<Attr>(
    'POOLHOST_CONFIG_NOT_NUMBER',
    (p) => `${p.attribute}="${p.value}" is not a whole number`,
    (p) => `write ${p.attribute} as decimal digits only, e.g. ${p.attribute}="1000"`,
  ),
  outOfRange: define<Attr & { min: number; max: number }>(
    'POOLHOST_CONFIG_OUT_OF_RANGE',
    (p) => `${p.attribute}="${p.value}" is out of range: it must be between ${p.min} and ${p.max}`,
    (p) => `set ${p.attribute} to a whole number from ${p.min} to ${p.max}`,
  ),
  notEnum: define<Attr & { values: readonly string[] }>(
    'POOLHOST_CONFIG_NOT_ENUM',
    (p) => `${p.attribute}="${p.value}" is not one of ${list(p.values)}`,
    (p) => `use one of ${list(p.values)} (case does not matter)`,
  ),
  notFlags: define<Attr & { unknown: string; values: readonly string[] }>(
    'POOLHOST_CONFIG_NOT_FLAGS',
    (p) => `${p.attribute}="${p.value}" contains "${p.unknown}", which is not a known flag`,
    (p) => `write a comma-separated list of ${list(p.values)}`,
  ),
  notTimeSpan: define<Attr & { detail: string }>(
    'POOLHOST_CONFIG_NOT_TIMESPAN',
    (p) => `${p.attribute}="${p.value}" is not a timeSpan (${p.detail})`,
    (p) => `write ${p.attribute} as hh:mm:ss or d.hh:mm:ss, e.g. ${p.attribute}="00:20:00"`,
  ),
  timeSpanOutOfRange: define<Attr & { minSeconds: number; maxSeconds: number }>(
    'POOLHOST_CONFIG_TIMESPAN_OUT_OF_RANGE',
    (p) => `${p.attribute}="${p.value}" is out of range: it must be between ${seconds(p.minSeconds)} and ${seconds(p.maxSeconds)}`,
    (p) => `set ${p.attribute} to a timeSpan from ${seconds(p.minSeconds)} to ${seconds(p.maxSeconds)}`,
  ),
  timeSpanGranularity: define<Attr & { granularitySeconds: number }>(
    'POOLHOST_CONFIG_TIMESPAN_GRANULARITY',
    (p) => `${p.attribute}="${p.value}" is not a whole number of ${p.granularitySeconds === 60 ? 'minutes' : `${p.granularitySeconds}-second steps`}`,
    (p) => `round ${p.attribute} to ${p.granularitySeconds === 60 ? 'whole minutes, e.g. 00:05:00' : `a multiple of ${p.granularitySeconds} seconds`}`,
  ),
  emptyValue: define<Attr>(
    'POOLHOST_CONFIG_EMPTY_VALUE',
    (p) => `${p.attribute}="${p.value}" must not be empty`,
    (p) => `give ${p.attribute} a value`,
  ),
  missingAttribute: define<{ element: string; attribute: string }>(
    'POOLHOST_CONFIG_MISSING_ATTRIBUTE',
    (p) => `<${p.element}> has no ${p.attribute} attribute, which is required`,
    (p) => `add ${p.attribute}="..." to this <${p.element}>`,
  ),
  invalidPoolName: define<{ value: string; character: string }>(
    'POOLHOST_CONFIG_POOL_NAME_INVALID',
    (p) => `application pool name "${p.value}" contains "${p.character}", which IIS does not allow in pool names`,
    () => 'rename the pool without any of the characters | < > & " / [ ] + = ; : , ? * @',
  ),
  invalidSiteName: define<{ value: string; character: string }>(
    'POOLHOST_CONFIG_SITE_NAME_INVALID',
    (p) => `site name "${p.value}" contains "${p.character}", which IIS does not allow in site names`,
    () => 'rename the site without "/" or "?"',
  ),
  duplicatePool: define<{ value: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_POOL',
    (p) => `application pool "${p.value}" is declared twice (first at ${p.first})`,
    () => 'remove one of the two <add> elements or give it another name (pool names are case-insensitive)',
  ),
  duplicateSiteName: define<{ value: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_SITE_NAME',
    (p) => `site name "${p.value}" is used twice (first at ${p.first})`,
    () => 'give every <site> a unique name',
  ),
  duplicateSiteId: define<{ value: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_SITE_ID',
    (p) => `site id="${p.value}" is used twice (first at ${p.first})`,
    () => 'give every <site> a unique id (log folders are named W3SVC<id>)',
  ),
  duplicateBinding: define<{ value: string; site: string; otherSite: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_BINDING',
    (p) => `binding "${p.value}" of site "${p.site}" is already used by site "${p.otherSite}" (at ${p.first})`,
    () => 'change the port, IP address or host name of one of the two bindings',
  ),
  tlsVersionFlagsDiffer: define<{ value: string; sslFlags: number; site: string; other: string; otherSslFlags: number; otherSite: string; first: string; port: number }>(
    'POOLHOST_CONFIG_TLS_VERSION_FLAGS_DIFFER',
    (p) =>
      `binding "${p.value}" of site "${p.site}" has sslFlags="${p.sslFlags}" but "${p.other}" of site "${p.otherSite}" (at ${p.first}) has sslFlags="${p.otherSslFlags}": ` +
      `TLS 1.3 is disabled (sslFlags 32) on one and not the other, and the TLS version is chosen per port (${p.port}) before the host name is known`,
    (p) => `give every https binding of port ${p.port} the same sslFlags bit 32 (DisableTLS13), or move one of them to another port`,
  ),
  proxyProtocolDiffers: define<{ value: string; proxyProtocol: string; site: string; other: string; otherProxyProtocol: string; otherSite: string; first: string; port: number }>(
    'POOLHOST_CONFIG_PROXY_PROTOCOL_DIFFERS',
    (p) =>
      `binding "${p.value}" of site "${p.site}" has proxyProtocol="${p.proxyProtocol}" but "${p.other}" of site "${p.otherSite}" (at ${p.first}) has proxyProtocol="${p.otherProxyProtocol}": ` +
      `the PROXY header comes first on a connection, before anything names a binding, so it is a property of the port (${p.port})`,
    (p) => `give every binding of port ${p.port} the same proxyProtocol, or move one of them to another port`,
  ),
  proxyProtocolBinding: define<{ value: string }>(
    'POOLHOST_CONFIG_PROXY_PROTOCOL_BINDING',
    (p) => `binding "${p.value}" has proxyProtocol="required", which only http and https bindings take`,
    () => 'remove proxyProtocol from this binding',
  ),
  // IIS's own wording (WAS event 5189 / 500.19 "Config Error"), naming the element poolhost read it on.
  unknownAttribute: define<{ element: string; attribute: string; known: readonly string[] }>(
    'POOLHOST_CONFIG_UNKNOWN_ATTRIBUTE',
    (p) => `Unrecognized attribute '${p.attribute}' on <${p.element}>. Note that attribute names are case-sensitive`,
    (p) => `remove it, or check its spelling; <${p.element}> takes ${list(p.known)}`,
  ),
  // A warning, not an error: IIS defines the attribute, so real IIS files keep loading.
  notHonoured: define<{ element: string; attribute: string; value: string; reason: string; inert: string }>(
    'POOLHOST_CONFIG_NOT_HONOURED',
    (p) => `IIS setting ${p.element}@${p.attribute}="${p.value}" is not honoured by poolhost because ${p.reason}`,
    (p) => `remove ${p.attribute} (or set it to ${p.inert === '' ? 'an empty string' : `"${p.inert}"`}) to silence this warning; poolhost runs as if it were absent`,
  ),
  notHonouredSection: define<{ section: string; entry: string; reason: string }>(
    'POOLHOST_CONFIG_NOT_HONOURED',
    (p) => `IIS section ${p.section} has <${p.entry}> entries, which are not honoured by poolhost because ${p.reason}`,
    (p) => `remove the <${p.entry}> entries (or the section) to silence this warning; poolhost runs as if they were absent`,
  ),
  notHonouredEntry: define<{ element: string; entry: string; reason: string }>(
    'POOLHOST_CONFIG_NOT_HONOURED',
    (p) => `IIS <${p.element}> entry ${p.entry} is not honoured by poolhost because ${p.reason}`,
    () => 'remove the entry to silence this warning; poolhost runs as if it were absent',
  ),
  redirectionUnknownElement: define<{ element: string }>(
    'POOLHOST_CONFIG_REDIRECTION_UNKNOWN_ELEMENT',
    (p) => `redirection.config has no element <${p.element}>; poolhost would not honour it`,
    () => 'redirection.config holds <configSections> (optional) and one <configurationRedirection enabled="true" path="/shared/folder" /> inside <configuration>',
  ),
  redirectionCredentials: define<{ attribute: string }>(
    'POOLHOST_CONFIG_REDIRECTION_CREDENTIALS',
    (p) => `configurationRedirection ${p.attribute} is not supported on Linux: poolhost does not log on to shares, it reads the shared folder as a local path`,
    () =>
      'mount the share with its credentials (e.g. mount -t cifs //server/share /shared -o credentials=/root/.smbcredentials, or NFS with Kerberos), set path to the mount point, and remove userName and password (leave them empty)',
  ),
  redirectionPath: define<{ value: string; reason: string }>(
    'POOLHOST_CONFIG_REDIRECTION_PATH',
    (p) => `configurationRedirection path="${p.value}" ${p.reason}`,
    () => 'set path to the folder (a mounted share) that holds the shared applicationHost.config, e.g. path="/mnt/iis-shared"',
  ),
  acmeBinding: define<{ value: string; reason: string }>(
    'POOLHOST_CONFIG_ACME_BINDING',
    (p) => `binding "${p.value}" has certificateSource="acme", but ${p.reason}`,
    () =>
      'automatic certificates need an https binding with one host name (a wildcard *.name only with challengeType="dns-01") and an <automaticCertificates directoryUrl="..."> in system.applicationHost',
  ),
  acmeChallengeAttribute: define<{ attribute: string; challengeType: string }>(
    'POOLHOST_CONFIG_ACME_CHALLENGE_ATTRIBUTE',
    (p) => `${p.attribute} is a setting of challengeType="dns-01", but this <automaticCertificates> validates with challengeType="${p.challengeType}"`,
    (p) => `remove ${p.attribute}, or set challengeType="dns-01" to validate names with the DNS script`,
  ),
  acmeDirectoryUrl: define<{ value: string }>(
    'POOLHOST_CONFIG_ACME_DIRECTORY_URL',
    (p) => `directoryUrl="${p.value}" is not an https URL`,
    () => 'write the ACME directory URL of your CA, e.g. directoryUrl="https://acme-v02.api.letsencrypt.org/directory" (RFC 8555 §6.1: ACME is served over HTTPS)',
  ),
  duplicateApplication: define<{ value: string; site: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_APPLICATION',
    (p) => `application path="${p.value}" appears twice in site "${p.site}" (first at ${p.first})`,
    () => 'remove or rename one of the two <application> elements',
  ),
  duplicateVirtualDirectory: define<{ value: string; application: string; first: string }>(
    'POOLHOST_CONFIG_DUPLICATE_VIRTUAL_DIRECTORY',
    (p) => `virtual directory path="${p.value}" appears twice in application "${p.application}" (first at ${p.first})`,
    () => 'remove or rename one of the two <virtualDirectory> elements',
  ),
  invalidBindingInformation: define<{ value: string; reason: string }>(
    'POOLHOST_CONFIG_BINDING_INFORMATION_INVALID',
    (p) => `bindingInformation="${p.value}" is invalid: ${p.reason}`,
    () => 'write bindingInformation as IP:port:host, e.g. "*:80:" or "*:8080:www.contoso.com" or "[::1]:443:"',
  ),
  invalidNetTcpBindingInformation: define<{ value: string; reason: string }>(
    'POOLHOST_CONFIG_NET_TCP_BINDING_INVALID',
    (p) => `net.tcp bindingInformation="${p.value}" is invalid: ${p.reason}`,
    () => 'write a net.tcp binding as PORT:* or PORT:IP, e.g. "808:*", "9000:127.0.0.1" or "9000:[::1]"',
  ),
  invalidEnabledProtocols: define<{ value: string; reason: string }>(
    'POOLHOST_CONFIG_ENABLED_PROTOCOLS_INVALID',
    (p) => `enabledProtocols="${p.value}" is invalid: ${p.reason}`,
    () => 'write a comma-separated list of protocol names, e.g. "http" or "http,net.tcp"',
  ),
  netTcpApplicationsAmbiguous: define<{ site: string; application: string; other: string }>(
    'POOLHOST_CONFIG_NET_TCP_APPLICATION_AMBIGUOUS',
    (p) => `applications "${p.other}" and "${p.application}" of site "${p.site}" both enable net.tcp: a raw TCP connection carries no path, so one application per site receives the site's net.tcp connections`,
    (p) => `remove net.tcp from the enabledProtocols of one of them, or give "${p.application}" a site of its own with its own net.tcp binding`,
  ),
  portSharedAcrossProtocols: define<{ value: string; site: string; other: string; otherSite: string; first: string }>(
    'POOLHOST_CONFIG_PORT_SHARED_ACROSS_PROTOCOLS',
    (p) => `binding "${p.value}" of site "${p.site}" listens on the same port and address as "${p.other}" of site "${p.otherSite}" (at ${p.first}); a net.tcp port belongs to one site and no other protocol`,
    () => 'give the net.tcp binding a port of its own (or an IP address no other binding of that port uses)',
  ),
  listenerAdapterMissing: define<{ value: string; protocol: string }>(
    'POOLHOST_CONFIG_LISTENER_ADAPTER_MISSING',
    (p) => `binding "${p.value}" needs the ${p.protocol} listener adapter, and <listenerAdapters> does not list it: nothing would listen on it`,
    (p) => `add <add name="${p.protocol}" /> to system.applicationHost/listenerAdapters, or remove the binding`,
  ),
  invalidApplicationPath: define<{ value: string; kind: 'application' | 'virtualDirectory'; reason: string }>(
    'POOLHOST_CONFIG_PATH_INVALID',
    (p) => `${p.kind === 'application' ? 'application' : 'virtual directory'} path="${p.value}" is invalid: ${p.reason}`,
    () => 'write the path as "/" or "/name/sub": it starts with "/", has no trailing "/" and no "." or ".." segment',
  ),
} as const;

export type ConfigErrorName = keyof typeof ConfigErrors;
