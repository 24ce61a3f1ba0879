// `system.applicationHost/sites` → Site[], with siteDefaults, applicationDefaults and
// virtualDirectoryDefaults applied (global ones under <sites>, per-site ones inside <site>, and
// virtualDirectoryDefaults inside <application>).

import type { Application, Binding, LogFile, Site, SiteHsts, TraceFailedRequestsLogging, VirtualDirectory } from '../model.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { checkAttributeNames } from '../validation/attribute-names.js';
import { readAttributes } from '../validation/read-attributes.js';
import { parseAttributeValue, UINT_MAX } from '../values/attribute-type.js';
import type { XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import { parseBindingInformation, usesHttpBindingForm } from './binding-information.js';
import { parseNetTcpBindingInformation } from './net-tcp-binding-information.js';
import { enabledProtocolsProblem } from './listener-protocols.js';
import { child, mapPath, positionOf, type ReadContext } from './read-context.js';
import {
  APPLICATION_SCHEMA,
  BINDING_SCHEMA,
  HSTS_SCHEMA,
  LOG_FILE_SCHEMA,
  SITE_LIMITS_SCHEMA,
  SITE_SCHEMA,
  TRACE_FAILED_REQUESTS_LOGGING_SCHEMA,
  VIRTUAL_DIRECTORY_SCHEMA,
} from './schema/site-schema.js';
import { ELEMENT_ATTRIBUTES } from './schema/element-attributes.js';
import { urlPathProblem } from './url-path-rules.js';
import { SSL_FLAG_DISABLE_TLS13 } from '../ssl-store/ssl-store-model.js';

// Where each binding's bindingInformation attribute sits, for the cross-site duplicate check.
const bindingOffsets = new WeakMap<Binding, number>();
// Where each certificateSource="acme" sits, for the check that <automaticCertificates> exists.
const certificateSourceOffsets = new WeakMap<Binding, number>();

/** One host name, or a wildcard `*.name` (RFC 8555 §7.1.3: only the whole leftmost label). */
function isCertificateName(host: string): boolean {
  return host !== '' && !host.slice(host.startsWith('*.') ? 2 : 0).includes('*');
}

/** The offset of a binding's bindingInformation attribute. */
export function bindingInformationOffset(binding: Binding): number {
  return bindingOffsets.get(binding) ?? 0;
}

// Where each application's enabledProtocols attribute (else the element) sits, for the net.tcp checks.
const enabledProtocolsOffsets = new WeakMap<Application, number>();

/** The offset of an application's enabledProtocols attribute (or of the element when it inherits it). */
export function enabledProtocolsOffset(application: Application): number {
  return enabledProtocolsOffsets.get(application) ?? 0;
}

/** The offset of a binding's certificateSource="acme" attribute. */
export function certificateSourceOffset(binding: Binding): number {
  return certificateSourceOffsets.get(binding) ?? 0;
}

// Where each binding's sslFlags attribute (else the element) sits, for the per-port TLS version check.
const sslFlagsOffsets = new WeakMap<Binding, number>();
// Where each binding's proxyProtocol attribute (else the element) sits, for the per-port PROXY check.
const proxyProtocolOffsets = new WeakMap<Binding, number>();

/** `poolNames` are the declared pools (lower-cased → as declared), for each application's applicationPool. */
export function readSites(section: XmlElement | undefined, context: ReadContext, poolNames: Map<string, string>): Site[] {
  const siteDefaults = child(section, 'siteDefaults');
  const globalApplicationDefaults = child(section, 'applicationDefaults');
  const globalVirtualDirectoryDefaults = child(section, 'virtualDirectoryDefaults');
  const sites: Site[] = [];
  const names = new Map<string, XmlElement>();
  const ids = new Map<number, XmlElement>();
  const bindingOwners = new Map<string, { site: string; offset: number }>();
  const tlsVersionOwners = new Map<number, { site: string; binding: Binding }>();
  const proxyProtocolOwners = new Map<number, { site: string; binding: Binding }>();
  const d = context.diagnostics;
  checkAttributeNames(section, ELEMENT_ATTRIBUTES.sites, d);
  checkAttributeNames(siteDefaults, ELEMENT_ATTRIBUTES.siteDefaults, d);
  checkSiteChildren(siteDefaults, context);
  checkAttributeNames(globalApplicationDefaults, ELEMENT_ATTRIBUTES.applicationDefaults, d);
  checkAttributeNames(globalVirtualDirectoryDefaults, ELEMENT_ATTRIBUTES.virtualDirectoryDefaults, d);
  for (const element of section ? childElements(section, 'site') : []) {
    const site = readSite(element, siteDefaults, globalApplicationDefaults, globalVirtualDirectoryDefaults, context, poolNames);
    if (!site) continue;
    const nameAttribute = findAttribute(element, 'name')!;
    const idAttribute = findAttribute(element, 'id')!;
    const sameName = names.get(site.name.toLowerCase());
    const sameId = ids.get(site.id);
    if (sameName) {
      context.diagnostics.report(ConfigErrors.duplicateSiteName, { value: site.name, first: context.diagnostics.where(sameName.start) }, nameAttribute.start);
      continue;
    }
    if (sameId) {
      context.diagnostics.report(ConfigErrors.duplicateSiteId, { value: String(site.id), first: context.diagnostics.where(sameId.start) }, idAttribute.start);
      continue;
    }
    names.set(site.name.toLowerCase(), element);
    ids.set(site.id, element);
    for (const binding of site.bindings) {
      const key = binding.port ? `${binding.protocol}|${binding.ip}|${binding.port}|${binding.host}` : `${binding.protocol}|${binding.bindingInformation.toLowerCase()}`;
      const owner = bindingOwners.get(key);
      const offset = bindingOffsets.get(binding)!;
      if (owner && owner.site !== site.name) {
        const params = { value: `${binding.protocol}/${binding.bindingInformation}`, site: site.name, otherSite: owner.site, first: context.diagnostics.where(owner.offset) };
        context.diagnostics.report(ConfigErrors.duplicateBinding, params, offset);
      } else if (!owner) bindingOwners.set(key, { site: site.name, offset });
      if (binding.protocol === 'https' && binding.port) checkTlsVersionFlags(binding, site.name, tlsVersionOwners, context);
      if ((binding.protocol === 'http' || binding.protocol === 'https') && binding.port) checkProxyProtocol(binding, site.name, proxyProtocolOwners, context);
    }
    sites.push(site);
  }
  return sites;
}

// OpenSSL picks the TLS version before the SNI name picks a certificate, so the versions are a property of
// the port's listening socket: every https binding of a port must say the same about TLS 1.3.
function checkTlsVersionFlags(binding: Binding, site: string, owners: Map<number, { site: string; binding: Binding }>, context: ReadContext): void {
  const first = owners.get(binding.port);
  if (!first) {
    owners.set(binding.port, { site, binding });
    return;
  }
  const disabled = (candidate: Binding): boolean => (candidate.sslFlags & SSL_FLAG_DISABLE_TLS13) !== 0;
  if (disabled(first.binding) === disabled(binding)) return;
  context.diagnostics.report(
    ConfigErrors.tlsVersionFlagsDiffer,
    {
      value: `https/${binding.bindingInformation}`,
      sslFlags: binding.sslFlags,
      site,
      other: `https/${first.binding.bindingInformation}`,
      otherSslFlags: first.binding.sslFlags,
      otherSite: first.site,
      first: context.diagnostics.where(sslFlagsOffsets.get(first.binding)!),
      port: binding.port,
    },
    sslFlagsOffsets.get(binding)!,
  );
}

// A PROXY protocol header comes before anything else on the connection, before the TLS ClientHello or
// the request line that would name the binding: it is a property of the port's listening socket.
function checkProxyProtocol(binding: Binding, site: string, owners: Map<number, { site: string; binding: Binding }>, context: ReadContext): void {
  const first = owners.get(binding.port);
  if (!first) {
    owners.set(binding.port, { site, binding });
    return;
  }
  if ((first.binding.proxyProtocol ?? 'none') === (binding.proxyProtocol ?? 'none')) return;
  context.diagnostics.report(
    ConfigErrors.proxyProtocolDiffers,
    {
      value: `${binding.protocol}/${binding.bindingInformation}`,
      proxyProtocol: binding.proxyProtocol ?? 'none',
      site,
      other: `${first.binding.protocol}/${first.binding.bindingInformation}`,
      otherProxyProtocol: first.binding.proxyProtocol ?? 'none',
      otherSite: first.site,
      first: context.diagnostics.where(proxyProtocolOffsets.get(first.binding)!),
      port: binding.port,
    },
    proxyProtocolOffsets.get(binding)!,
  );
}

/** The attribute names of a site's (or siteDefaults') single child elements. */
function checkSiteChildren(site: XmlElement | undefined, context: ReadContext): void {
  const d = context.diagnostics;
  checkAttributeNames(child(site, 'limits'), ELEMENT_ATTRIBUTES.limits, d);
  checkAttributeNames(child(site, 'logFile'), ELEMENT_ATTRIBUTES.logFile, d);
  checkAttributeNames(child(site, 'traceFailedRequestsLogging'), ELEMENT_ATTRIBUTES.traceFailedRequestsLogging, d);
  checkAttributeNames(child(site, 'hsts'), ELEMENT_ATTRIBUTES.hsts, d);
  // IIS 8.5's custom W3C fields: IIS_schema.xml defines them, poolhost's W3C log has logExtFileFlags' fields only.
  const customFields = child(child(site, 'logFile'), 'customFields');
  const customField = customFields ? childElements(customFields, 'add')[0] : undefined;
  if (customField) d.warn(ConfigErrors.notHonouredEntry, { element: 'logFile/customFields', entry: `<add logFieldName="${findAttribute(customField, 'logFieldName')?.value ?? ''}">`, reason: CUSTOM_FIELDS }, customField.start);
}

const CUSTOM_FIELDS = 'the W3C log is written with the logExtFileFlags fields only; custom fields (request or response headers, server variables) are not logged';
const NO_FTP = 'poolhost has no FTP service (IIS\'s FTP server is ftpsvc, not W3SVC): nothing listens on the binding, and the site\'s <ftpServer> settings are not read';

function readSite(
  element: XmlElement,
  siteDefaults: XmlElement | undefined,
  globalApplicationDefaults: XmlElement | undefined,
  globalVirtualDirectoryDefaults: XmlElement | undefined,
  context: ReadContext,
  poolNames: Map<string, string>,
): Site | undefined {
  const d = context.diagnostics;
  checkAttributeNames(element, ELEMENT_ATTRIBUTES.site, d);
  checkSiteChildren(element, context);
  checkAttributeNames(child(element, 'applicationDefaults'), ELEMENT_ATTRIBUTES.applicationDefaults, d);
  checkAttributeNames(child(element, 'virtualDirectoryDefaults'), ELEMENT_ATTRIBUTES.virtualDirectoryDefaults, d);
  const nameAttribute = findAttribute(element, 'name');
  const idAttribute = findAttribute(element, 'id');
  if (!nameAttribute || nameAttribute.value.trim() === '') {
    d.report(ConfigErrors.missingAttribute, { element: 'site', attribute: 'name' }, element.start);
    return undefined;
  }
  const name = nameAttribute.value;
  const forbidden = [...name].find((character) => character === '/' || character === '?');
  if (forbidden) d.report(ConfigErrors.invalidSiteName, { value: name, character: forbidden }, nameAttribute.start);
  if (!idAttribute) {
    d.report(ConfigErrors.missingAttribute, { element: 'site', attribute: 'id' }, element.start);
    return undefined;
  }
  const id = parseAttributeValue({ kind: 'uint', min: 1, max: UINT_MAX }, idAttribute.value);
  if (!id.ok) {
    if (id.problem === 'outOfRange') d.report(ConfigErrors.outOfRange, { attribute: 'id', value: idAttribute.value, min: 1, max: UINT_MAX }, idAttribute.start);
    else d.report(ConfigErrors.notNumber, { attribute: 'id', value: idAttribute.value }, idAttribute.start);
    return undefined;
  }
  const both = (childName: string): Array<XmlElement | undefined> => [child(element, childName), child(siteDefaults, childName)];
  const logFile = readAttributes<LogFile>(LOG_FILE_SCHEMA, both('logFile'), d);
  logFile.directory = mapPath(context, logFile.directory);
  const traceFailedRequestsLogging = readAttributes<TraceFailedRequestsLogging>(TRACE_FAILED_REQUESTS_LOGGING_SCHEMA, both('traceFailedRequestsLogging'), d);
  traceFailedRequestsLogging.directory = mapPath(context, traceFailedRequestsLogging.directory);
  const applicationDefaults = [child(element, 'applicationDefaults'), globalApplicationDefaults];
  const virtualDirectoryDefaults = [child(element, 'virtualDirectoryDefaults'), globalVirtualDirectoryDefaults];
  return {
    name,
    id: id.value as number,
    ...readAttributes<{ serverAutoStart: boolean }>(SITE_SCHEMA, [element, siteDefaults], d),
    bindings: readBindings(child(element, 'bindings'), context),
    limits: readAttributes(SITE_LIMITS_SCHEMA, both('limits'), d),
    hsts: hstsOf(readAttributes<Record<string, number | boolean>>(HSTS_SCHEMA, both('hsts'), d)),
    logFile,
    traceFailedRequestsLogging,
    applications: readApplications(element, name, applicationDefaults, virtualDirectoryDefaults, context, poolNames),
    position: positionOf(context, element),
  };
}

function hstsOf(values: Record<string, number | boolean>): SiteHsts {
  return {
    enabled: values.enabled === true,
    maxAge: values['max-age'] as number,
    includeSubDomains: values.includeSubDomains === true,
    preload: values.preload === true,
    redirectHttpToHttps: values.redirectHttpToHttps === true,
  };
}

function readBindings(bindings: XmlElement | undefined, context: ReadContext): Binding[] {
  const out: Binding[] = [];
  checkAttributeNames(bindings, ELEMENT_ATTRIBUTES.bindings, context.diagnostics);
  for (const element of bindings ? childElements(bindings, 'binding') : []) {
    checkAttributeNames(element, ELEMENT_ATTRIBUTES.binding, context.diagnostics);
    const protocolAttribute = findAttribute(element, 'protocol');
    const informationAttribute = findAttribute(element, 'bindingInformation');
    if (!protocolAttribute || !informationAttribute) {
      const missing = protocolAttribute ? 'bindingInformation' : 'protocol';
      context.diagnostics.report(ConfigErrors.missingAttribute, { element: 'binding', attribute: missing }, element.start);
      continue;
    }
    const protocol = protocolAttribute.value.toLowerCase();
    const bindingInformation = informationAttribute.value;
    if (protocol === 'ftp') context.diagnostics.warn(ConfigErrors.notHonouredEntry, { element: 'bindings', entry: `<binding protocol="ftp" bindingInformation="${bindingInformation}">`, reason: NO_FTP }, protocolAttribute.start);
    const { sslFlags, certificateSource, proxyProtocol } = readAttributes<{ sslFlags: number; certificateSource: string; proxyProtocol: string }>(
      BINDING_SCHEMA,
      [element],
      context.diagnostics,
    );
    let address = { ip: '', port: 0, host: '' };
    if (usesHttpBindingForm(protocol)) {
      const parsed = parseBindingInformation(bindingInformation);
      if (!parsed.ok) {
        context.diagnostics.report(ConfigErrors.invalidBindingInformation, { value: bindingInformation, reason: parsed.reason }, informationAttribute.start);
        continue;
      }
      address = parsed;
    } else if (protocol === 'net.tcp') {
      const parsed = parseNetTcpBindingInformation(bindingInformation);
      if (!parsed.ok) {
        context.diagnostics.report(ConfigErrors.invalidNetTcpBindingInformation, { value: bindingInformation, reason: parsed.reason }, informationAttribute.start);
        continue;
      }
      address = parsed;
    }
    const binding: Binding = { protocol, bindingInformation, ip: address.ip, port: address.port, host: address.host, sslFlags, position: positionOf(context, element) };
    if (certificateSource === 'acme') {
      const at = findAttribute(element, 'certificateSource')!.start;
      const problem =
        protocol !== 'https' ? `it is an ${protocol} binding` : !isCertificateName(address.host) ? 'it has no single host name' : null;
      if (problem) context.diagnostics.report(ConfigErrors.acmeBinding, { value: `${protocol}/${bindingInformation}`, reason: problem }, at);
      else {
        binding.certificateSource = 'acme';
        certificateSourceOffsets.set(binding, at);
      }
    }
    if (proxyProtocol === 'required') {
      if (protocol === 'http' || protocol === 'https') binding.proxyProtocol = 'required';
      else context.diagnostics.report(ConfigErrors.proxyProtocolBinding, { value: `${protocol}/${bindingInformation}` }, findAttribute(element, 'proxyProtocol')!.start);
    }
    bindingOffsets.set(binding, informationAttribute.start);
    sslFlagsOffsets.set(binding, findAttribute(element, 'sslFlags')?.start ?? element.start);
    proxyProtocolOffsets.set(binding, findAttribute(element, 'proxyProtocol')?.start ?? element.start);
    out.push(binding);
  }
  return out;
}

function readApplications(
  site: XmlElement,
  siteName: string,
  applicationDefaults: Array<XmlElement | undefined>,
  virtualDirectoryDefaults: Array<XmlElement | undefined>,
  context: ReadContext,
  poolNames: Map<string, string>,
): Application[] {
  const d = context.diagnostics;
  const applications: Application[] = [];
  const seen = new Map<string, XmlElement>();
  for (const element of childElements(site, 'application')) {
    checkAttributeNames(element, ELEMENT_ATTRIBUTES.application, d);
    checkAttributeNames(child(element, 'virtualDirectoryDefaults'), ELEMENT_ATTRIBUTES.virtualDirectoryDefaults, d);
    const pathAttribute = findAttribute(element, 'path');
    if (!pathAttribute) {
      d.report(ConfigErrors.missingAttribute, { element: 'application', attribute: 'path' }, element.start);
      continue;
    }
    const path = pathAttribute.value;
    const problem = urlPathProblem(path);
    if (problem) {
      d.report(ConfigErrors.invalidApplicationPath, { value: path, kind: 'application', reason: problem }, pathAttribute.start);
      continue;
    }
    const first = seen.get(path.toLowerCase());
    if (first) {
      d.report(ConfigErrors.duplicateApplication, { value: path, site: siteName, first: d.where(first.start) }, pathAttribute.start);
      continue;
    }
    seen.set(path.toLowerCase(), element);
    const settings = readAttributes<Omit<Application, 'path' | 'virtualDirectories' | 'position'>>(APPLICATION_SCHEMA, [element, ...applicationDefaults], d);
    // An undeclared pool is not an error of the file: IIS loads it and WAS ignores that one application.
    const declaredPool = poolNames.get(settings.applicationPool.toLowerCase());
    if (declaredPool !== undefined) settings.applicationPool = declaredPool;
    const protocolsAttribute = findAttribute(element, 'enabledProtocols');
    const protocolsProblem = enabledProtocolsProblem(settings.enabledProtocols);
    if (protocolsProblem) d.report(ConfigErrors.invalidEnabledProtocols, { value: settings.enabledProtocols, reason: protocolsProblem }, protocolsAttribute?.start ?? element.start);
    const virtualDirectories = readVirtualDirectories(element, `${siteName}${path}`, [child(element, 'virtualDirectoryDefaults'), ...virtualDirectoryDefaults], context);
    const application: Application = {
      path,
      ...settings,
      virtualDirectories,
      ...(declaredPool === undefined ? { applicationPoolUndeclared: true as const } : {}),
      position: positionOf(context, element),
    };
    enabledProtocolsOffsets.set(application, protocolsAttribute?.start ?? element.start);
    applications.push(application);
  }
  return applications;
}

function readVirtualDirectories(
  application: XmlElement,
  applicationName: string,
  defaults: Array<XmlElement | undefined>,
  context: ReadContext,
): VirtualDirectory[] {
  const d = context.diagnostics;
  const out: VirtualDirectory[] = [];
  const seen = new Map<string, XmlElement>();
  for (const element of childElements(application, 'virtualDirectory')) {
    checkAttributeNames(element, ELEMENT_ATTRIBUTES.virtualDirectory, d);
    const pathAttribute = findAttribute(element, 'path');
    if (!pathAttribute) {
      d.report(ConfigErrors.missingAttribute, { element: 'virtualDirectory', attribute: 'path' }, element.start);
      continue;
    }
    const path = pathAttribute.value;
    const problem = urlPathProblem(path);
    if (problem) {
      d.report(ConfigErrors.invalidApplicationPath, { value: path, kind: 'virtualDirectory', reason: problem }, pathAttribute.start);
      continue;
    }
    const first = seen.get(path.toLowerCase());
    if (first) {
      d.report(ConfigErrors.duplicateVirtualDirectory, { value: path, application: applicationName, first: d.where(first.start) }, pathAttribute.start);
      continue;
    }
    seen.set(path.toLowerCase(), element);
    const settings = readAttributes<Omit<VirtualDirectory, 'path' | 'physicalPathRaw' | 'position'> & { physicalPath: string }>(
      VIRTUAL_DIRECTORY_SCHEMA,
      [element, ...defaults],
      d,
    );
    out.push({
      path,
      ...settings,
      physicalPathRaw: settings.physicalPath,
      physicalPath: mapPath(context, settings.physicalPath),
      position: positionOf(context, element),
    });
  }
  return out;
}
