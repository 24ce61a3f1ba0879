// `webLimits` and poolhost's `httpSys` extension element, both directly under system.applicationHost.

import { isAbsolute, resolve } from 'node:path';
import type { AutomaticCertificates, HttpSysParameters, Site, WebLimits, WebManagement } from '../model.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { checkAttributeNames } from '../validation/attribute-names.js';
import { readAttributes } from '../validation/read-attributes.js';
import { findAttribute, type XmlElement } from '../xml/xml-node.js';
import { child, mapPath, type ReadContext } from './read-context.js';
import { DEFAULT_LOG_DIRECTORY } from './schema/site-schema.js';
import { AUTOMATIC_CERTIFICATES_SCHEMA, DNS_CHALLENGE_ATTRIBUTES, HTTP_SYS_SCHEMA, WEB_LIMITS_SCHEMA, WEB_MANAGEMENT_SCHEMA } from './schema/server-schema.js';
import { certificateSourceOffset } from './sites.js';
import { ELEMENT_ATTRIBUTES } from './schema/element-attributes.js';

export function readWebLimits(applicationHost: XmlElement | undefined, context: ReadContext): WebLimits {
  const element = child(applicationHost, 'webLimits');
  checkAttributeNames(element, ELEMENT_ATTRIBUTES.webLimits, context.diagnostics);
  return readAttributes<WebLimits>(WEB_LIMITS_SCHEMA, [element], context.diagnostics);
}

/** poolhost's `webManagement` extension: the administration address (IIS keeps it in the registry). */
export function readWebManagement(applicationHost: XmlElement | undefined, context: ReadContext): WebManagement {
  const element = child(applicationHost, 'webManagement');
  checkAttributeNames(element, ELEMENT_ATTRIBUTES.webManagement, context.diagnostics);
  return readAttributes<WebManagement>(WEB_MANAGEMENT_SCHEMA, [element], context.diagnostics);
}

/** HTTPERR logs default to `<logs>/HTTPERR`, logs being where `%SystemDrive%\inetpub\logs\LogFiles` maps to. */
export function readHttpSys(applicationHost: XmlElement | undefined, context: ReadContext): HttpSysParameters {
  const element = child(applicationHost, 'httpSys');
  // httpSys is poolhost's own element: a name it does not know (a misspelt enableHttp2Cleartext) is an error, never ignored.
  checkAttributeNames(element, ELEMENT_ATTRIBUTES.httpSys, context.diagnostics);
  const parameters = readAttributes<HttpSysParameters>(HTTP_SYS_SCHEMA, [element], context.diagnostics);
  parameters.errorLoggingDir =
    parameters.errorLoggingDir.trim() === '' ? `${mapPath(context, DEFAULT_LOG_DIRECTORY)}/HTTPERR` : mapPath(context, parameters.errorLoggingDir);
  return parameters;
}

/**
 * poolhost's `automaticCertificates` extension (ACME). Its own element: an attribute it does not know is
 * refused, never kept and ignored. Bindings with certificateSource="acme" need it.
 */
export function readAutomaticCertificates(applicationHost: XmlElement | undefined, sites: readonly Site[], context: ReadContext): AutomaticCertificates | undefined {
  const element = child(applicationHost, 'automaticCertificates');
  const d = context.diagnostics;
  if (element) {
    checkAttributeNames(element, ELEMENT_ATTRIBUTES.automaticCertificates, d);
    const directoryUrl = findAttribute(element, 'directoryUrl');
    if (!directoryUrl) d.report(ConfigErrors.missingAttribute, { element: 'automaticCertificates', attribute: 'directoryUrl' }, element.start);
    else if (!/^https:\/\/[^/\s]+/i.test(directoryUrl.value)) d.report(ConfigErrors.acmeDirectoryUrl, { value: directoryUrl.value }, directoryUrl.start);
    checkChallengeAttributes(element, d);
  }
  const challengeType = element ? challengeTypeOf(element) : 'http-01';
  for (const site of sites) {
    for (const binding of site.bindings) {
      if (binding.certificateSource !== 'acme') continue;
      const value = `https/${binding.bindingInformation}`;
      if (!element) {
        d.report(ConfigErrors.acmeBinding, { value, reason: 'system.applicationHost has no <automaticCertificates> element' }, certificateSourceOffset(binding));
      } else if (binding.host.startsWith('*.') && challengeType !== 'dns-01') {
        // RFC 8555 §7.1.3: a CA validates a wildcard name through DNS only.
        const reason = `a wildcard name is validated by dns-01 only, and <automaticCertificates> has challengeType="${challengeType}"`;
        d.report(ConfigErrors.acmeBinding, { value, reason }, certificateSourceOffset(binding));
      } else if (challengeType === 'http-01' && !httpBindingFor(site, binding.host)) {
        // HTTP-01 is fetched over http on port 80 (or the CA's validation port) with this host name.
        const reason = `site "${site.name}" has no http binding for host "${binding.host}" to answer the HTTP-01 challenge on`;
        d.report(ConfigErrors.acmeBinding, { value, reason }, certificateSourceOffset(binding));
      }
    }
  }
  if (!element) return undefined;
  const settings = readAttributes<AutomaticCertificates>(AUTOMATIC_CERTIFICATES_SCHEMA, [element], d);
  const folder = settings.certificateStoreLocation.trim();
  settings.certificateStoreLocation = folder === '' ? resolve(context.configDirectory, 'acme') : resolve(context.configDirectory, mapPath(context, folder));
  if (settings.caBundle.trim() !== '' && !isAbsolute(settings.caBundle)) settings.caBundle = resolve(context.configDirectory, settings.caBundle);
  for (const script of ['dnsCreateScript', 'dnsDeleteScript'] as const) {
    if (settings[script].trim() !== '') settings[script] = resolve(context.configDirectory, mapPath(context, settings[script].trim()));
  }
  return settings;
}

/** challengeType as written (enums are case-insensitive), for the checks that run before the typed read. */
function challengeTypeOf(element: XmlElement): string {
  return findAttribute(element, 'challengeType')?.value.trim().toLowerCase() ?? 'http-01';
}

/** dns-01 needs its create script; its settings with another challenge type would not be honoured. */
function checkChallengeAttributes(element: XmlElement, d: ReadContext['diagnostics']): void {
  const challengeType = challengeTypeOf(element);
  if (challengeType === 'dns-01') {
    const script = findAttribute(element, 'dnsCreateScript');
    if (!script || script.value.trim() === '') d.report(ConfigErrors.missingAttribute, { element: 'automaticCertificates', attribute: 'dnsCreateScript' }, (script ?? element).start);
    return;
  }
  for (const name of DNS_CHALLENGE_ATTRIBUTES) {
    const attribute = findAttribute(element, name);
    if (attribute) d.report(ConfigErrors.acmeChallengeAttribute, { attribute: name, challengeType }, attribute.start);
  }
}

/** The site's http binding that answers requests for `host` (its own name, else one with no host name). */
export function httpBindingFor(site: Site, host: string): Site['bindings'][number] | undefined {
  const http = site.bindings.filter((binding) => binding.protocol === 'http');
  return http.find((binding) => binding.host === host) ?? http.find((binding) => binding.host === '');
}
