// The system.webServer collections poolhost knows: element names of their directives, key attributes,
// and merge order. `mergeAppend: false` collections put a child level's new entries first (reference §2).
// Paths are relative to system.webServer; the empty-suffix entries are sections that are collections themselves.

export interface CollectionSchema {
  addElement: string;
  keys: string[];
  /** Key values used when an entry omits a key attribute (httpErrors subStatusCode = -1). */
  keyDefaults?: Record<string, string>;
  mergeAppend: boolean;
  caseSensitiveKeys?: boolean;
}

const collection = (addElement: string, keys: string[], extra: Partial<CollectionSchema> = {}): CollectionSchema => ({
  addElement,
  keys,
  mergeAppend: true,
  ...extra,
});

export const KNOWN_COLLECTIONS: Record<string, CollectionSchema> = {
  handlers: collection('add', ['name'], { mergeAppend: false, caseSensitiveKeys: true }),
  modules: collection('add', ['name']),
  globalModules: collection('add', ['name']),
  'defaultDocument/files': collection('add', ['value'], { mergeAppend: false }),
  httpErrors: collection('error', ['statusCode', 'subStatusCode'], { keyDefaults: { subStatusCode: '-1' } }),
  'security/requestFiltering/fileExtensions': collection('add', ['fileExtension']),
  'security/requestFiltering/hiddenSegments': collection('add', ['segment']),
  'security/requestFiltering/denyUrlSequences': collection('add', ['sequence']),
  'security/requestFiltering/verbs': collection('add', ['verb']),
  'security/requestFiltering/requestLimits/headerLimits': collection('add', ['header']),
  'security/requestFiltering/denyQueryStringSequences': collection('add', ['sequence']),
  'security/requestFiltering/alwaysAllowedUrls': collection('add', ['url']),
  'security/requestFiltering/alwaysAllowedQueryStrings': collection('add', ['queryString']),
  'security/requestFiltering/filteringRules': collection('filteringRule', ['name']),
  staticContent: collection('mimeMap', ['fileExtension']),
  'tracing/traceFailedRequests': collection('add', ['path']),
  'httpProtocol/customHeaders': collection('add', ['name']),
  'httpProtocol/redirectHeaders': collection('add', ['name']),
};
