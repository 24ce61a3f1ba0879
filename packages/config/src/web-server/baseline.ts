// poolhost's baseline: the system.webServer content IIS ships in its own applicationHost.config (the
// modules and handlers lists, defaultDocument files, request filtering deny lists, ~376 mimeMaps,
// httpErrors and authentication defaults), which a user's minimal applicationHost.config leaves out.
// It sits beneath applicationHost.config's APPHOST level (docs/request-pipeline.md, "Baseline"):
//   - a section applicationHost.config does not set at APPHOST level comes entirely from here;
//   - a section it does set keeps its own attributes over these; a collection it declares merges with
//     the baseline's (one extra mimeMap keeps the other 376) unless it starts with `<clear />` or repeats
//     an entry the baseline has — then it is a complete list (a real IIS applicationHost.config, or the
//     repository's own defaultDocument list) and replaces the baseline's, so nothing is ever a duplicate;
//   - `handlers` and `modules` are unlocked, as IIS ships them inside `<location path=""
//     overrideMode="Allow">`, unless applicationHost.config registers those sections itself.
// Departures from IIS: `index.js`-style Node entry scripts are served by the iisnode handler the worker
// adds (docs/hosting.md); no `X-Powered-By: ASP.NET`. requestLimits is not listed: IIS's schema default
// (maxAllowedContentLength 30000000) applies, as in IIS.

import { KNOWN_COLLECTIONS } from './collection-schema.js';
import type { RawElement } from './model.js';
import { SHIPPED_MIME_MAPS } from './shipped-mime-maps.js';

export const BASELINE_FILE = 'poolhost:baseline (IIS shipped defaults)';

/** Sections the baseline leaves unlocked for web.config (IIS: `<location path="" overrideMode="Allow">`). */
export const BASELINE_UNLOCKED_SECTIONS = ['system.webServer/handlers', 'system.webServer/modules'];

const FILE_EXTENSIONS_DENIED = [
  '.asa', '.asax', '.ascx', '.master', '.skin', '.browser', '.sitemap', '.config', '.cs', '.csproj', '.vb', '.vbproj',
  '.webinfo', '.licx', '.resx', '.resources', '.mdb', '.vjsproj', '.java', '.jsl', '.ldb', '.dsdgm', '.ssdgm', '.lsad',
  '.ssmap', '.cd', '.dsprototype', '.lsaprototype', '.sdm', '.sdmDocument', '.mdf', '.ldf', '.ad', '.dd', '.ldd', '.sd',
  '.adprototype', '.lddprototype', '.exclude', '.refresh', '.compiled', '.msgx', '.vsdisco', '.rules',
];

const HIDDEN_SEGMENTS = ['web.config', 'bin', 'App_code', 'App_GlobalResources', 'App_LocalResources', 'App_WebReferences', 'App_Data', 'App_Browsers'];

/** The module names of the shipped list poolhost implements, in IIS's order (reference §6.1). */
export const BASELINE_MODULES = [
  'HttpLoggingModule',
  'FailedRequestsTracingModule',
  'StaticCompressionModule',
  'DynamicCompressionModule',
  'DefaultDocumentModule',
  'DirectoryListingModule',
  'ProtocolSupportModule',
  'StaticFileModule',
  'AnonymousAuthenticationModule',
  'BasicAuthenticationModule',
  'IpRestrictionModule',
  'RequestFilteringModule',
  'RewriteModule',
  'CustomErrorModule',
  'iisnode',
];

/** Builds the baseline as the RawElement tree parsing its XML would give: one line per element, in document order. */
class BaselineBuilder {
  private line = 0;

  element(name: string, attributes: Record<string, string> = {}, children: Array<(builder: BaselineBuilder) => RawElement> = []): RawElement {
    const position = { file: BASELINE_FILE, line: ++this.line, column: 1 };
    return { name, attributes, children: children.map((child) => child(this)), position };
  }
}

type Child = (builder: BaselineBuilder) => RawElement;
const element = (name: string, attributes: Record<string, string> = {}, children: Child[] = []): Child => (builder) => builder.element(name, attributes, children);
const add = (attributes: Record<string, string>): Child => element('add', attributes);

/** The sections of IIS's shipped system.webServer, keyed like a file's sections; built as objects, not parsed (cold start). */
function buildBaselineSections(): Record<string, RawElement> {
  const builder = new BaselineBuilder();
  const section = (child: Child): RawElement => child(builder);
  builder.element('configuration');
  builder.element('system.webServer');
  return {
    'system.webServer/modules': section(element('modules', {}, BASELINE_MODULES.map((name) => add({ name })))),
    'system.webServer/handlers': section(
      element('handlers', { accessPolicy: 'Read, Script' }, [
        add({ name: 'TRACEVerbHandler', path: '*', verb: 'TRACE', modules: 'ProtocolSupportModule', requireAccess: 'None' }),
        add({ name: 'OPTIONSVerbHandler', path: '*', verb: 'OPTIONS', modules: 'ProtocolSupportModule', requireAccess: 'None' }),
        add({ name: 'StaticFile', path: '*', verb: '*', modules: 'StaticFileModule,DefaultDocumentModule,DirectoryListingModule', resourceType: 'Either', requireAccess: 'Read' }),
      ]),
    ),
    'system.webServer/defaultDocument': section(
      element('defaultDocument', { enabled: 'true' }, [element('files', {}, ['Default.htm', 'Default.asp', 'index.htm', 'index.html', 'iisstart.htm'].map((value) => add({ value })))]),
    ),
    'system.webServer/directoryBrowse': section(element('directoryBrowse', { enabled: 'false' })),
    'system.webServer/httpErrors': section(element('httpErrors', { errorMode: 'DetailedLocalOnly', existingResponse: 'Auto' })),
    'system.webServer/httpLogging': section(element('httpLogging', { dontLog: 'false' })),
    'system.webServer/security/authentication/anonymousAuthentication': section(element('anonymousAuthentication', { enabled: 'true' })),
    'system.webServer/security/authentication/basicAuthentication': section(element('basicAuthentication', { enabled: 'false' })),
    'system.webServer/security/ipSecurity': section(element('ipSecurity', { allowUnlisted: 'true' })),
    'system.webServer/security/requestFiltering': section(
      element('requestFiltering', {}, [
        element('fileExtensions', { allowUnlisted: 'true', applyToWebDAV: 'true' }, FILE_EXTENSIONS_DENIED.map((fileExtension) => add({ fileExtension, allowed: 'false' }))),
        element('hiddenSegments', { applyToWebDAV: 'true' }, HIDDEN_SEGMENTS.map((segment) => add({ segment }))),
      ]),
    ),
    'system.webServer/staticContent': section(
      element('staticContent', {}, SHIPPED_MIME_MAPS.map(([fileExtension, mimeType]) => element('mimeMap', { fileExtension, mimeType }))),
    ),
    'system.webServer/urlCompression': section(element('urlCompression', { doStaticCompression: 'true', doDynamicCompression: 'true' })),
  };
}

let built: Record<string, RawElement> | null = null;

/** The baseline sections, keyed like a file's sections (`system.webServer/handlers`); built once. */
export function baselineSections(): Record<string, RawElement> {
  built ??= buildBaselineSections();
  return built;
}

/**
 * The baseline element for one section, without the collections `declared` (what applicationHost.config
 * sets for the same section at APPHOST level) already declares. `path` is relative to system.webServer.
 */
export function baselineBeneath(baseline: RawElement, declared: RawElement[], path: string): RawElement {
  const schema = KNOWN_COLLECTIONS[path];
  const isEntry = (child: RawElement): boolean => !!schema && (child.name === schema.addElement || child.name === 'remove' || child.name === 'clear');
  const keyOf = (element: RawElement): string => {
    const text = schema!.keys.map((key) => element.attributes[key] ?? schema!.keyDefaults?.[key] ?? '').join('\u0000');
    return schema!.caseSensitiveKeys ? text : text.toLowerCase();
  };
  let dropEntries = false;
  if (schema) {
    const baselineKeys = new Set(baseline.children.filter((child) => child.name === schema.addElement).map(keyOf));
    // A `<clear />`, or an entry the baseline has too, means a complete list (a real IIS file): it replaces ours.
    dropEntries = declared.some((element) => element.children.some((child) => child.name === 'clear' || (child.name === schema.addElement && baselineKeys.has(keyOf(child)))));
  }
  const children: RawElement[] = [];
  for (const child of baseline.children) {
    if (isEntry(child)) {
      if (!dropEntries) children.push(child);
      continue;
    }
    const declaredChildren = declared.flatMap((element) => element.children.filter((candidate) => candidate.name === child.name));
    children.push(declaredChildren.length ? baselineBeneath(child, declaredChildren, `${path}/${child.name}`) : child);
  }
  return { ...baseline, children };
}
