// Merged raw sections → typed WebServerConfig, with IIS schema defaults for whatever is not set.

import type { ElementSchema } from '../values/attribute-type.js';
import { parseAttributeValue } from '../values/attribute-type.js';
import { ConfigErrors } from '../validation/error-registry.js';
import type { ValueProblem } from '../values/attribute-type.js';
import type { CacheProfile, CachingSection, HttpErrorEntry, HttpHandlerEntry, HttpModuleEntry, RawElement, TraceFailedRequestsRule, WebServerConfig } from './model.js';
import { rawChild, rawChildren } from './raw-element.js';
import { isBaselineSection } from './baseline.js';
import * as schema from './web-server-schema.js';

/** A value in a system.webServer section that IIS would refuse (500.19). */
export class InvalidSectionValue extends Error {
  constructor(
    message: string,
    readonly element: RawElement,
  ) {
    super(message);
  }
}

function describe(problem: ValueProblem, attribute: string, value: string): string {
  const p = { attribute, value };
  switch (problem.problem) {
    case 'notBoolean':
      return ConfigErrors.notBoolean.message(p);
    case 'notNumber':
      return ConfigErrors.notNumber.message(p);
    case 'outOfRange':
      return ConfigErrors.outOfRange.message({ ...p, min: problem.min, max: problem.max });
    case 'notEnum':
      return ConfigErrors.notEnum.message({ ...p, values: problem.values });
    case 'notFlags':
      return ConfigErrors.notFlags.message({ ...p, unknown: problem.unknown, values: problem.values });
    case 'notTimeSpan':
      return ConfigErrors.notTimeSpan.message({ ...p, detail: problem.detail });
    case 'timeSpanOutOfRange':
      return ConfigErrors.timeSpanOutOfRange.message({ ...p, minSeconds: problem.minSeconds, maxSeconds: problem.maxSeconds });
    case 'timeSpanGranularity':
      return ConfigErrors.timeSpanGranularity.message({ ...p, granularitySeconds: problem.granularitySeconds });
    case 'empty':
      return ConfigErrors.emptyValue.message(p);
  }
}

function read<T>(elementSchema: ElementSchema, element: RawElement | undefined): T {
  const out: Record<string, unknown> = {};
  // for…in, not Object.entries: no [name, spec] pair per attribute of every entry (a worker's start runs
  // this once per handler, module, file extension … in code not yet optimised).
  for (const name in elementSchema) {
    const spec = elementSchema[name]!;
    const text = element?.attributes[name];
    if (text === undefined) {
      if (spec.type.kind === 'string' && spec.type.nonEmpty && element) {
        throw new InvalidSectionValue(ConfigErrors.missingAttribute.message({ element: element.name, attribute: name }), element);
      }
      out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      continue;
    }
    const parsed = parseAttributeValue(spec.type, text);
    if (!parsed.ok) throw new InvalidSectionValue(describe(parsed, name, text), element!);
    out[name] = parsed.value;
  }
  return out as T;
}

function values(element: RawElement | undefined, entryName: string, attribute: string): string[] {
  return rawChildren(element, entryName).map((entry) => entry.attributes[attribute] ?? '');
}

export function buildWebServerConfig(sections: Record<string, RawElement>): WebServerConfig {
  const section = (path: string): RawElement | undefined => sections[path];
  const handlers = section('handlers');
  const modules = section('modules');
  const defaultDocument = section('defaultDocument');
  const httpErrors = section('httpErrors');
  const requestFiltering = section('security/requestFiltering');
  const fileExtensions = rawChild(requestFiltering, 'fileExtensions');
  const hiddenSegments = rawChild(requestFiltering, 'hiddenSegments');
  const verbs = rawChild(requestFiltering, 'verbs');
  const requestLimits = rawChild(requestFiltering, 'requestLimits');
  const staticContent = section('staticContent');
  let mimeMaps: WebServerConfig['staticContent']['mimeMaps'] | undefined;
  return {
    handlers: {
      ...read<{ accessPolicy: WebServerConfig['handlers']['accessPolicy'] }>(schema.HANDLERS_SCHEMA, handlers),
      handlers: rawChildren(handlers, 'add').map((entry) => ({ ...read<Omit<HttpHandlerEntry, 'position'>>(schema.HANDLER_SCHEMA, entry), position: entry.position })),
    },
    modules: {
      ...read<Omit<WebServerConfig['modules'], 'modules'>>(schema.MODULES_SCHEMA, modules),
      modules: rawChildren(modules, 'add').map((entry) => ({ ...read<Omit<HttpModuleEntry, 'position'>>(schema.MODULE_SCHEMA, entry), position: entry.position })),
    },
    defaultDocument: {
      ...read<{ enabled: boolean }>(schema.DEFAULT_DOCUMENT_SCHEMA, defaultDocument),
      files: values(rawChild(defaultDocument, 'files'), 'add', 'value'),
    },
    directoryBrowse: read(schema.DIRECTORY_BROWSE_SCHEMA, section('directoryBrowse')),
    httpErrors: {
      ...read<Omit<WebServerConfig['httpErrors'], 'errors'>>(schema.HTTP_ERRORS_SCHEMA, httpErrors),
      errors: rawChildren(httpErrors, 'error').map((entry) => {
        const error = read<Omit<HttpErrorEntry, 'subStatusCode'> & { subStatusCode: string }>(schema.HTTP_ERROR_SCHEMA, entry);
        const subStatusCode = Number(error.subStatusCode);
        if (!Number.isInteger(subStatusCode) || subStatusCode < -1 || subStatusCode > 999) {
          throw new InvalidSectionValue(ConfigErrors.outOfRange.message({ attribute: 'subStatusCode', value: error.subStatusCode, min: -1, max: 999 }), entry);
        }
        return { ...error, subStatusCode };
      }),
    },
    requestFiltering: {
      ...read<Pick<WebServerConfig['requestFiltering'], 'allowDoubleEscaping' | 'allowHighBitCharacters' | 'unescapeQueryString' | 'removeServerHeader'>>(
        schema.REQUEST_FILTERING_SCHEMA,
        requestFiltering,
      ),
      fileExtensions: {
        ...read<{ allowUnlisted: boolean; applyToWebDAV: boolean }>(schema.FILE_EXTENSIONS_SCHEMA, fileExtensions),
        entries: rawChildren(fileExtensions, 'add').map((entry) => ({
          fileExtension: entry.attributes.fileExtension ?? '',
          ...read<{ allowed: boolean }>(schema.ALLOWED_ENTRY_SCHEMA, entry),
        })),
      },
      hiddenSegments: {
        ...read<{ applyToWebDAV: boolean }>(schema.HIDDEN_SEGMENTS_SCHEMA, hiddenSegments),
        segments: values(hiddenSegments, 'add', 'segment'),
      },
      denyUrlSequences: values(rawChild(requestFiltering, 'denyUrlSequences'), 'add', 'sequence'),
      verbs: {
        ...read<{ allowUnlisted: boolean; applyToWebDAV: boolean }>(schema.FILE_EXTENSIONS_SCHEMA, verbs),
        entries: rawChildren(verbs, 'add').map((entry) => ({ verb: entry.attributes.verb ?? '', ...read<{ allowed: boolean }>(schema.ALLOWED_ENTRY_SCHEMA, entry) })),
      },
      requestLimits: {
        ...read<{ maxAllowedContentLength: number; maxUrl: number; maxQueryString: number }>(schema.REQUEST_LIMITS_SCHEMA, requestLimits),
        headerLimits: rawChildren(rawChild(requestLimits, 'headerLimits'), 'add').map((entry) =>
          read<{ header: string; sizeLimit: number }>(schema.HEADER_LIMIT_SCHEMA, entry),
        ),
      },
      denyQueryStringSequences: values(rawChild(requestFiltering, 'denyQueryStringSequences'), 'add', 'sequence'),
      alwaysAllowedUrls: values(rawChild(requestFiltering, 'alwaysAllowedUrls'), 'add', 'url'),
      alwaysAllowedQueryStrings: values(rawChild(requestFiltering, 'alwaysAllowedQueryStrings'), 'add', 'queryString'),
    },
    staticContent: {
      ...read<Pick<WebServerConfig['staticContent'], 'enableDocFooter' | 'defaultDocFooter' | 'isDocFooterFileName'>>(schema.STATIC_CONTENT_SCHEMA, staticContent),
      // Made when first read — by the static file handler, on the first file it serves — not at every
      // worker's start: ≈376 entries from the baseline that an application whose requests all go to Node
      // never reads. Nothing in them can be refused (no value is parsed), so no 500.19 is put off by it.
      get mimeMaps() {
        return (mimeMaps ??= rawChildren(staticContent, 'mimeMap').map((entry) => ({
          fileExtension: entry.attributes.fileExtension ?? '',
          mimeType: entry.attributes.mimeType ?? '',
        })));
      },
      // The baseline's own section has mimeMaps only (baseline.test.ts): its clientCache is the schema's
      // defaults, read without making the ≈376 children it makes when first asked for them.
      clientCache: read(schema.CLIENT_CACHE_SCHEMA, staticContent && isBaselineSection(staticContent) ? undefined : rawChild(staticContent, 'clientCache')),
    },
    httpLogging: read(schema.HTTP_LOGGING_SCHEMA, section('httpLogging')),
    caching: {
      ...read<Omit<CachingSection, 'profiles'>>(schema.CACHING_SCHEMA, section('caching')),
      profiles: rawChildren(rawChild(section('caching'), 'profiles'), 'add').map((entry) => read<CacheProfile>(schema.CACHE_PROFILE_SCHEMA, entry)),
    },
    serverRuntime: read(schema.SERVER_RUNTIME_SCHEMA, section('serverRuntime')),
    traceFailedRequests: rawChildren(section('tracing/traceFailedRequests'), 'add').map(readTraceRule),
    sections,
  };
}

function readTraceRule(entry: RawElement): TraceFailedRequestsRule {
  return {
    ...read<Omit<TraceFailedRequestsRule, 'traceAreas' | 'failureDefinitions'>>(schema.TRACE_RULE_SCHEMA, entry),
    traceAreas: rawChildren(rawChild(entry, 'traceAreas'), 'add').map((area) => read(schema.TRACE_AREA_SCHEMA, area)),
    failureDefinitions: read(schema.FAILURE_DEFINITIONS_SCHEMA, rawChild(entry, 'failureDefinitions')),
  };
}
