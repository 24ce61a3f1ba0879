// One HTTPERR record (reference §7.5): W3C-style, single-space separated, UTC, spaces and control
// characters inside a field become `+`, a missing value is `-`.

export interface HttpErrRecord {
  clientIp?: string;
  clientPort?: number;
  serverIp?: string;
  serverPort?: number;
  /** `HTTP/1.1`; missing when the request line was not parsed. */
  protocolVersion?: string;
  method?: string;
  /** Cooked URL with `?query`. */
  uri?: string;
  statusCode?: number;
  siteId?: number;
  /** IIS reason phrase: `QueueFull`, `Hostname`, `Timer_ConnectionIdle`, … (never empty). */
  reason: string;
  /** The request queue (application pool) name. */
  queueName?: string;
  /** HTTP/2's stream id (absent for HTTP/1.x). */
  streamId?: number;
}

export const HTTPERR_FIELDS = 'date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename';

const UNSAFE = /[\s\x00-\x1f\x7f]/g;

function field(value: string | number | undefined, maxLength = 4096): string {
  if (value === undefined || value === '') return '-';
  const text = typeof value === 'number' ? String(value) : value;
  const clipped = text.length > maxLength ? text.slice(0, maxLength) : text;
  return clipped.replace(UNSAFE, '+');
}

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `YYYY-MM-DD` and `HH:MM:SS`, UTC. */
export function w3cDateTime(date: Date): [string, string] {
  return [
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`,
  ];
}

export function formatHttpErrLine(record: HttpErrRecord, at: Date): string {
  const [date, time] = w3cDateTime(at);
  // streamid is HTTP/2's stream id; for HTTP/1.x HTTP.SYS writes `-`.
  return `${date} ${time} ${field(record.clientIp)} ${field(record.clientPort)} ${field(record.serverIp)} ${field(record.serverPort)} ${field(
    record.protocolVersion,
  )} ${field(record.method, 255)} ${field(record.uri)} ${field(record.streamId)} ${field(record.statusCode)} ${field(record.siteId)} ${field(record.reason)} ${field(
    record.queueName,
  )}\r\n`;
}

export function httpErrFileHeader(at: Date): string {
  const [date, time] = w3cDateTime(at);
  return `#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: ${date} ${time}\r\n#Fields: ${HTTPERR_FIELDS}\r\n`;
}
