// HTTP.SYS's own error bodies, byte for byte (reference §7.2), written out independently of the
// listener's code so the e2e suite checks what a client really receives.
const crlf = '\r\n';

export function httpSysErrorBody(title: string, heading: string, code: number, text: string): string {
  return [
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">',
    `<HTML><HEAD><TITLE>${title}</TITLE>`,
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>',
    `<BODY><h2>${heading}</h2>`,
    `<hr><p>HTTP Error ${code}. ${text}</p>`,
    '</BODY></HTML>',
  ].join(crlf) + crlf;
}

export const serviceUnavailableBody = httpSysErrorBody('Service Unavailable', 'Service Unavailable', 503, 'The service is unavailable.');
export const invalidHostnameBody = httpSysErrorBody('Bad Request', 'Bad Request - Invalid Hostname', 400, 'The request hostname is invalid.');
export const requestTooLongBody = httpSysErrorBody('Bad Request', 'Bad Request - Request Too Long', 400, 'The size of the request headers is too long.');
export const notFoundBody = httpSysErrorBody('Not Found', 'Not Found', 404, 'The requested resource is not found.');
