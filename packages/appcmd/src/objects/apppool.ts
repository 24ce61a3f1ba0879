// APPPOOL: application pools in system.applicationHost/applicationPools, with their runtime state.
import type { ApplicationPoolStatus, EventJournal } from '@poolhost/protocol';
import { isolationBlock } from './apppool-isolation.js';
import type { ConfigElement } from '@poolhost/config';
import { Errors } from '../errors.js';
import type { AppcmdRecord, ElementView } from '../output/record.js';
import { explicitView, effectiveView } from '../configuration/element-view.js';
import { applyPropertyParameter } from '../configuration/property-edit.js';
import { listVerb, targetsOf } from './list-verb.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';

const SECTION = 'system.applicationHost/applicationPools';
const POOL_PATH = `${SECTION}/add`;
const POOL_CHILDREN = ['processModel', 'recycling/periodicRestart', 'failure', 'cpu'];
const FORBIDDEN = '|<>&"/[]+=;:,?*@';

export function poolElements(context: CommandContext): ConfigElement[] {
  return context.document().find(SECTION)?.children('add') ?? [];
}

export function findPool(context: CommandContext, name: string): ConfigElement | undefined {
  return poolElements(context).find((pool) => (pool.get('name') ?? '').toLowerCase() === name.toLowerCase());
}

async function poolStates(context: CommandContext): Promise<Map<string, ApplicationPoolStatus> | undefined> {
  const reply = await context.runtime.tryRequest('was', { type: 'ListApplicationPools' });
  return reply && new Map(reply.applicationPools.map((pool) => [pool.name.toLowerCase(), pool]));
}

function historyBlock(journal: EventJournal): ElementView {
  return {
    name: 'workerProcessHistory',
    attributes: [],
    children: journal.workerHistory.map((entry) => ({
      name: 'workerProcess',
      attributes: [
        ['pid', String(entry.pid)],
        ['startTime', entry.startedAt],
        ['endTime', entry.endedAt],
        ['reason', entry.reason],
      ],
      children: [],
    })),
  };
}

export async function poolRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const states = await poolStates(context);
  const model = context.model();
  const defaults = context.document().find(`${SECTION}/applicationPoolDefaults`);
  const detailed = context.output.text === '*';
  const records: AppcmdRecord[] = [];
  for (const element of poolElements(context)) {
    const name = element.get('name') ?? '';
    const pool = model.applicationPools.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    const version = pool?.managedRuntimeVersion ?? '';
    const mode = pool?.managedPipelineMode ?? 'Integrated';
    const status = states?.get(name.toLowerCase());
    const state = status?.state ?? 'Unknown';
    const record: AppcmdRecord = {
      objectType: 'APPPOOL',
      identifier: name,
      summary: `MgdVersion:${version},MgdMode:${mode},state:${state}`,
      properties: [
        ['APPPOOL.NAME', name],
        ['PipelineMode', mode],
        ['RuntimeVersion', version],
        ['state', state],
      ],
      element: explicitView(element),
      effectiveElement: effectiveView({ element, path: POOL_PATH, childNames: POOL_CHILDREN, defaults: [defaults] }),
      ...(detailed && status?.isolation ? { extraBlocks: [isolationBlock(status.isolation)] } : {}),
    };
    records.push(record);
  }
  if (detailed && context.identifier !== undefined) {
    // poolhost beyond IIS: the pool's recent workers and why each ended.
    for (const record of records.filter((r) => r.identifier.toLowerCase() === context.identifier!.toLowerCase())) {
      const journal = await context.runtime.tryRequest('was', { type: 'GetEventJournal', applicationPool: record.identifier, limit: 20 });
      if (journal) record.extraBlocks = [...(record.extraBlocks ?? []), historyBlock(journal)];
    }
  }
  return records;
}

function requireIdentifier(context: CommandContext, verb: string): string {
  const name = context.identifier ?? propertyValue(context, 'apppool.name');
  if (name === undefined) throw Errors.mustUseExactIdentifier('APPPOOL', verb);
  return name;
}

const add: VerbDefinition = {
  summary: 'Add new application pool',
  usage: ['/name:<string>  application pool name (required)', '/<attribute>:<value>  any attribute of the pool, e.g. /managedPipelineMode:Classic, /processModel.idleTimeout:00:10:00'],
  async run(context) {
    const name = propertyValue(context, 'name') ?? context.identifier;
    if (name === undefined || name.trim() === '') throw Errors.missingRequired("Missing required attribute 'name'.");
    if ([...name].some((character) => FORBIDDEN.includes(character))) throw Errors.invalidValue('Invalid application pool name');
    if (findPool(context, name)) throw Errors.duplicate(name);
    const document = context.document();
    const section = document.ensure(SECTION);
    const before = section.child('applicationPoolDefaults');
    const element = section.addChild('add', { name }, before ? { before } : {});
    for (const parameter of otherProperties(context, ['name'])) applyPropertyParameter({ element, path: POOL_PATH }, parameter);
    context.commit();
    context.write(`APPPOOL object "${name}" added`);
  },
};

const set: VerbDefinition = {
  summary: 'Configure application pool',
  usage: ['<identifier>  application pool name', '/<attribute>:<value>  e.g. /managedRuntimeVersion:v4.0, /processModel.pingingEnabled:false', '/+<collection>.[key=\'value\']  /-<collection>.[key=\'value\']'],
  async run(context) {
    const name = requireIdentifier(context, 'set');
    const element = findPool(context, name);
    if (!element) throw Errors.cannotFind('APPPOOL', name);
    for (const parameter of otherProperties(context, ['apppool.name'])) applyPropertyParameter({ element, path: POOL_PATH }, parameter);
    context.commit();
    context.write(`APPPOOL object "${element.get('name')}" changed`);
  },
};

const remove: VerbDefinition = {
  summary: 'Delete application pool',
  usage: ['<identifier>  application pool name'],
  async run(context) {
    const name = requireIdentifier(context, 'delete');
    const element = findPool(context, name);
    if (!element) throw Errors.cannotFind('APPPOOL', name);
    const shown = element.get('name') ?? name;
    element.remove();
    context.commit();
    context.write(`APPPOOL object "${shown}" deleted`);
  },
};

type RuntimeAction = 'start' | 'stop' | 'recycle';

function runtimeVerb(action: RuntimeAction, summary: string): VerbDefinition {
  return {
    summary,
    usage: ['<identifier>  application pool name, or /apppool.name:<name>, or /in to read pools piped from another appcmd /xml'],
    async run(context) {
      const targets = await targetsOf(context, poolRecords);
      if (targets.length === 0 && !context.input) throw Errors.mustSpecify('APPPOOL');
      for (const record of targets) {
        const state = record.properties.find(([key]) => key === 'state')?.[1];
        if (state === 'Unknown') throw Errors.serviceUnavailable();
        if (action === 'start' && state === 'Started') throw Errors.alreadyRunning();
        if ((action === 'stop' || action === 'recycle') && state === 'Stopped') throw Errors.notStarted();
        const type = action === 'start' ? 'StartApplicationPool' : action === 'stop' ? 'StopApplicationPool' : 'RecycleApplicationPool';
        await context.runtime.request('was', { type, name: record.identifier });
        context.write(action === 'recycle' ? `"${record.identifier}" successfully recycled` : `"${record.identifier}" successfully ${action === 'start' ? 'started' : 'stopped'}.`);
      }
    },
  };
}

export const apppoolObject: ObjectTypeDefinition = {
  name: 'APPPOOL',
  aliases: ['apppool', 'apppools'],
  description: 'Administration of application pools',
  verbs: {
    list: listVerb(poolRecords, ['<identifier>  application pool name', '/<attribute>:<value>  filter, e.g. /state:Started, /managedPipelineMode:Classic']),
    set,
    add,
    delete: remove,
    start: runtimeVerb('start', 'Start application pool'),
    stop: runtimeVerb('stop', 'Stop application pool'),
    recycle: runtimeVerb('recycle', 'Recycle application pool'),
  },
};
