// `webLimits` and poolhost's `httpSys` extension element, both directly under system.applicationHost.

import type { HttpSysParameters, WebLimits, WebManagement } from '../model.js';
import { readAttributes } from '../validation/read-attributes.js';
import type { XmlElement } from '../xml/xml-node.js';
import { child, mapPath, type ReadContext } from './read-context.js';
import { DEFAULT_LOG_DIRECTORY } from './schema/site-schema.js';
import { HTTP_SYS_SCHEMA, WEB_LIMITS_SCHEMA, WEB_MANAGEMENT_SCHEMA } from './schema/server-schema.js';

export function readWebLimits(applicationHost: XmlElement | undefined, context: ReadContext): WebLimits {
  return readAttributes<WebLimits>(WEB_LIMITS_SCHEMA, [child(applicationHost, 'webLimits')], context.diagnostics);
}

/** poolhost's `webManagement` extension: the administration address (IIS keeps it in the registry). */
export function readWebManagement(applicationHost: XmlElement | undefined, context: ReadContext): WebManagement {
  return readAttributes<WebManagement>(WEB_MANAGEMENT_SCHEMA, [child(applicationHost, 'webManagement')], context.diagnostics);
}

/** HTTPERR logs default to `<logs>/HTTPERR`, logs being where `%SystemDrive%\inetpub\logs\LogFiles` maps to. */
export function readHttpSys(applicationHost: XmlElement | undefined, context: ReadContext): HttpSysParameters {
  const parameters = readAttributes<HttpSysParameters>(HTTP_SYS_SCHEMA, [child(applicationHost, 'httpSys')], context.diagnostics);
  parameters.errorLoggingDir =
    parameters.errorLoggingDir.trim() === '' ? `${mapPath(context, DEFAULT_LOG_DIRECTORY)}/HTTPERR` : mapPath(context, parameters.errorLoggingDir);
  return parameters;
}
