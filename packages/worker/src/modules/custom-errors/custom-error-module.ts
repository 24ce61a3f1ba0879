// CustomErrorModule (reference §6.5): renders every error the pipeline sends. errorMode Detailed, or
// DetailedLocalOnly for a local client (loopback, or the server's own address), gets IIS's detailed
// page; otherwise an `<error statusCode subStatusCode path responseMode>` entry (File: that file;
// ExecuteURL: the file the URL maps to; Redirect: 302 to it) or IIS's short custom page.
// Error responses an application wrote itself (a Node app's own 404 or 500) pass through untouched under
// Auto (iisnode sets fTrySkipCustomErrors) and PassThrough; under Replace the iisnode handler has the
// data-plane stream swap them for this module's page (docs/request-pipeline.md, "Custom errors").
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { HttpErrorsSection } from '@poolhost/config';
import type { HttpContext } from '../../pipeline/http-context.js';
import type { ErrorResponder } from '../../pipeline/request-pipeline.js';
import { customErrorPage, detailedErrorPage } from './error-pages.js';

const DEFAULT_SECTION: HttpErrorsSection = {
  errorMode: 'DetailedLocalOnly',
  existingResponse: 'Auto',
  defaultResponseMode: 'File',
  defaultPath: '',
  detailedMoreInformationLink: 'http://go.microsoft.com/fwlink/?LinkID=62293',
  allowAbsolutePathsWhenDelegated: false,
  errors: [],
};

export function isLocalRequest(context: HttpContext): boolean {
  const socket = context.req.socket;
  const remote = socket.remoteAddress ?? '';
  if (remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.')) return true;
  return remote !== '' && remote === socket.localAddress;
}

export function customErrorResponder(section: HttpErrorsSection | null, physicalPath: string): ErrorResponder {
  const config = section ?? DEFAULT_SECTION;
  const files = new Map<string, string | null>();
  const readPage = (path: string): string | null => {
    if (files.has(path)) return files.get(path)!;
    let text: string | null = null;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      text = null;
    }
    files.set(path, text);
    return text;
  };
  return (context: HttpContext, status: number, subStatus: number): void => {
    const res = context.res;
    const detailed = config.errorMode === 'Detailed' || (config.errorMode === 'DetailedLocalOnly' && isLocalRequest(context));
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html');
    if (detailed) {
      res.end(detailedErrorPage(context, status, subStatus, config.detailedMoreInformationLink));
      return;
    }
    const entry =
      config.errors.find((candidate) => candidate.statusCode === status && candidate.subStatusCode === subStatus) ??
      config.errors.find((candidate) => candidate.statusCode === status && candidate.subStatusCode === -1);
    if (entry) {
      const mode = entry.responseMode;
      if (mode === 'Redirect') {
        res.statusCode = 302;
        res.setHeader('Location', entry.path);
        res.end(`<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This document may be found <a HREF="${entry.path}">here</a></body>`);
        return;
      }
      const file =
        mode === 'ExecuteURL'
          ? context.application.mapPath(entry.path)
          : isAbsolute(entry.path)
            ? entry.path
            : join(physicalPath, entry.prefixLanguageFilePath ? join(entry.prefixLanguageFilePath, 'en-US') : '', entry.path);
      const page = file === null ? null : readPage(file);
      if (page !== null) {
        res.end(page);
        return;
      }
    }
    res.end(customErrorPage(status));
  };
}
