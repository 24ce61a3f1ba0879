// TRACE: failed-request trace files (reference §11) under each site's
// `traceFailedRequestsLogging@directory/W3SVC<id>/fr*.xml`. `list` summarises each file's
// <failedRequest> root; `inspect` also lists its events. No files: list prints nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Errors } from '../errors.js';
import type { AppcmdRecord, ElementView } from '../output/record.js';
import { renderList } from '../output/render-list.js';
import { selectFrom } from './list-verb.js';
import { otherProperties, propertyValue, type CommandContext, type ObjectTypeDefinition, type VerbDefinition } from './command-context.js';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string): string => text.replace(/&(\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole);

/** Attributes of the first element named `name` in `xml`. */
export function elementAttributes(xml: string, name: string): Map<string, string> | undefined {
  const match = new RegExp(`<${name}\\b([^>]*)>`).exec(xml);
  if (!match) return undefined;
  const attributes = new Map<string, string>();
  for (const attribute of match[1]!.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes.set(attribute[1]!, decode(attribute[2] ?? attribute[3] ?? ''));
  return attributes;
}

/** The events of a trace file: opcode name (or event id), time, and data values. */
export function traceEvents(xml: string): ElementView[] {
  const events: ElementView[] = [];
  for (const match of xml.matchAll(/<Event\b[\s\S]*?<\/Event>/g)) {
    const body = match[0];
    const opcode = /<Opcode>([^<]*)<\/Opcode>/.exec(body.slice(body.indexOf('<RenderingInfo')))?.[1] ?? /<EventID>([^<]*)<\/EventID>/.exec(body)?.[1] ?? '';
    const time = /<TimeCreated\s+SystemTime="([^"]*)"/.exec(body)?.[1] ?? '';
    const data: Array<[string, string]> = [...body.matchAll(/<Data Name="([^"]*)">([^<]*)<\/Data>/g)].map((item) => [item[1]!, decode(item[2]!)]);
    events.push({ name: 'event', attributes: [['name', opcode], ['time', time], ...data], children: [] });
  }
  return events;
}

export function traceRecord(siteName: string, siteId: number, file: string, xml: string): AppcmdRecord | undefined {
  const root = elementAttributes(xml, 'failedRequest');
  if (!root) return undefined;
  const fileName = file.slice(file.lastIndexOf('/') + 1);
  const get = (key: string): string => root.get(key) ?? '';
  return {
    objectType: 'TRACE',
    detailHeading: 'TRACELOG',
    identifier: `${siteName}/${fileName}`,
    summary: `url:${get('url')},statuscode:${get('statusCode')},wp:${get('processId')}`,
    properties: [
      ['TRACE.NAME', `${siteName}/${fileName}`],
      ['PATH', file],
      ['URL', get('url')],
      ['STATUSCODE', get('statusCode')],
      ['SITE.ID', String(siteId)],
      ['SITE.NAME', siteName],
      ['WP.NAME', get('processId')],
      ['APPPOOL.NAME', get('appPoolId')],
      ...(['verb', 'remoteUserName', 'userName', 'tokenUserName', 'authenticationType', 'activityId', 'failureReason', 'triggerStatusCode', 'timeTaken'] as const).map(
        (key): [string, string] => [key, get(key)],
      ),
    ],
  };
}

async function traceRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const records: AppcmdRecord[] = [];
  for (const site of context.model().sites) {
    const folder = join(site.traceFailedRequestsLogging.directory, `W3SVC${site.id}`);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((file) => /^fr\d+\.xml$/i.test(file)).sort()) {
      const file = join(folder, name);
      const record = traceRecord(site.name, site.id, file, readFileSync(file, 'utf8'));
      if (record) records.push(record);
    }
  }
  return records;
}

const list: VerbDefinition = {
  summary: 'List failed request trace logs',
  usage: ['<identifier>  trace name, e.g. "Default Web Site/fr000001.xml"', '/site.name:<name>  traces of one site', '/statuscode:<code>, /url:<url>, /wp.name:<pid>  filters'],
  async run(context) {
    const records = selectFrom(context, await traceRecords(context));
    for (const line of renderList(records, context.output)) context.write(line);
  },
};

const inspect: VerbDefinition = {
  summary: 'Inspect a failed request trace log',
  usage: ['<identifier>  trace name, e.g. "Default Web Site/fr000001.xml"', '/event.name:<opcode>  only events with this name'],
  async run(context) {
    const name = context.identifier ?? propertyValue(context, 'trace.name');
    if (name === undefined) throw Errors.mustSpecify('TRACE');
    const record = (await traceRecords(context)).find((candidate) => candidate.identifier.toLowerCase() === name.toLowerCase());
    if (!record) throw Errors.cannotFind('TRACE', name);
    const path = record.properties.find(([key]) => key === 'PATH')![1];
    const wanted = propertyValue(context, 'event.name');
    const events = traceEvents(readFileSync(path, 'utf8')).filter((event) => wanted === undefined || event.attributes[0]![1].toLowerCase() === wanted.toLowerCase());
    const eventRecords: AppcmdRecord[] = events.map((event, index) => ({
      objectType: 'TRACEEVENT',
      identifier: `${record.identifier}#${index + 1}`,
      summary: `${event.attributes[0]![1]}${event.attributes[1]![1] ? `, time:${event.attributes[1]![1]}` : ''}`,
      properties: [['TRACEEVENT.NAME', `${record.identifier}#${index + 1}`], ...event.attributes],
    }));
    for (const line of renderList(selectFrom({ ...context, identifier: undefined }, eventRecords, otherProperties(context, ['trace.name', 'event.name'])), context.output)) context.write(line);
  },
};

export const traceObject: ObjectTypeDefinition = {
  name: 'TRACE',
  aliases: ['trace', 'traces'],
  description: 'Working with failed request trace logs',
  verbs: { list, inspect },
};
