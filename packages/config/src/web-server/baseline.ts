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

/**
 * Builds the baseline as the RawElement tree parsing its XML would give: one line per element, in document
 * order (a parent's line before its children's). Each element is made once, its children pushed onto it:
 * no closure per element — the ≈450 elements are made on every worker's start, where this ran in ≈1.8 ms
 * with a closure pyramid (docs/performance.md, "Demand start without a spare: the wall-clock path").
 */
class BaselineBuilder {
  private line = 0;

  /** A new element, on the next line. */
  element(name: string, attributes: Record<string, string> = {}): RawElement {
    return { name, attributes, children: [], position: { file: BASELINE_FILE, line: ++this.line, column: 1 } };
  }

  /** A new element, on the next line, appended to `parent`'s children. */
  child(parent: RawElement, name: string, attributes: Record<string, string> = {}): RawElement {
    const element = this.element(name, attributes);
    parent.children.push(element);
    return element;
  }

  /**
   * An element whose children are made when first read, with the lines they would have had: the next
   * `count` lines are kept for them. Its `children` is an enumerable property like any other element's
   * (spread, JSON and deep equality see the same tree).
   */
  lazyChildren(element: RawElement, count: number, make: (firstLine: number) => RawElement[]): void {
    const firstLine = this.line + 1;
    this.line += count;
    let children: RawElement[] | undefined;
    Object.defineProperty(element, 'children', { enumerable: true, configurable: true, get: () => (children ??= make(firstLine)) });
  }

  /** A collection element whose entries are `<add>` elements with these attributes. */
  collection(name: string, attributes: Record<string, string>, entries: ReadonlyArray<Record<string, string>>, parent?: RawElement): RawElement {
    const element = parent ? this.child(parent, name, attributes) : this.element(name, attributes);
    for (const entry of entries) this.child(element, 'add', entry);
    return element;
  }
}

/** The sections of IIS's shipped system.webServer, keyed like a file's sections; built as objects, not parsed (cold start). */
function buildBaselineSections(): Record<string, RawElement> {
  const builder = new BaselineBuilder();
  builder.element('configuration');
  builder.element('system.webServer');
  const modules = builder.collection('modules', {}, BASELINE_MODULES.map((name) => ({ name })));
  const handlers = builder.collection('handlers', { accessPolicy: 'Read, Script' }, [
    { name: 'TRACEVerbHandler', path: '*', verb: 'TRACE', modules: 'ProtocolSupportModule', requireAccess: 'None' },
    { name: 'OPTIONSVerbHandler', path: '*', verb: 'OPTIONS', modules: 'ProtocolSupportModule', requireAccess: 'None' },
    { name: 'StaticFile', path: '*', verb: '*', modules: 'StaticFileModule,DefaultDocumentModule,DirectoryListingModule', resourceType: 'Either', requireAccess: 'Read' },
  ]);
  const defaultDocument = builder.element('defaultDocument', { enabled: 'true' });
  builder.collection('files', {}, ['Default.htm', 'Default.asp', 'index.htm', 'index.html', 'iisstart.htm'].map((value) => ({ value })), defaultDocument);
  const directoryBrowse = builder.element('directoryBrowse', { enabled: 'false' });
  const httpErrors = builder.element('httpErrors', { errorMode: 'DetailedLocalOnly', existingResponse: 'Auto' });
  const httpLogging = builder.element('httpLogging', { dontLog: 'false' });
  const anonymousAuthentication = builder.element('anonymousAuthentication', { enabled: 'true' });
  const basicAuthentication = builder.element('basicAuthentication', { enabled: 'false' });
  const ipSecurity = builder.element('ipSecurity', { allowUnlisted: 'true' });
  const requestFiltering = builder.element('requestFiltering');
  builder.collection('fileExtensions', { allowUnlisted: 'true', applyToWebDAV: 'true' }, FILE_EXTENSIONS_DENIED.map((fileExtension) => ({ fileExtension, allowed: 'false' })), requestFiltering);
  builder.collection('hiddenSegments', { applyToWebDAV: 'true' }, HIDDEN_SEGMENTS.map((segment) => ({ segment })), requestFiltering);
  const staticContent = builder.element('staticContent');
  // The ≈376 mimeMaps are most of the baseline's elements, and only the static file handler reads them (on
  // its first file): a worker serving Node alone never makes them (the section's typed form does not need
  // them: typed-sections.ts, mimeMaps and clientCache).
  builder.lazyChildren(staticContent, SHIPPED_MIME_MAPS.length, (firstLine) =>
    SHIPPED_MIME_MAPS.map(([fileExtension, mimeType], index) => ({
      name: 'mimeMap',
      attributes: { fileExtension, mimeType },
      children: [],
      position: { file: BASELINE_FILE, line: firstLine + index, column: 1 },
    })),
  );
  const urlCompression = builder.element('urlCompression', { doStaticCompression: 'true', doDynamicCompression: 'true' });
  return {
    'system.webServer/modules': modules,
    'system.webServer/handlers': handlers,
    'system.webServer/defaultDocument': defaultDocument,
    'system.webServer/directoryBrowse': directoryBrowse,
    'system.webServer/httpErrors': httpErrors,
    'system.webServer/httpLogging': httpLogging,
    'system.webServer/security/authentication/anonymousAuthentication': anonymousAuthentication,
    'system.webServer/security/authentication/basicAuthentication': basicAuthentication,
    'system.webServer/security/ipSecurity': ipSecurity,
    'system.webServer/security/requestFiltering': requestFiltering,
    'system.webServer/staticContent': staticContent,
    'system.webServer/urlCompression': urlCompression,
  };
}

let built: Record<string, RawElement> | null = null;
/** The elements of `built`: each is already what merging it alone gives (see isBaselineSection). */
const builtSections = new WeakSet<RawElement>();

/** The baseline sections, keyed like a file's sections (`system.webServer/handlers`); built once. */
export function baselineSections(): Record<string, RawElement> {
  if (!built) {
    built = buildBaselineSections();
    for (const element of Object.values(built)) builtSections.add(element);
  }
  return built;
}

/**
 * Whether `element` is one of the baseline's sections as built (not a copy narrowed by baselineBeneath).
 * Such a section has no directive but its add elements, no key twice and nothing to merge below it, so
 * merging it alone gives the same tree (baseline.test.ts checks it, section by section): the merge takes
 * it as it is instead of copying it — for a hello world, every section it has comes from here alone
 * (the ≈376 mimeMaps, keyed and copied, were most of what a worker's start allocated for its configuration).
 * RawElements are never modified once made, so sharing it is safe.
 */
export function isBaselineSection(element: RawElement): boolean {
  return builtSections.has(element);
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
