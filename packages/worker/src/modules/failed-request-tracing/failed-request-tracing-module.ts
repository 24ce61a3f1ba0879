// FailedRequestsTracingModule (reference §11). BeginRequest: a request whose file name matches a
// traceFailedRequests rule (and whose site has traceFailedRequestsLogging enabled) gets a TraceBuffer;
// the pipeline then records NOTIFY_MODULE_START/END for every module of every stage, with timings, and
// MODULE_SET_RESPONSE_ERROR_STATUS on the error path. EndRequest: if the final status is in the rule's
// statusCodes, or the request took at least its timeTaken, the trace is written; otherwise dropped.
// (IIS also writes a timeTaken trace while the request is still running; poolhost writes it at the end.)
import { hostname } from 'node:os';
import type { TraceFailedRequestsRule } from '@poolhost/config';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { HttpModule } from '../../pipeline/http-module.js';
import { fileNameOf } from '../../pipeline/handler-mapping.js';
import { TraceBuffer, type TraceEvent } from './trace-buffer.js';
import type { TraceFileWriter } from './trace-file-writer.js';
import { compileTraceRules, statusMatches } from './trace-rules.js';

const WWW_SERVER = '{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}';
/** How long a trace waits for httpsys to say whether it stored an offered response (it says so as the response ends). */
const HTTPSYS_VERDICT_WAIT_MS = 5_000;
const xml = (text: string): string => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function failedRequestTracingModule(rules: TraceFailedRequestsRule[], writer: TraceFileWriter, applicationPool: string): HttpModule | null {
  if (!writer.enabled || rules.length === 0) return null;
  const compiled = compileTraceRules(rules);

  const beginRequest = (context: HttpContext): void => {
    const fileName = fileNameOf(context.path);
    const rule = compiled.find((candidate) => candidate.matchesPath(fileName));
    if (!rule) return;
    const trace = new TraceBuffer(rule);
    context.trace = trace;
    const req = context.req;
    trace.event('GENERAL_REQUEST_START', { SiteId: context.application.siteId, AppPoolId: applicationPool, RequestURL: req.url ?? '', RequestVerb: req.method ?? '' });
    trace.event('GENERAL_ENDPOINT_INFORMATION', { RemoteAddress: req.socket.remoteAddress ?? '', RemotePort: req.socket.remotePort ?? 0, LocalAddress: req.socket.localAddress ?? '', LocalPort: req.socket.localPort ?? 0 });
    trace.event('GENERAL_REQUEST_HEADERS', { Headers: rawHeaderBlock(req.rawHeaders) });
  };

  const endRequest = (context: HttpContext): void => {
    const trace = context.trace;
    if (trace === null) return;
    const status = context.res.statusCode;
    const timeTaken = Date.now() - context.startedAt;
    trace.event('GENERAL_RESPONSE_HEADERS', { Headers: responseHeaderBlock(context) });
    trace.event('GENERAL_REQUEST_END', { BytesSent: context.req.socket.bytesWritten ?? 0, BytesReceived: context.req.socket.bytesRead ?? 0, HttpStatus: status, HttpSubStatus: context.subStatus });
    const byStatus = statusMatches(trace.rule.statusCodes, status, context.subStatus);
    const byTime = trace.rule.timeTaken > 0 && timeTaken >= trace.rule.timeTaken;
    if (!byStatus && !byTime) return;
    const write = (): void => void writer.write(renderTrace(context, trace, byStatus ? 'STATUS_CODE' : 'TIME_TAKEN', timeTaken, applicationPool));
    // httpsys' word on a response offered to its cache (HTTPSYS_CACHEABLE) comes once the response is complete.
    const settled = trace.settled(HTTPSYS_VERDICT_WAIT_MS);
    if (settled === null) write();
    else void settled.then(write);
  };

  return { name: 'FailedRequestsTracingModule', stages: { BeginRequest: beginRequest, EndRequest: endRequest } };
}

function rawHeaderBlock(raw: string[]): string {
  let out = '';
  for (let index = 0; index + 1 < raw.length; index += 2) out += `${raw[index]}: ${raw[index + 1]}\n`;
  return out;
}

function responseHeaderBlock(context: HttpContext): string {
  const headers = context.res.getHeaders();
  return Object.entries(headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}\n`).join('');
}

export function renderTrace(context: HttpContext, trace: TraceBuffer, failureReason: string, timeTaken: number, applicationPool: string): string {
  const req = context.req;
  const status = `${context.res.statusCode}.${context.subStatus}`;
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const attributes: Array<[string, string]> = [
    ['url', url],
    ['siteId', String(context.application.siteId)],
    ['appPoolId', applicationPool],
    ['processId', String(process.pid)],
    ['verb', req.method ?? ''],
    ['remoteUserName', context.user ?? ''],
    ['userName', context.user ?? ''],
    ['tokenUserName', context.user ? context.user : 'NT AUTHORITY\\IUSR'],
    ['authenticationType', context.authenticationType || 'anonymous'],
    ['activityId', trace.activityId],
    ['failureReason', failureReason],
    ['statusCode', status],
    ['triggerStatusCode', status],
    ['timeTaken', String(timeTaken)],
  ];
  const computer = xml(hostname());
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<?xml-stylesheet type='text/xsl' href='freb.xsl'?>",
    '<!-- saved from url=(0014)about:internet -->',
    `<failedRequest ${attributes.map(([name, value]) => `${name}="${xml(value)}"`).join('\n               ')}\n               xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb">`,
    ...trace.events.map((event) => renderEvent(event, trace.activityId, computer)),
    '</failedRequest>',
    '',
  ];
  return lines.join('\n');
}

function renderEvent(event: TraceEvent, activityId: string, computer: string): string {
  const data = event.data.map(([name, value]) => `  <Data Name="${xml(name)}">${xml(value)}</Data>`).join('\n');
  return [
    ' <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    '  <System>',
    `   <Provider Name="WWW Server" Guid="${WWW_SERVER}"/>`,
    '   <EventID>0</EventID>',
    '   <Version>1</Version>',
    '   <Level>5</Level>',
    '   <Keywords>0x0</Keywords>',
    `   <TimeCreated SystemTime="${new Date(event.time).toISOString()}"/>`,
    `   <Correlation ActivityID="${activityId}"/>`,
    `   <Execution ProcessID="${process.pid}" ThreadID="0"/>`,
    `   <Computer>${computer}</Computer>`,
    '  </System>',
    '  <EventData>',
    `  <Data Name="ContextId">${activityId}</Data>`,
    data,
    '  </EventData>',
    '  <RenderingInfo Culture="en-US">',
    `   <Opcode>${event.opcode}</Opcode>`,
    '  </RenderingInfo>',
    ' </Event>',
  ].join('\n');
}
