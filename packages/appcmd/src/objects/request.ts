// REQUEST: requests executing inside workers right now (reference §10): verb and URL, time elapsed,
// client, pipeline stage and module. `/elapsed:<ms>` keeps requests running at least that long.
import type { RequestList } from '@poolhost/protocol';
import type { ApplicationHostConfig } from '@poolhost/config';
import type { AppcmdRecord } from '../output/record.js';
import { listVerb } from './list-verb.js';
import type { CommandContext, ObjectTypeDefinition } from './command-context.js';
import { applicationName } from './site-tree.js';

type ExecutingRequest = RequestList['requests'][number];

/** The application owning a URL: longest application path that is a segment-aligned prefix (reference §4.6). */
export function owningApplication(config: ApplicationHostConfig, siteId: number, url: string): string | undefined {
  const site = config.sites.find((candidate) => candidate.id === siteId);
  if (!site) return undefined;
  // A net.tcp connection's URL is `net.tcp://<address>:<port><application path>`.
  const slash = url.startsWith('net.tcp://') ? url.indexOf('/', 'net.tcp://'.length) : 0;
  const local = slash < 0 ? '/' : url.slice(slash);
  const path = local.split('?')[0]!.toLowerCase();
  let best: string | undefined;
  for (const application of site.applications) {
    const prefix = application.path.toLowerCase();
    const matches = prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
    if (matches && (best === undefined || prefix.length > best.length)) best = application.path;
  }
  return best === undefined ? undefined : applicationName(site.name, best);
}

export function requestRecord(request: ExecutingRequest, application: string | undefined): AppcmdRecord {
  return {
    objectType: 'REQUEST',
    identifier: request.requestId,
    summary: `url:${request.verb} ${request.url}, time:${request.elapsedMs} msec, client:${request.clientIp}, stage:${request.stage}, module:${request.module}`,
    properties: [
      ['REQUEST.NAME', request.requestId],
      ['WP.NAME', String(request.pid)],
      ['APPPOOL.NAME', request.applicationPool],
      ['SITE.ID', String(request.siteId)],
      ...(application !== undefined ? ([['APP.NAME', application]] as Array<[string, string]>) : []),
      ['verb', request.verb],
      ['url', request.url],
      ['time', String(request.elapsedMs)],
      ['client', request.clientIp],
      ['stage', request.stage],
      ['module', request.module],
    ],
  };
}

export async function requestRecords(context: CommandContext): Promise<AppcmdRecord[]> {
  const reply = await context.runtime.request('was', { type: 'ListRequests' });
  let config: ApplicationHostConfig | undefined;
  try {
    config = context.model();
  } catch {
    config = undefined;
  }
  const elapsed = context.properties.find((parameter) => parameter.operation === 'set' && parameter.name.toLowerCase() === 'elapsed');
  const minimum = elapsed ? Number(elapsed.value ?? 0) : 0;
  return reply.requests
    .filter((request) => request.elapsedMs >= minimum)
    .map((request) => requestRecord(request, config ? owningApplication(config, request.siteId, request.url) : undefined));
}

export const requestObject: ObjectTypeDefinition = {
  name: 'REQUEST',
  aliases: ['request', 'requests'],
  description: 'Administration of HTTP requests (and open net.tcp connections)',
  verbs: {
    list: listVerb(requestRecords, ['<identifier>  request id', '/elapsed:<ms>  requests running at least this long', '/url:<url>, /site.id:<id>, /apppool.name:<name>, /wp.name:<pid>'], {
      filters: (context) => context.properties.filter((parameter) => parameter.name.toLowerCase() !== 'elapsed'),
    }),
  },
};
