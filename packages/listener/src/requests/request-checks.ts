// The checks HTTP.SYS makes on a parsed request head before it routes it (reference §7.4; RFC 9112 §3,
// §6), as pure functions: each returns null when the request passes, else the HTTPERR reason.
// llhttp (strict) has already rejected what is not HTTP/1.x syntax; these catch what it
// lets through: other versions, Host trouble, absolute-form targets that are not http(s) URLs, escaped
// control characters and dot segments above the root, and bodies whose length HTTP.SYS cannot know.

/** HTTP.SYS serves HTTP/1.0 and HTTP/1.1 on a cleartext connection; anything else is a 505. */
export function versionSupported(major: number, minor: number): boolean {
  return major === 1 && (minor === 0 || minor === 1);
}

// DNS labels (letters, digits, `-` inside, and `_`, which container and intranet names use) or an IPv4 address.
const HOST_NAME = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;

/** A Host header value: `host[:port]`, host a DNS name, IPv4 address or `[IPv6]`, port 0–65535. */
export function validHost(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  let host = value;
  let port: string | null = null;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const close = value.indexOf(']');
    if (close < 0) return false;
    host = value.slice(0, close + 1);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (rest[0] !== ':') return false;
      port = rest.slice(1);
    }
    if (!IPV6_LITERAL.test(host)) return false;
  } else {
    const colon = value.indexOf(':');
    if (colon >= 0) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (!HOST_NAME.test(host)) return false;
  }
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) return false;
  return true;
}

export interface AbsoluteTarget {
  host: string;
  path: string;
}

/** An absolute-form target (RFC 9112 §3.2.2): only `http://` and `https://` with a host and no user info. */
export function parseAbsoluteTarget(target: string): AbsoluteTarget | null {
  const match = /^(https?):\/\/([^/?#]*)([^#]*)$/i.exec(target);
  if (!match) return null;
  const authority = match[2]!;
  if (authority.includes('@') || !validHost(authority)) return null;
  let path = match[3]!;
  if (path === '') path = '/';
  else if (path[0] === '?') path = '/' + path;
  return { host: authority, path };
}

/**
 * The origin-form path HTTP.SYS canonicalises: escaped control characters are refused
 * (AllowRestrictedChars=0), and so is a `..` segment (escaped or not, `\` counting as `/`) that would
 * climb above the root. Returns null, or `URL`.
 */
export function checkPath(url: string): 'URL' | null {
  let end = url.indexOf('?');
  if (end < 0) end = url.length;
  const hasPercent = url.indexOf('%') >= 0 && url.indexOf('%') < end;
  const hasDot = url.indexOf('.') >= 0 && url.indexOf('.') < end;
  const hasBackslash = url.indexOf('\\') >= 0 && url.indexOf('\\') < end;
  if (!hasPercent && !hasDot && !hasBackslash) return null;
  let path = url.slice(0, end);
  if (hasPercent) {
    if (/%(?:[01][0-9A-Fa-f]|7[Ff])/.test(path)) return 'URL';
    path = path.replace(/%2[Ee]/g, '.').replace(/%5[Cc]/g, '\\').replace(/%2[Ff]/g, '/');
  }
  let depth = 0;
  for (const segment of path.split(/[/\\]/).slice(1)) {
    if (segment === '..') {
      if (depth === 0) return 'URL';
      depth--;
    } else if (segment !== '.' && segment !== '') depth++;
  }
  return null;
}

/** How the body of a request is framed, and whether it expects 100-continue, from its raw headers (one pass). */
export interface BodyFraming {
  transferEncoding: string | null;
  hasContentLength: boolean;
  /** A Content-Length other than 0, or a transfer coding: there are body bytes to relay. */
  hasBody: boolean;
  expectContinue: boolean;
}

export function bodyFraming(rawHeaders: string[]): BodyFraming {
  let transferEncoding: string | null = null;
  let hasContentLength = false;
  let hasBody = false;
  let expectContinue = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      hasContentLength = true;
      if (rawHeaders[i + 1] !== '0') hasBody = true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      transferEncoding = transferEncoding === null ? rawHeaders[i + 1]! : `${transferEncoding}, ${rawHeaders[i + 1]!}`;
      hasBody = true;
    } else if (name.length === 6 && name.toLowerCase() === 'expect' && rawHeaders[i + 1]!.toLowerCase() === '100-continue') {
      expectContinue = true;
    }
  }
  return { transferEncoding, hasContentLength, hasBody, expectContinue };
}

/**
 * HTTP.SYS understands exactly one transfer coding, `chunked` (anything else: `N/I`), and needs the length
 * of a POST or PUT body up front (neither Content-Length nor chunked: 411, `LengthRequired`).
 */
/**
 * Transfer-Encoding: chunked with Content-Length: HTTP.SYS takes the request, Transfer-Encoding
 * overriding (RFC 9112 §6.3); the Content-Length is removed before the request goes on, as a recipient
 * that forwards such a message must, and the connection closes after the response (RFC 9112 §6.1), so
 * nothing the two framings disagree about is ever read as a request. Removes them from `rawHeaders`.
 */
export function dropContentLength(rawHeaders: string[]): void {
  for (let i = rawHeaders.length - 2; i >= 0; i -= 2) {
    const name = rawHeaders[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') rawHeaders.splice(i, 2);
  }
}

export function checkFraming(method: string, framing: BodyFraming): 'N/I' | 'LengthRequired' | null {
  if (framing.transferEncoding !== null) return framing.transferEncoding.trim().toLowerCase() === 'chunked' ? null : 'N/I';
  if (!framing.hasContentLength && (method === 'POST' || method === 'PUT')) return 'LengthRequired';
  return null;
}
