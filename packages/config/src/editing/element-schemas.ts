// The schema of each element an editor may touch (appcmd's set/add verbs): its attributes with types,
// defaults and ranges, the attributes it requires, and for collections which element an `add` creates
// and which attributes key it. Paths are element names from <configuration> down, e.g.
// `system.applicationHost/applicationPools/add/processModel` (a <location> wrapper is left out).
// Elements outside this table (unknown or third-party sections) are edited without validation.

import * as pools from '../application-host/schema/application-pool-schema.js';
import * as server from '../application-host/schema/server-schema.js';
import * as sites from '../application-host/schema/site-schema.js';
import * as webServer from '../web-server/web-server-schema.js';
import { KNOWN_COLLECTIONS } from '../web-server/collection-schema.js';
import {
  formatAttributeValue,
  parseAttributeValue,
  string,
  uint,
  UINT_MAX,
  type AttributeSpec,
  type AttributeType,
  type ElementSchema,
} from '../values/attribute-type.js';
import { formatTimeSpan } from '../values/time-span.js';

export type { AttributeSpec, AttributeType, ElementSchema };
export { formatAttributeValue, parseAttributeValue };

export interface ElementDescription {
  attributes: ElementSchema;
  /** Attributes an element must carry (`name` of a pool, `path` of an application). */
  required: string[];
}

export interface CollectionDescription {
  /** Element name of an entry (`add`, `site`, `binding`, `application`, `error`). */
  addElement: string;
  /** Attributes that identify an entry (unique or combined key). */
  keys: string[];
}

const AH = 'system.applicationHost';
const WS = 'system.webServer';
const required = (): AttributeSpec => string('', true);
const describe = (attributes: ElementSchema, requiredNames: string[] = []): ElementDescription => ({ attributes, required: requiredNames });

interface Tables {
  elements: Map<string, ElementDescription>;
  collections: Map<string, CollectionDescription>;
}

let tables: Tables | null = null;

/**
 * The tables, built on first use: only editors (appcmd) read them, and every process that loads
 * @poolhost/config would otherwise build them at load — ≈1.4 ms of each worker's start (docs/performance.md,
 * "Demand start without a spare: the wall-clock path").
 */
function elementTables(): Tables {
  tables ??= buildTables();
  return tables;
}

function buildTables(): Tables {
  const elements = new Map<string, ElementDescription>();
  const add = (paths: string[], description: ElementDescription): void => paths.forEach((path) => elements.set(path.toLowerCase(), description));

  const POOL = `${AH}/applicationPools/add`;
  const POOL_DEFAULTS = `${AH}/applicationPools/applicationPoolDefaults`;
  add([POOL], describe({ name: required(), ...pools.APPLICATION_POOL_SCHEMA }, ['name']));
  add([POOL_DEFAULTS], describe(pools.APPLICATION_POOL_SCHEMA));
  add([`${AH}/applicationPools`], describe(pools.APPLICATION_POOLS_SCHEMA));
  for (const base of [POOL, POOL_DEFAULTS]) {
    add([`${base}/processModel`], describe(pools.PROCESS_MODEL_SCHEMA));
    add([`${base}/recycling`], describe(pools.RECYCLING_SCHEMA));
    add([`${base}/recycling/periodicRestart`], describe(pools.PERIODIC_RESTART_SCHEMA));
    add([`${base}/recycling/periodicRestart/schedule/add`], describe(pools.SCHEDULE_ENTRY_SCHEMA, ['value']));
    add([`${base}/failure`], describe(pools.FAILURE_SCHEMA));
    add([`${base}/cpu`], describe(pools.CPU_SCHEMA));
    add([`${base}/environmentVariables/add`], describe({ name: required(), value: string('') }, ['name']));
  }

  const SITE = `${AH}/sites/site`;
  const SITE_DEFAULTS = `${AH}/sites/siteDefaults`;
  add([SITE], describe({ name: required(), id: uint(0, 1, UINT_MAX), ...sites.SITE_SCHEMA }, ['name', 'id']));
  add([SITE_DEFAULTS], describe(sites.SITE_SCHEMA));
  add([`${SITE}/bindings/binding`], describe({ protocol: required(), bindingInformation: required(), ...sites.BINDING_SCHEMA }, ['protocol', 'bindingInformation']));
  for (const base of [SITE, SITE_DEFAULTS]) {
    add([`${base}/limits`], describe(sites.SITE_LIMITS_SCHEMA));
    add([`${base}/logFile`], describe(sites.LOG_FILE_SCHEMA));
    add([`${base}/traceFailedRequestsLogging`], describe(sites.TRACE_FAILED_REQUESTS_LOGGING_SCHEMA));
  }
  add([`${SITE}/application`], describe({ path: required(), ...sites.APPLICATION_SCHEMA }, ['path']));
  add([`${AH}/sites/applicationDefaults`, `${SITE}/applicationDefaults`], describe(sites.APPLICATION_SCHEMA));
  add([`${SITE}/application/virtualDirectory`], describe({ path: required(), ...sites.VIRTUAL_DIRECTORY_SCHEMA }, ['path', 'physicalPath']));
  add(
    [`${AH}/sites/virtualDirectoryDefaults`, `${SITE}/virtualDirectoryDefaults`, `${SITE}/application/virtualDirectoryDefaults`],
    describe(sites.VIRTUAL_DIRECTORY_SCHEMA),
  );
  add([`${AH}/webLimits`], describe(server.WEB_LIMITS_SCHEMA));
  add([`${AH}/httpSys`], describe(server.HTTP_SYS_SCHEMA));
  add([`${AH}/automaticCertificates`], describe(server.AUTOMATIC_CERTIFICATES_SCHEMA));

  add([`${WS}/handlers`], describe(webServer.HANDLERS_SCHEMA));
  add([`${WS}/handlers/add`], describe(webServer.HANDLER_SCHEMA, ['name', 'path', 'verb']));
  add([`${WS}/modules`], describe(webServer.MODULES_SCHEMA));
  add([`${WS}/modules/add`], describe(webServer.MODULE_SCHEMA, ['name']));
  add([`${WS}/defaultDocument`], describe(webServer.DEFAULT_DOCUMENT_SCHEMA));
  add([`${WS}/directoryBrowse`], describe(webServer.DIRECTORY_BROWSE_SCHEMA));
  add([`${WS}/httpErrors`], describe(webServer.HTTP_ERRORS_SCHEMA));
  add([`${WS}/httpErrors/error`], describe(webServer.HTTP_ERROR_SCHEMA, ['statusCode', 'path']));
  add([`${WS}/security/requestFiltering`], describe(webServer.REQUEST_FILTERING_SCHEMA));
  add([`${WS}/security/requestFiltering/fileExtensions`, `${WS}/security/requestFiltering/verbs`], describe(webServer.FILE_EXTENSIONS_SCHEMA));
  add([`${WS}/security/requestFiltering/hiddenSegments`], describe(webServer.HIDDEN_SEGMENTS_SCHEMA));
  add([`${WS}/security/requestFiltering/requestLimits`], describe(webServer.REQUEST_LIMITS_SCHEMA));
  add([`${WS}/staticContent`], describe(webServer.STATIC_CONTENT_SCHEMA));
  add([`${WS}/staticContent/clientCache`], describe(webServer.CLIENT_CACHE_SCHEMA));
  add([`${WS}/httpLogging`], describe(webServer.HTTP_LOGGING_SCHEMA));
  add([`${WS}/iisnode`], describe(webServer.IISNODE_SCHEMA));
  add([`${WS}/tracing/traceFailedRequests/add`], describe(webServer.TRACE_RULE_SCHEMA, ['path']));
  add([`${WS}/tracing/traceFailedRequests/add/traceAreas/add`], describe(webServer.TRACE_AREA_SCHEMA, ['provider']));
  add([`${WS}/tracing/traceFailedRequests/add/failureDefinitions`], describe(webServer.FAILURE_DEFINITIONS_SCHEMA));

  const collectionEntries: Array<[string, CollectionDescription]> = [
    [`${AH}/applicationPools`, { addElement: 'add', keys: ['name'] }],
    [`${POOL}/recycling/periodicRestart/schedule`, { addElement: 'add', keys: ['value'] }],
    [`${POOL}/environmentVariables`, { addElement: 'add', keys: ['name'] }],
    [`${POOL_DEFAULTS}/recycling/periodicRestart/schedule`, { addElement: 'add', keys: ['value'] }],
    [`${POOL_DEFAULTS}/environmentVariables`, { addElement: 'add', keys: ['name'] }],
    [`${AH}/sites`, { addElement: 'site', keys: ['name'] }],
    [`${SITE}/bindings`, { addElement: 'binding', keys: ['protocol', 'bindingInformation'] }],
    [SITE, { addElement: 'application', keys: ['path'] }],
    [`${SITE}/application`, { addElement: 'virtualDirectory', keys: ['path'] }],
    ...Object.entries(KNOWN_COLLECTIONS).map(([path, schema]): [string, CollectionDescription] => [`${WS}/${path}`, { addElement: schema.addElement, keys: schema.keys }]),
  ];
  const collections = new Map<string, CollectionDescription>(collectionEntries.map(([path, description]) => [path.toLowerCase(), description]));
  return { elements, collections };
}

/** Drops a leading `location` step: `location/system.webServer/handlers` → `system.webServer/handlers`. */
function normalise(path: string): string {
  return path.replace(/^\/+/, '').replace(/^location\//i, '').toLowerCase();
}

export function describeElement(path: string): ElementDescription | undefined {
  return elementTables().elements.get(normalise(path));
}

export function describeCollection(path: string): CollectionDescription | undefined {
  return elementTables().collections.get(normalise(path));
}

/**
 * Checks a value about to be written; returns IIS's configuration-system message when it is refused
 * (`Integer value must be between 10 and 65535 inclusive`), or the canonical text to write.
 */
export function checkAttributeValue(spec: AttributeSpec, text: string): { ok: true; text: string } | { ok: false; message: string } {
  const parsed = parseAttributeValue(spec.type, text);
  if (parsed.ok) {
    // Booleans and enums are written in IIS's canonical casing; other values exactly as given.
    const canonical = spec.type.kind === 'bool' || spec.type.kind === 'enum' || spec.type.kind === 'flags' ? formatAttributeValue(spec.type, parsed.value) : text;
    return { ok: true, text: canonical };
  }
  switch (parsed.problem) {
    case 'notBoolean':
      return { ok: false, message: 'Not a valid boolean value' };
    case 'notNumber':
      return { ok: false, message: 'Not a valid unsigned integer' };
    case 'outOfRange':
      return { ok: false, message: `Integer value must be between ${parsed.min} and ${parsed.max} inclusive` };
    case 'notEnum':
      return { ok: false, message: `Enum must be one of ${parsed.values.join(', ')}` };
    case 'notFlags':
      return { ok: false, message: `Flags must be some combination of ${parsed.values.join(', ')}` };
    case 'notTimeSpan':
      return { ok: false, message: `Not a valid timespan value (${parsed.detail})` };
    case 'timeSpanOutOfRange':
    case 'timeSpanGranularity': {
      const type = spec.type as Extract<AttributeType, { kind: 'timeSpan' }>;
      const granularity = type.granularitySeconds ? `, with a granularity of ${type.granularitySeconds} seconds` : '';
      return {
        ok: false,
        message: `Timespan value must be between ${formatTimeSpan(type.minSeconds * 1000)} and ${formatTimeSpan(type.maxSeconds * 1000)} seconds inclusive${granularity}`,
      };
    }
    case 'empty':
      return { ok: false, message: 'String must not be empty' };
  }
}
