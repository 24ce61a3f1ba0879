// IIS server variables that make sense for a Node application on Linux (docs/hosting.md). Computed on
// demand: `req.serverVariables` (a getter installed once on IncomingMessage.prototype), URL Rewrite's
// {NAME} references, and iisnode's promoteServerVars (`x-iisnode-<name>` request headers).
import { IncomingMessage } from 'node:http';
import { httpContextOf, type HttpContext } from './http-context.js';
import { clientCertificateOf } from './ssl-access.js';
import { isWarmUpRequest } from '../hosting/application-initialization.js';

export const SERVER_VARIABLE_NAMES = [
  'APP_POOL_ID', 'APP_WARMING_UP', 'APPL_MD_PATH', 'APPL_PHYSICAL_PATH', 'AUTH_TYPE', 'AUTH_USER', 'CERT_FLAGS', 'CERT_ISSUER', 'CERT_SERIALNUMBER',
  'CERT_SUBJECT', 'CONTENT_LENGTH', 'CONTENT_TYPE', 'HTTPS', 'HTTP_URL',
  'INSTANCE_ID', 'INSTANCE_NAME', 'LOCAL_ADDR', 'LOGON_USER', 'PATH_INFO', 'PATH_TRANSLATED', 'QUERY_STRING', 'REMOTE_ADDR', 'REMOTE_HOST',
  'REMOTE_PORT', 'REMOTE_USER', 'REQUEST_FILENAME', 'REQUEST_METHOD', 'REQUEST_URI', 'SCRIPT_NAME', 'SERVER_NAME', 'SERVER_PORT',
  'SERVER_PORT_SECURE', 'SERVER_PROTOCOL', 'SERVER_SOFTWARE', 'UNENCODED_URL', 'URL',
] as const;

export function serverVariable(context: HttpContext, name: string): string {
  const req = context.req;
  const application = context.application;
  const https = application.isHttps(req.socket.localPort ?? 0);
  switch (name.toUpperCase()) {
    case 'APP_POOL_ID':
      return application.setup.applicationPool;
    case 'APP_WARMING_UP':
      return isWarmUpRequest(req) ? '1' : '';
    case 'APPL_MD_PATH':
      return `/LM/W3SVC/${application.siteId}/ROOT${application.path === '/' ? '' : application.path}`;
    case 'APPL_PHYSICAL_PATH':
      return application.setup.physicalPath.endsWith('/') ? application.setup.physicalPath : `${application.setup.physicalPath}/`;
    case 'AUTH_TYPE':
      return context.authenticationType;
    case 'AUTH_USER':
    case 'LOGON_USER':
    case 'REMOTE_USER':
      return context.user ?? '';
    case 'CERT_SUBJECT':
      return clientCertificateOf(context)?.subject ?? '';
    case 'CERT_ISSUER':
      return clientCertificateOf(context)?.issuer ?? '';
    case 'CERT_SERIALNUMBER':
      // IIS spells the serial as hyphen-separated bytes.
      return (clientCertificateOf(context)?.serialNumber.toLowerCase().padStart(2, '0').replace(/^(.(..)*)$/, '0$1').match(/../g) ?? []).join('-');
    case 'CERT_FLAGS': {
      // Bit 0: a client certificate is present; bit 1: its issuer is not trusted (reference iis-2.md §1.4).
      const certificate = clientCertificateOf(context);
      return certificate ? String(certificate.status === 'untrusted' ? 3 : 1) : '0';
    }
    case 'CONTENT_LENGTH':
      return req.headers['content-length'] ?? '0';
    case 'CONTENT_TYPE':
      return req.headers['content-type'] ?? '';
    case 'HTTPS':
      return https ? 'on' : 'off';
    case 'SERVER_PORT_SECURE':
      return https ? '1' : '0';
    case 'HTTP_URL':
    case 'UNENCODED_URL':
    case 'REQUEST_URI':
      return req.url ?? '/';
    case 'INSTANCE_ID':
      return String(application.siteId);
    case 'INSTANCE_NAME':
      return application.siteName.toUpperCase();
    case 'LOCAL_ADDR':
      return req.socket.localAddress ?? '';
    case 'PATH_INFO':
    case 'SCRIPT_NAME':
    case 'URL':
      return context.path;
    case 'PATH_TRANSLATED':
    case 'REQUEST_FILENAME':
      return context.physicalPath ?? '';
    case 'QUERY_STRING':
      return context.query;
    case 'REMOTE_ADDR':
    case 'REMOTE_HOST':
      return req.socket.remoteAddress ?? '';
    case 'REMOTE_PORT':
      return String(req.socket.remotePort ?? '');
    case 'REQUEST_METHOD':
      return req.method ?? '';
    case 'SERVER_NAME': {
      const host = req.headers.host ?? '';
      return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    }
    case 'SERVER_PORT':
      return String(req.socket.localPort ?? '');
    case 'SERVER_PROTOCOL':
      return `HTTP/${req.httpVersion}`;
    case 'SERVER_SOFTWARE':
      return 'Microsoft-IIS/10.0';
    default: {
      // HTTP_<NAME>: a request header, `_` for `-`.
      if (name.toUpperCase().startsWith('HTTP_')) {
        const value = req.headers[name.slice(5).toLowerCase().replaceAll('_', '-')];
        return Array.isArray(value) ? value.join(', ') : (value ?? '');
      }
      return '';
    }
  }
}

/** All of SERVER_VARIABLE_NAMES for one request, as a plain object. */
export function serverVariables(context: HttpContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SERVER_VARIABLE_NAMES) out[name] = serverVariable(context, name);
  return out;
}

let installed = false;

/** `req.serverVariables` for requests that went through the pipeline (undefined otherwise). */
export function installServerVariablesGetter(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(IncomingMessage.prototype, 'serverVariables', {
    configurable: true,
    get(this: IncomingMessage) {
      const context = httpContextOf(this);
      return context ? serverVariables(context) : undefined;
    },
  });
}
