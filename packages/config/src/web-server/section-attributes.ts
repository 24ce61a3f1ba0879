// The attribute names of the system.webServer elements poolhost reads with a schema (web-server-schema.ts),
// the IIS ones it does not honour, and the registered sections it does not implement at all. Checked when a
// file is read: in web.config an unrecognized attribute is IIS's 500.19 ("Unrecognized attribute 'x'. Note
// that attribute names are case-sensitive.", 0x8007000d); in applicationHost.config it refuses the load.

import { checkAttributeNames, type AttributeNames, type NotHonoured } from '../validation/attribute-names.js';
import type { Diagnostics } from '../validation/diagnostics.js';
import { ConfigErrors } from '../validation/error-registry.js';
import type { ElementSchema } from '../values/attribute-type.js';
import type { XmlAttribute, XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import * as schema from './web-server-schema.js';

const names = (element: string, elementSchema: ElementSchema, extra: readonly string[] = [], notHonoured?: Record<string, NotHonoured>): AttributeNames => ({
  element,
  known: [...extra, ...Object.keys(elementSchema)],
  ...(notHonoured ? { notHonoured } : {}),
});
const keys = (element: string, ...attributes: string[]): AttributeNames => names(element, {}, attributes);

const NO_MANAGED_MODULES = 'poolhost runs no managed (.NET) modules; its native modules see every request';
const DOC_FOOTER = 'the static file handler appends no document footer';
const SERVER_RUNTIME_NOT_HONOURED: Record<string, NotHonoured> = {
  enabled: { inert: 'true', reason: 'the server runtime cannot be switched off for a URL' },
  appConcurrentRequestLimit: { inert: '5000', reason: 'requests wait in the pool\'s queue (queueLength), not against a per-application limit' },
  maxRequestEntityAllowed: { inert: '4294967295', reason: 'request bodies are limited by requestFiltering/requestLimits maxAllowedContentLength' },
  uploadReadAheadSize: { inert: '49152', reason: 'the request body is streamed to the handler, not read ahead' },
  alternateHostName: { inert: '', reason: 'redirects use the Host header the client sent' },
  enableNagling: { inert: 'false', reason: 'response sockets always have Nagle\'s algorithm off' },
  authenticatedUserOverride: { inert: 'UseAuthenticatedUser', reason: 'requests run as the worker\'s Linux user, never as the authenticated user' },
};
const TRACE_ACTION = 'poolhost runs no custom action when a failed request rule matches';

/** Element paths relative to system.webServer (collections' add/remove included). */
export const SECTION_ELEMENT_ATTRIBUTES: Readonly<Record<string, AttributeNames>> = {
  handlers: names('handlers', schema.HANDLERS_SCHEMA),
  'handlers/add': names('handlers/add', schema.HANDLER_SCHEMA),
  'handlers/remove': keys('handlers/remove', 'name'),
  modules: names('modules', {}, [], {
    runAllManagedModulesForAllRequests: { inert: 'false', reason: NO_MANAGED_MODULES },
    runManagedModulesForWebDavRequests: { inert: 'false', reason: NO_MANAGED_MODULES },
  }),
  'modules/add': names('modules/add', schema.MODULE_SCHEMA),
  'modules/remove': keys('modules/remove', 'name'),
  defaultDocument: names('defaultDocument', schema.DEFAULT_DOCUMENT_SCHEMA),
  'defaultDocument/files': keys('defaultDocument/files'),
  'defaultDocument/files/add': keys('defaultDocument/files/add', 'value'),
  'defaultDocument/files/remove': keys('defaultDocument/files/remove', 'value'),
  directoryBrowse: names('directoryBrowse', schema.DIRECTORY_BROWSE_SCHEMA),
  httpErrors: names('httpErrors', schema.HTTP_ERRORS_SCHEMA),
  'httpErrors/error': names('httpErrors/error', schema.HTTP_ERROR_SCHEMA),
  'httpErrors/remove': keys('httpErrors/remove', 'statusCode', 'subStatusCode'),
  // removeServerHeader is honoured by construction: a worker's responses carry no Server header (only
  // HTTP.SYS's own error responses say Microsoft-HTTPAPI/2.0, which IIS's setting does not remove either).
  'security/requestFiltering': names('requestFiltering', schema.REQUEST_FILTERING_SCHEMA, [], {
    unescapeQueryString: { inert: 'true', reason: 'denyQueryStringSequences are always looked for in the query string both as sent and unescaped' },
  }),
  'security/requestFiltering/fileExtensions': names('fileExtensions', schema.FILE_EXTENSIONS_SCHEMA),
  'security/requestFiltering/fileExtensions/add': names('fileExtensions/add', schema.ALLOWED_ENTRY_SCHEMA, ['fileExtension']),
  'security/requestFiltering/fileExtensions/remove': keys('fileExtensions/remove', 'fileExtension'),
  'security/requestFiltering/hiddenSegments': names('hiddenSegments', schema.HIDDEN_SEGMENTS_SCHEMA),
  'security/requestFiltering/hiddenSegments/add': keys('hiddenSegments/add', 'segment'),
  'security/requestFiltering/hiddenSegments/remove': keys('hiddenSegments/remove', 'segment'),
  'security/requestFiltering/verbs': names('verbs', schema.FILE_EXTENSIONS_SCHEMA),
  'security/requestFiltering/verbs/add': names('verbs/add', schema.ALLOWED_ENTRY_SCHEMA, ['verb']),
  'security/requestFiltering/verbs/remove': keys('verbs/remove', 'verb'),
  'security/requestFiltering/requestLimits': names('requestLimits', schema.REQUEST_LIMITS_SCHEMA),
  'security/requestFiltering/requestLimits/headerLimits': keys('headerLimits'),
  'security/requestFiltering/requestLimits/headerLimits/add': names('headerLimits/add', schema.HEADER_LIMIT_SCHEMA),
  'security/requestFiltering/requestLimits/headerLimits/remove': keys('headerLimits/remove', 'header'),
  'security/requestFiltering/denyUrlSequences/add': keys('denyUrlSequences/add', 'sequence'),
  'security/requestFiltering/denyUrlSequences/remove': keys('denyUrlSequences/remove', 'sequence'),
  'security/requestFiltering/denyQueryStringSequences/add': keys('denyQueryStringSequences/add', 'sequence'),
  'security/requestFiltering/denyQueryStringSequences/remove': keys('denyQueryStringSequences/remove', 'sequence'),
  'security/requestFiltering/alwaysAllowedUrls/add': keys('alwaysAllowedUrls/add', 'url'),
  'security/requestFiltering/alwaysAllowedUrls/remove': keys('alwaysAllowedUrls/remove', 'url'),
  'security/requestFiltering/alwaysAllowedQueryStrings/add': keys('alwaysAllowedQueryStrings/add', 'queryString'),
  'security/requestFiltering/alwaysAllowedQueryStrings/remove': keys('alwaysAllowedQueryStrings/remove', 'queryString'),
  staticContent: names('staticContent', schema.STATIC_CONTENT_SCHEMA, [], {
    enableDocFooter: { inert: 'false', reason: DOC_FOOTER },
    defaultDocFooter: { inert: '', reason: DOC_FOOTER },
    isDocFooterFileName: { inert: 'false', reason: DOC_FOOTER },
  }),
  'staticContent/mimeMap': keys('staticContent/mimeMap', 'fileExtension', 'mimeType'),
  'staticContent/remove': keys('staticContent/remove', 'fileExtension'),
  'staticContent/clientCache': names('clientCache', schema.CLIENT_CACHE_SCHEMA),
  httpLogging: names('httpLogging', schema.HTTP_LOGGING_SCHEMA),
  caching: names('caching', schema.CACHING_SCHEMA),
  'caching/profiles': keys('caching/profiles'),
  'caching/profiles/add': names('caching/profiles/add', schema.CACHE_PROFILE_SCHEMA),
  'caching/profiles/remove': keys('caching/profiles/remove', 'extension'),
  serverRuntime: names('serverRuntime', schema.SERVER_RUNTIME_SCHEMA, [], SERVER_RUNTIME_NOT_HONOURED),
  'tracing/traceFailedRequests': keys('traceFailedRequests'),
  'tracing/traceFailedRequests/add': names('traceFailedRequests/add', schema.TRACE_RULE_SCHEMA, [], {
    customActionExe: { inert: '', reason: TRACE_ACTION },
    customActionParams: { inert: '', reason: TRACE_ACTION },
    customActionTriggerLimit: { inert: '1', reason: TRACE_ACTION },
  }),
  'tracing/traceFailedRequests/remove': keys('traceFailedRequests/remove', 'path'),
  'tracing/traceFailedRequests/add/traceAreas': keys('traceAreas'),
  'tracing/traceFailedRequests/add/traceAreas/add': names('traceAreas/add', schema.TRACE_AREA_SCHEMA),
  'tracing/traceFailedRequests/add/failureDefinitions': names('failureDefinitions', schema.FAILURE_DEFINITIONS_SCHEMA, [], {
    traceAllAfterTimeout: { inert: 'false', reason: 'a trace is written for the whole request when it matches, not from the timeout on' },
  }),
  iisnode: names('iisnode', schema.IISNODE_SCHEMA),
};

/**
 * Sections IIS registers (and elements of sections) that poolhost does not implement: their attributes are
 * not checked (poolhost has no schema for them), but one that asks for something is reported, never
 * silently dropped. `enabled`: IIS's default of the element's enabled attribute; `entry`: a collection
 * entry that asks for something.
 */
export const UNIMPLEMENTED_SECTIONS: Readonly<Record<string, { reason: string; enabled?: string; entry?: string }>> = {
  'security/authentication/windowsAuthentication': { enabled: 'false', reason: 'poolhost has no Windows (Negotiate, NTLM) authentication' },
  'security/authentication/digestAuthentication': { enabled: 'false', reason: 'poolhost has no Digest authentication' },
  'security/authentication/clientCertificateMappingAuthentication': { enabled: 'false', reason: 'poolhost maps no client certificate to a Windows account (Active Directory)' },
  'security/authentication/iisClientCertificateMappingAuthentication': { enabled: 'false', reason: 'poolhost maps no client certificate to a Windows account' },
  'security/authorization': { entry: 'add', reason: 'poolhost has no URL Authorization module: its allow and deny rules restrict nobody' },
  httpRedirect: { enabled: 'false', reason: 'poolhost has no HTTP Redirection module (a URL Rewrite rule with a Redirect action does the same)' },
  'webdav/authoring': { enabled: 'false', reason: 'poolhost has no WebDAV' },
  isapiFilters: { entry: 'filter', reason: 'poolhost loads no ISAPI filter (Windows DLLs)' },
  webSocket: { enabled: 'true', reason: 'a worker always passes a WebSocket upgrade to the application that handles it' },
  'security/dynamicIpSecurity/denyByConcurrentRequests': { enabled: 'false', reason: 'poolhost has no Dynamic IP Restrictions (security/ipSecurity is honoured)' },
  'security/dynamicIpSecurity/denyByRequestRate': { enabled: 'false', reason: 'poolhost has no Dynamic IP Restrictions (security/ipSecurity is honoured)' },
  'security/requestFiltering/filteringRules': { entry: 'filteringRule', reason: 'poolhost\'s request filtering has no filtering rules (scanUrl, scanHeaders, denyStrings)' },
  'httpTracing/traceUrls': { entry: 'add', reason: 'poolhost writes no ETW traces (Failed Request Tracing writes its own files)' },
};

/** What an unrecognized attribute of a system.webServer element gives: IIS's 500.19 text and where it is. */
export interface UnrecognizedSectionAttribute {
  attribute: XmlAttribute;
  /** IIS's "Config Error" text. */
  message: string;
}

export const unrecognizedAttributeMessage = (attribute: string): string => `Unrecognized attribute '${attribute}'. Note that attribute names are case-sensitive.`;

/**
 * Checks a system.webServer section element (`path` relative to system.webServer) and its children:
 * unrecognized attributes go to `diagnostics` as errors, attributes not honoured as warnings. Returns
 * the first unrecognized attribute in file order, if any.
 */
export function checkSectionAttributes(path: string, element: XmlElement, diagnostics: Diagnostics): UnrecognizedSectionAttribute | undefined {
  const unimplemented = UNIMPLEMENTED_SECTIONS[path];
  if (unimplemented) {
    reportUnimplemented(path, element, unimplemented, diagnostics);
    return undefined;
  }
  const names = SECTION_ELEMENT_ATTRIBUTES[path];
  const own = names ? checkAttributeNames(element, names, diagnostics)[0] : undefined;
  let first: UnrecognizedSectionAttribute | undefined = own ? { attribute: own, message: unrecognizedAttributeMessage(own.name) } : undefined;
  for (const child of childElements(element)) {
    const found = checkSectionAttributes(`${path}/${child.name}`, child, diagnostics);
    if (found && (!first || found.attribute.start < first.attribute.start)) first = found;
  }
  return first;
}

function reportUnimplemented(path: string, element: XmlElement, section: { reason: string; enabled?: string; entry?: string }, diagnostics: Diagnostics): void {
  const name = `system.webServer/${path}`;
  const enabled = section.enabled !== undefined ? findAttribute(element, 'enabled') : undefined;
  if (enabled && enabled.value.trim().toLowerCase() !== section.enabled) {
    diagnostics.warn(ConfigErrors.notHonoured, { element: name, attribute: 'enabled', value: enabled.value, reason: section.reason, inert: section.enabled! }, enabled.start);
  }
  const entry = section.entry !== undefined ? childElements(element, section.entry)[0] : undefined;
  if (entry) diagnostics.warn(ConfigErrors.notHonouredSection, { section: name, entry: section.entry!, reason: section.reason }, entry.start);
}
