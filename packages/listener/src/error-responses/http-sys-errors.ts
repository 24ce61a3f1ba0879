// The responses HTTP.SYS writes itself, byte for byte (reference §7.2): text/html us-ascii, the
// Microsoft-HTTPAPI/2.0 server header, Connection: close, and the fixed HTML body with CRLF line ends.
import { httpDate } from './http-date.js';

export interface HttpSysError {
  statusCode: number;
  /** Status line reason phrase and HTML title. */
  title: string;
  heading: string;
  text: string;
  /** The exact body bytes. */
  body: Buffer;
}

function define(statusCode: number, title: string, heading: string, text: string): HttpSysError {
  const html =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
    `<HTML><HEAD><TITLE>${title}</TITLE>\r\n` +
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
    `<BODY><h2>${heading}</h2>\r\n` +
    `<hr><p>HTTP Error ${statusCode}. ${text}</p>\r\n` +
    '</BODY></HTML>\r\n';
  return { statusCode, title, heading, text, body: Buffer.from(html, 'latin1') };
}

export const HttpSysErrors = {
  ServiceUnavailable: define(503, 'Service Unavailable', 'Service Unavailable', 'The service is unavailable.'),
  InvalidHostname: define(400, 'Bad Request', 'Bad Request - Invalid Hostname', 'The request hostname is invalid.'),
  RequestTooLong: define(400, 'Bad Request', 'Bad Request - Request Too Long', 'The size of the request headers is too long.'),
  BadRequest: define(400, 'Bad Request', 'Bad Request', 'The request is badly formed.'),
  NotFound: define(404, 'Not Found', 'Not Found', 'The requested resource is not found.'),
  LengthRequired: define(411, 'Length Required', 'Length Required', 'The request must be chunked or have a content length.'),
  EntityTooLarge: define(413, 'Request Entity Too Large', 'Request Entity Too Large', 'The request entity is too large.'),
  UrlTooLong: define(414, 'Request URL Too Long', 'Request URL Too Long', 'The request URL is too long.'),
  VersionNotSupported: define(505, 'HTTP Version Not Supported', 'HTTP Version Not Supported', 'The HTTP version is not supported.'),
  // Not in HTTP.SYS: poolhost's answer when the worker serving a request died before responding.
  BadGateway: define(502, 'Bad Gateway', 'Bad Gateway', 'The worker process serving the request ended unexpectedly.'),
} as const;

/** The whole response, as httpsys writes it. */
export function errorResponseBytes(error: HttpSysError): Buffer {
  const head =
    `HTTP/1.1 ${error.statusCode} ${error.title}\r\n` +
    'Content-Type: text/html; charset=us-ascii\r\n' +
    'Server: Microsoft-HTTPAPI/2.0\r\n' +
    `Date: ${httpDate()}\r\n` +
    'Connection: close\r\n' +
    `Content-Length: ${error.body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), error.body]);
}
