// `system.applicationHost/applicationPools` → ApplicationPool[] with applicationPoolDefaults applied.

import type { ApplicationPool, EnvironmentVariable } from '../model.js';
import { ConfigErrors } from '../validation/error-registry.js';
import { checkAttributeNames, type AttributeNames } from '../validation/attribute-names.js';
import { readAttributes } from '../validation/read-attributes.js';
import { parseAttributeValue } from '../values/attribute-type.js';
import type { XmlElement } from '../xml/xml-node.js';
import { childElements, findAttribute } from '../xml/xml-node.js';
import { collectionEntries } from './collection-entries.js';
import { child, positionOf, type ReadContext } from './read-context.js';
import {
  APPLICATION_POOLS_SCHEMA,
  APPLICATION_POOL_SCHEMA,
  CPU_SCHEMA,
  FAILURE_SCHEMA,
  PERIODIC_RESTART_SCHEMA,
  PROCESS_MODEL_SCHEMA,
  RECYCLING_SCHEMA,
  SCHEDULE_ENTRY_SCHEMA,
} from './schema/application-pool-schema.js';
import { ELEMENT_ATTRIBUTES } from './schema/element-attributes.js';

type PoolSettings = Omit<ApplicationPool, 'name' | 'position'>;

const POOL_NAME_FORBIDDEN = '|<>&"/[]+=;:,?*@';

export interface ApplicationPoolsRead {
  applicationPoolDefaults: PoolSettings;
  applicationPools: ApplicationPool[];
  /** `<applicationPools spareWorkers>` (poolhost extension). */
  spareWorkers: number;
}

export function readApplicationPools(section: XmlElement | undefined, context: ReadContext): ApplicationPoolsRead {
  const defaults = child(section, 'applicationPoolDefaults');
  const applicationPools: ApplicationPool[] = [];
  const seen = new Map<string, XmlElement>();
  checkAttributeNames(section, ELEMENT_ATTRIBUTES.applicationPools, context.diagnostics);
  for (const add of section ? childElements(section, 'add') : []) {
    checkAttributeNames(add, ELEMENT_ATTRIBUTES.applicationPool, context.diagnostics);
    const nameAttribute = findAttribute(add, 'name');
    if (!nameAttribute || nameAttribute.value.trim() === '') {
      context.diagnostics.report(ConfigErrors.missingAttribute, { element: 'add', attribute: 'name' }, add.start);
      continue;
    }
    const name = nameAttribute.value;
    const forbidden = [...name].find((character) => POOL_NAME_FORBIDDEN.includes(character));
    if (forbidden) context.diagnostics.report(ConfigErrors.invalidPoolName, { value: name, character: forbidden }, nameAttribute.start);
    const first = seen.get(name.toLowerCase());
    if (first) {
      context.diagnostics.report(ConfigErrors.duplicatePool, { value: name, first: context.diagnostics.where(first.start) }, nameAttribute.start);
      continue;
    }
    seen.set(name.toLowerCase(), add);
    applicationPools.push({ name, ...readPoolSettings(add, defaults, context), position: positionOf(context, add) });
  }
  const { spareWorkers } = readAttributes<{ spareWorkers: number }>(APPLICATION_POOLS_SCHEMA, [section], context.diagnostics);
  checkAttributeNames(defaults, ELEMENT_ATTRIBUTES.applicationPoolDefaults, context.diagnostics);
  return { applicationPoolDefaults: readPoolSettings(defaults, undefined, context), applicationPools, spareWorkers };
}

const POOL_CHILDREN: Array<[string, AttributeNames]> = [
  ['processModel', ELEMENT_ATTRIBUTES.processModel],
  ['recycling', ELEMENT_ATTRIBUTES.recycling],
  ['failure', ELEMENT_ATTRIBUTES.failure],
  ['cpu', ELEMENT_ATTRIBUTES.cpu],
];

/** `pool` is an `<add>` or applicationPoolDefaults; the attributes of its own children are checked here (each once). */
function readPoolSettings(pool: XmlElement | undefined, defaults: XmlElement | undefined, context: ReadContext): PoolSettings {
  const d = context.diagnostics;
  for (const [name, names] of POOL_CHILDREN) checkAttributeNames(child(pool, name), names, d);
  checkAttributeNames(child(child(pool, 'recycling'), 'periodicRestart'), ELEMENT_ATTRIBUTES.periodicRestart, d);
  const both = (name: string): Array<XmlElement | undefined> => [child(pool, name), child(defaults, name)];
  const [recycling, defaultRecycling] = both('recycling');
  const periodicRestart = child(recycling, 'periodicRestart');
  const defaultPeriodicRestart = child(defaultRecycling, 'periodicRestart');
  const top = readAttributes<Omit<PoolSettings, 'processModel' | 'recycling' | 'failure' | 'cpu' | 'environmentVariables'>>(
    APPLICATION_POOL_SCHEMA,
    [pool, defaults],
    d,
  );
  return {
    ...top,
    processModel: readAttributes(PROCESS_MODEL_SCHEMA, both('processModel'), d),
    recycling: {
      ...readAttributes<Omit<PoolSettings['recycling'], 'periodicRestart'>>(RECYCLING_SCHEMA, [recycling, defaultRecycling], d),
      periodicRestart: {
        ...readAttributes<Omit<PoolSettings['recycling']['periodicRestart'], 'schedule'>>(
          PERIODIC_RESTART_SCHEMA,
          [periodicRestart, defaultPeriodicRestart],
          d,
        ),
        schedule: readSchedule(child(periodicRestart, 'schedule'), child(defaultPeriodicRestart, 'schedule'), context),
      },
    },
    failure: readAttributes(FAILURE_SCHEMA, both('failure'), d),
    cpu: readAttributes(CPU_SCHEMA, both('cpu'), d),
    environmentVariables: readEnvironmentVariables(child(pool, 'environmentVariables'), child(defaults, 'environmentVariables'), context),
  };
}

function readSchedule(own: XmlElement | undefined, inherited: XmlElement | undefined, context: ReadContext): number[] {
  const entries = collectionEntries(collectionEntries([], inherited, 'value'), own, 'value');
  const times: number[] = [];
  for (const entry of entries) {
    checkAttributeNames(entry, ELEMENT_ATTRIBUTES.scheduleEntry, context.diagnostics);
    const value = readAttributes<{ value: number }>(SCHEDULE_ENTRY_SCHEMA, [entry], context.diagnostics).value;
    if (!findAttribute(entry, 'value')) context.diagnostics.report(ConfigErrors.missingAttribute, { element: 'add', attribute: 'value' }, entry.start);
    else if (parseAttributeValue(SCHEDULE_ENTRY_SCHEMA.value!.type, findAttribute(entry, 'value')!.value).ok) times.push(value);
  }
  return times;
}

function readEnvironmentVariables(own: XmlElement | undefined, inherited: XmlElement | undefined, context: ReadContext): EnvironmentVariable[] {
  const entries = collectionEntries(collectionEntries([], inherited, 'name'), own, 'name');
  const variables: EnvironmentVariable[] = [];
  for (const entry of entries) {
    checkAttributeNames(entry, ELEMENT_ATTRIBUTES.environmentVariable, context.diagnostics);
    const name = findAttribute(entry, 'name');
    if (!name || name.value === '') {
      context.diagnostics.report(ConfigErrors.missingAttribute, { element: 'add', attribute: 'name' }, entry.start);
      continue;
    }
    variables.push({ name: name.value, value: findAttribute(entry, 'value')?.value ?? '' });
  }
  return variables;
}
