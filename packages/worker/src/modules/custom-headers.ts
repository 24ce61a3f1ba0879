// ProtocolSupportModule's part in every request: `httpProtocol/customHeaders` added at BeginRequest
// (the application may still change them). Nothing subscribes when the list is empty.
import type { RawElement } from '@poolhost/config';
import type { HttpContext } from '../pipeline/http-context.js';
import type { HttpModule } from '../pipeline/http-module.js';

export function customHeadersModule(httpProtocol: RawElement | undefined): HttpModule | null {
  const list = httpProtocol?.children.find((child) => child.name === 'customHeaders');
  const headers = (list?.children ?? []).filter((entry) => entry.name === 'add' && entry.attributes.name).map((entry) => [entry.attributes.name!, entry.attributes.value ?? ''] as const);
  if (headers.length === 0) return null;
  const beginRequest = (context: HttpContext): void => {
    for (const [name, value] of headers) context.res.setHeader(name, value);
  };
  return { name: 'ProtocolSupportModule', stages: { BeginRequest: beginRequest } };
}
