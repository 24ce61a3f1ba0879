// A systematic corpus of malformed and hostile HTTP/1.x requests, each with the answer HTTP.SYS gives
// (status and HTTPERR reason). Every request's target names it (`/corpus-<id>`) so a worker that ever
// received one would show it in its record; smuggled inner requests ask for `/smuggled-<id>`.

export interface HostileRequest {
  id: number;
  /** The class, as in docs/reliability.md's table. */
  kind: string;
  bytes: Buffer;
  status: number;
  /** HTTPERR reasons accepted for this request. */
  reasons: string[];
}

const CRLF = '\r\n';

export function hostileCorpus(options: { maxFieldLength: number; maxRequestBytes: number }): HostileRequest[] {
  const corpus: HostileRequest[] = [];
  const add = (kind: string, status: number, reasons: string[], build: (target: string, id: number) => string | Buffer): void => {
    const id = corpus.length + 1;
    const raw = build(`/corpus-${id}`, id);
    corpus.push({ id, kind, bytes: typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw, status, reasons });
  };
  const head = (method: string, target: string, headers: string[], version = 'HTTP/1.1'): string =>
    `${method} ${target} ${version}${CRLF}${headers.map((header) => header + CRLF).join('')}${CRLF}`;
  const smuggled = (id: number): string => `GET /smuggled-${id} HTTP/1.1${CRLF}Host: localhost${CRLF}${CRLF}`;
  const methodsWithBody = ['POST', 'PUT'];

  // 1. CL.TE and TE.CL: both Content-Length and Transfer-Encoding. HTTP.SYS takes plain `chunked` with a
  //    Content-Length (Transfer-Encoding overrides; e2e/reliability/transfer-encoding-with-content-length);
  //    a coding other than `chunked` alone is refused whatever the Content-Length.
  const teSpellings = ['gzip, chunked', 'identity', 'gzip', 'chunked, identity', 'xchunked'];
  for (const order of ['CL.TE', 'TE.CL']) {
    for (const te of teSpellings) {
      for (const contentLength of ['0', '4', '6', '64']) {
        for (const method of methodsWithBody) {
          add(`smuggling ${order}`, 400, ['Number', 'N/I'], (target, id) => {
            const body = `0${CRLF}${CRLF}${smuggled(id)}`;
            const cl = `Content-Length: ${contentLength}`;
            const tee = `Transfer-Encoding: ${te}`;
            return head(method, target, ['Host: localhost', ...(order === 'CL.TE' ? [cl, tee] : [tee, cl])]) + body;
          });
        }
      }
    }
  }

  // 2. Duplicate or listed Content-Length.
  for (const [first, second] of [['5', '5'], ['5', '6'], ['0', '5'], ['5', '0'], ['12', '5']]) {
    for (const method of methodsWithBody) {
      add('duplicate Content-Length', 400, ['Number'], (target, id) =>
        head(method, target, ['Host: localhost', `Content-Length: ${first}`, `Content-Length: ${second}`]) + 'hello' + smuggled(id));
      add('duplicate Content-Length', 400, ['Number'], (target, id) =>
        head(method, target, ['Host: localhost', `Content-Length: ${first}, ${second}`]) + 'hello' + smuggled(id));
      add('duplicate Content-Length', 400, ['Number'], (target, id) =>
        head(method, target, ['Host: localhost', `Content-Length: ${first}`, 'X-Pad: 1', `content-length: ${second}`]) + 'hello' + smuggled(id));
    }
  }

  // 3. Obfuscated Transfer-Encoding: values HTTP.SYS does not take as plain `chunked`.
  const obfuscatedValues = [
    'xchunked', 'chunkedx', 'chunk', 'identity', 'gzip', 'deflate', 'chunked, identity', 'gzip, chunked', 'chunked, chunked',
    '"chunked"', 'chunked;q=1', 'chunked\x0b', '\x0bchunked', 'chun ked', 'chunked,', ',chunked', 'ch\x00unked', '\x0cchunked',
  ];
  for (const value of obfuscatedValues) {
    for (const method of ['POST', 'PUT', 'GET']) {
      add('obfuscated Transfer-Encoding', 400, ['N/I', 'Header', 'BadRequest'], (target, id) =>
        head(method, target, ['Host: localhost', `Transfer-Encoding: ${value}`]) + `5${CRLF}hello${CRLF}0${CRLF}${CRLF}${smuggled(id)}`);
    }
  }
  const obfuscatedNames = ['Transfer-Encoding : chunked', 'Transfer-Encoding\t: chunked', ' Transfer-Encoding: chunked', 'Transfer-Encoding:\r\n chunked', 'Transfer-Encoding\x00: chunked', 'Transfer\rEncoding: chunked'];
  for (const line of obfuscatedNames) {
    for (const method of ['POST', 'PUT', 'GET']) {
      add('obfuscated Transfer-Encoding', 400, ['Header', 'Invalid_CR/LF', 'N/I', 'BadRequest'], (target, id) =>
        `${method} ${target} HTTP/1.1${CRLF}Host: localhost${CRLF}${line}${CRLF}${CRLF}5${CRLF}hello${CRLF}0${CRLF}${CRLF}${smuggled(id)}`);
    }
  }

  // 4. Bad chunk sizes and chunk framing (detected in the same packet as the head).
  const badChunks = [
    `zz${CRLF}hello${CRLF}0${CRLF}${CRLF}`, `-1${CRLF}x${CRLF}0${CRLF}${CRLF}`, `0x5${CRLF}hello${CRLF}0${CRLF}${CRLF}`,
    `ffffffffffffffffff${CRLF}hello${CRLF}0${CRLF}${CRLF}`, `5 5${CRLF}hello${CRLF}0${CRLF}${CRLF}`, `${CRLF}hello${CRLF}0${CRLF}${CRLF}`,
    `5${CRLF}helloXX0${CRLF}${CRLF}`, `5;\x00${CRLF}hello${CRLF}0${CRLF}${CRLF}`, `5\nhello\n0\n\n`, `+5${CRLF}hello${CRLF}0${CRLF}${CRLF}`,
    `5\rhello${CRLF}0${CRLF}${CRLF}`, `1g${CRLF}h${CRLF}0${CRLF}${CRLF}`, `5${CRLF}hello${CRLF}0${CRLF}X\x01: y${CRLF}${CRLF}`,
    `5${CRLF}hello\r\r0${CRLF}${CRLF}`,
  ];
  for (const body of badChunks) {
    for (const method of methodsWithBody) {
      add('bad chunk', 400, ['BadRequest', 'Number', 'Invalid_CR/LF', 'Header'], (target, id) =>
        head(method, target, ['Host: localhost', 'Transfer-Encoding: chunked']) + body + smuggled(id));
    }
  }

  // 5. NUL and control bytes in each part of the head.
  const controls = ['\x00', '\x01', '\x07', '\x08', '\x0b', '\x0c', '\x0e', '\x1b', '\x1f', '\x7f', '\r'];
  for (const control of controls) {
    add('control byte in method', 400, ['Verb', 'BadRequest', 'Invalid_CR/LF'], (target) => head(`GE${control}T`, target, ['Host: localhost']));
    add('control byte in URL', 400, ['URL', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', `${target}${control}x`, ['Host: localhost']));
    add('control byte in header name', 400, ['Header', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', target, ['Host: localhost', `X-A${control}b: v`]));
    add('control byte in header value', 400, ['Header', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', target, ['Host: localhost', `X-A: v${control}w`]));
    add('control byte in version', 400, ['Version_N/S', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', target, ['Host: localhost'], `HTTP/1${control}1`));
    add('control byte in Host', 400, ['Header', 'Hostname', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', target, [`Host: local${control}host`]));
  }
  // Escaped control characters (AllowRestrictedChars=0) and escaped dot segments above the root.
  for (const escaped of ['%00', '%01', '%0a', '%0D', '%1f', '%7F', '%00.html', 'a%00b']) {
    add('escaped control character', 400, ['URL'], (target) => head('GET', `${target}/${escaped}`, ['Host: localhost']));
  }

  // 6. Invalid header names.
  for (const char of [' ', '"', '(', ')', ',', '/', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '{', '}', '\x80', '\xff', '\xe9']) {
    add('invalid header name', 400, ['Header', 'BadRequest'], (target) => head('GET', target, ['Host: localhost', `X${char}Y: value`]));
  }
  for (const line of [': no-name', 'NoColonAtAll', '\t: tab', 'Name\r: v']) {
    add('invalid header line', 400, ['Header', 'BadRequest', 'Invalid_CR/LF'], (target) => head('GET', target, ['Host: localhost', line]));
  }

  // 7. Oversized: one header over MaxFieldLength, the URL over it, everything over MaxRequestBytes.
  const { maxFieldLength, maxRequestBytes } = options;
  for (const extra of [1, 100, 1000, maxFieldLength]) {
    add('header over MaxFieldLength', 400, ['FieldLength', 'RequestLength'], (target) => head('GET', target, ['Host: localhost', `X-Big: ${'a'.repeat(maxFieldLength + extra)}`]));
    add('Cookie over MaxFieldLength', 400, ['FieldLength', 'RequestLength'], (target) => head('GET', target, ['Host: localhost', `Cookie: c=${'b'.repeat(maxFieldLength + extra)}`]));
    add('URL over MaxFieldLength', 414, ['URL_Length'], (target) => head('GET', `${target}/${'u'.repeat(maxFieldLength + extra)}`, ['Host: localhost']));
    add('query over MaxFieldLength', 414, ['URL_Length'], (target) => head('GET', `${target}?q=${'q'.repeat(maxFieldLength + extra)}`, ['Host: localhost']));
  }
  for (const size of [maxRequestBytes + 1, maxRequestBytes * 2, maxRequestBytes * 8]) {
    const headerCount = Math.ceil(size / (maxFieldLength / 2));
    add('headers over MaxRequestBytes', 400, ['RequestLength'], (target) =>
      head('GET', target, ['Host: localhost', ...Array.from({ length: headerCount }, (_, index) => `X-H${index}: ${'h'.repeat(maxFieldLength / 2 - 20)}`)]));
  }
  // 8. Too many headers: tiny headers until MaxRequestBytes is passed.
  for (const count of [3_000, 5_000, 20_000]) {
    add('too many headers', 400, ['RequestLength'], (target) => head('GET', target, ['Host: localhost', ...Array.from({ length: count }, (_, index) => `a${index}:b`)]));
  }
  // Path segments over UrlSegmentMaxLength / UrlSegmentMaxCount.
  for (const length of [261, 1000]) add('URL segment too long', 400, ['URL'], (target) => head('GET', `${target}/${'s'.repeat(length)}`, ['Host: localhost']));
  for (const count of [256, 1000]) add('too many URL segments', 400, ['URL'], (target) => head('GET', `${target}${'/s'.repeat(count)}`, ['Host: localhost']));

  // 9. Absurd methods.
  const methods = ['G@T', 'GET/', 'get', 'Get', 'FOOBAR', 'X'.repeat(300), 'G E T', '123', '<script>', 'GET\xff', '\xef\xbb\xbfGET', 'PRI', '-', 'GE(T', 'GET?', '{}'];
  for (const method of methods) {
    for (const path of ['', '/x']) add('absurd method', 400, ['Verb', 'BadRequest', 'URL', 'Version_N/S'], (target) => head(method, target + path, ['Host: localhost']));
  }
  add('absurd method', 400, ['Verb', 'BadRequest', 'URL'], (target) => ` GET ${target} HTTP/1.1${CRLF}Host: localhost${CRLF}${CRLF}`);
  add('absurd method', 400, ['Verb', 'BadRequest', 'URL'], (target) => `GET\t${target} HTTP/1.1${CRLF}Host: localhost${CRLF}${CRLF}`);
  for (const authority of ['localhost:443', 'evil.example:80', '127.0.0.1:22']) {
    add('CONNECT', 400, ['URL', 'Verb'], (_target) => `CONNECT ${authority} HTTP/1.1${CRLF}Host: ${authority}${CRLF}${CRLF}`);
  }

  // 10. Versions: well-formed but unsupported -> 505; malformed -> 400.
  for (const version of ['HTTP/2.0', 'HTTP/3.0', 'HTTP/1.2', 'HTTP/1.9', 'HTTP/9.9', 'HTTP/0.9', 'HTTP/2.1', 'HTTP/4.0', 'HTTP/1.10', 'HTTP/01.1']) {
    for (const method of ['GET', 'POST']) {
      add('unsupported version', 505, ['Version_N/S'], (target) => head(method, target, ['Host: localhost', 'Content-Length: 0'], version));
    }
  }
  for (const version of ['HTTP/1', 'http/1.1', 'HTTPS/1.1', 'HTTP/1.1.1', 'HTTP/ 1.1', 'HTTP/A.B', 'HTTP/-1.1', 'HTTP/1.1 x', 'XTTP/1.1', 'HTTP/11', 'HTTP1.1', 'HTTP/1.', 'HTTP/.1']) {
    for (const method of ['GET', 'POST']) {
      add('malformed version', 400, ['Version_N/S', 'BadRequest', 'Invalid_CR/LF', 'URL'], (target) => head(method, target, ['Host: localhost', 'Content-Length: 0'], version));
    }
  }
  for (const method of ['GET', 'POST']) add('HTTP/0.9 simple request', 505, ['Version_N/S'], (target) => `${method} ${target}${CRLF}${CRLF}`);

  // 11. Host: missing on HTTP/1.1, duplicated, empty, or not a host.
  for (const method of ['GET', 'HEAD', 'DELETE', 'OPTIONS']) {
    add('missing Host', 400, ['Hostname'], (target) => head(method, target, ['X-A: 1']));
    add('duplicate Host', 400, ['Hostname'], (target) => head(method, target, ['Host: localhost', 'Host: localhost']));
    add('duplicate Host', 400, ['Hostname'], (target) => head(method, target, ['Host: localhost', 'Host: evil.example']));
    add('duplicate Host', 400, ['Hostname'], (target) => head(method, target, ['host: evil.example', 'X-A: 1', 'HOST: localhost']));
    add('empty Host', 400, ['Hostname'], (target) => head(method, target, ['Host:']));
  }
  for (const host of ['a b', 'a/b', 'a\\b', 'a@b', '[::1', '::1', 'a:b:c', 'a:port', 'localhost:99999', 'a?b', 'a#b', 'a%00b', '..', '-', 'a,b', 'a;b', '"a"', '[fe80::1%eth0]', 'a:-1', 'localhost:', '.localhost']) {
    add('invalid Host', 400, ['Hostname', 'Header'], (target) => head('GET', target, [`Host: ${host}`]));
  }

  // 12. Absolute-form targets that are not http(s) URLs with a host.
  for (const url of ['http://', 'http:///x', 'ftp://localhost/x', 'http://user@localhost/x', 'http://user:pass@localhost/x', 'http://[::1/x', 'file:///etc/passwd', 'mailto:a@b', 'javascript:alert(1)', 'http:x', 'gopher://localhost/', 'http://localhost:99999/', 'ws://localhost/', 'data:text/plain,x', 'urn:x:y']) {
    for (const method of ['GET', 'HEAD']) {
      add('absolute-form target', 400, ['URL', 'Hostname'], (target) => head(method, url.includes('/x') ? url.replace('/x', target) : url, ['Host: localhost']));
    }
  }

  // 13. Targets HTTP.SYS will not canonicalise: not origin-form, or dot segments above the root.
  for (const path of ['*', 'x', 'corpus', '?a=1', '/..', '/../x', '/a/../../x', '/%2e%2e/x', '/%2E%2E/%2e%2E/x', '/.%2e/x', '/a/%2e%2e/%2e%2e/x', '/..\\x', '/a/../../../etc/passwd', '/./../x']) {
    for (const method of ['GET', 'HEAD']) {
      add('invalid target', 400, ['URL'], (target) => head(method, path.startsWith('/') ? `${path}${target}` : path === '*' ? '*' : `${path}${target.slice(1)}`, ['Host: localhost']));
    }
  }

  // 14. A body without a length: POST/PUT with neither Content-Length nor Transfer-Encoding.
  for (const method of methodsWithBody) {
    for (const tail of ['', 'body-without-length', smuggled(0)]) {
      add('missing length', 411, ['LengthRequired'], (target) => head(method, target, ['Host: localhost']) + tail);
      add('missing length', 411, ['LengthRequired'], (target) => head(method, target, ['Host: localhost', 'Transfer_Encoding: chunked']) + tail);
    }
  }

  // 15. Content-Length that is not a number, or does not fit in 64 bits.
  for (const value of ['abc', '-1', '+5', '0x5', '5 5', '1e3', '5.0', '', ' ', '5a', '٥']) {
    for (const method of methodsWithBody) add('bad Content-Length', 400, ['Number', 'BadRequest', 'Header'], (target) => head(method, target, ['Host: localhost', `Content-Length: ${value}`]) + 'hello');
  }
  for (const value of ['18446744073709551616', '99999999999999999999999', '340282366920938463463374607431768211456']) {
    for (const method of methodsWithBody) add('Content-Length overflow', 413, ['EntityTooLarge'], (target) => head(method, target, ['Host: localhost', `Content-Length: ${value}`]) + 'hello');
  }

  // 16. Line endings: bare CR, bare LF inside the head, obs-fold continuation lines.
  for (const method of ['GET', 'POST']) {
    add('bare CR', 400, ['Invalid_CR/LF', 'Header', 'BadRequest'], (target) => `${method} ${target} HTTP/1.1\rHost: localhost\r\r`);
    add('bare CR', 400, ['Invalid_CR/LF', 'Header', 'BadRequest'], (target) => `${method} ${target} HTTP/1.1${CRLF}Host: localhost\rX: y${CRLF}${CRLF}`);
    add('obs-fold', 400, ['Header', 'Invalid_CR/LF', 'BadRequest'], (target) => `${method} ${target} HTTP/1.1${CRLF}Host: localhost${CRLF}X-A: 1${CRLF} folded${CRLF}${CRLF}`);
    add('obs-fold', 400, ['Header', 'Invalid_CR/LF', 'BadRequest'], (target) => `${method} ${target} HTTP/1.1${CRLF}Host: localhost${CRLF}X-A: 1${CRLF}\tfolded${CRLF}${CRLF}`);
    add('bare LF', 400, ['Invalid_CR/LF', 'Header', 'BadRequest'], (target) => `${method} ${target} HTTP/1.1${CRLF}Host: localhost\nX-A: 1\n${CRLF}`);
  }
  return corpus;
}

/** A request of the limits corpus: answered by the worker (no HTTPERR line) or by an HTTP.SYS timer. */
export interface LimitRequest extends HostileRequest {
  /** The worker answers (413.1, 404.x): HTTP.SYS writes no HTTPERR line for it. */
  answeredByWorker: boolean;
  /** The application's handler may start (a chunked body is refused only once it passes the limit), but never sees the body complete. */
  handlerMayStart: boolean;
}

/**
 * Bodies over requestLimits@maxAllowedContentLength (declared or chunked), upgrades request filtering
 * must refuse before the application's `upgrade` listener sees them, and bodies that stop arriving
 * (the EntityBody timer). Targets are `/corpus-<id>`-based, as in hostileCorpus.
 */
export function limitCorpus(options: { maxAllowedContentLength: number }): LimitRequest[] {
  const corpus: LimitRequest[] = [];
  const limit = options.maxAllowedContentLength;
  const add = (kind: string, status: number, reasons: string[], flags: { answeredByWorker: boolean; handlerMayStart?: boolean }, build: (target: string) => string | Buffer): void => {
    const id = corpus.length + 1;
    const raw = build(`/corpus-${id}`);
    corpus.push({ id, kind, bytes: typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw, status, reasons, answeredByWorker: flags.answeredByWorker, handlerMayStart: flags.handlerMayStart ?? false });
  };
  const head = (method: string, target: string, headers: string[]): string => `${method} ${target} HTTP/1.1${CRLF}Host: localhost${CRLF}${headers.map((header) => header + CRLF).join('')}${CRLF}`;
  const chunk = (size: number): string => `${size.toString(16)}${CRLF}${'b'.repeat(size)}${CRLF}`;

  // 1. A declared length over the limit: 413.1 before the application's handler runs.
  for (const method of ['POST', 'PUT', 'PATCH']) {
    for (const length of [limit + 1, limit * 10, 30_000_001, 4_294_967_296]) {
      for (const sent of [0, 100]) {
        add('Content-Length over maxAllowedContentLength', 413, [], { answeredByWorker: true }, (target) => head(method, target, [`Content-Length: ${length}`]) + 'a'.repeat(sent));
      }
    }
  }
  // 2. Chunked bodies that pass the limit: in one chunk, in many, just over it.
  for (const method of ['POST', 'PUT']) {
    for (const sizes of [[limit + 1], [limit, 1], Array.from({ length: 20 }, () => Math.ceil(limit / 10)), [1, 2, limit]]) {
      add('chunked body over maxAllowedContentLength', 413, [], { answeredByWorker: true, handlerMayStart: true }, (target) =>
        head(method, target, ['Transfer-Encoding: chunked']) + sizes.map(chunk).join('') + `0${CRLF}${CRLF}`);
    }
  }
  // 3. Upgrades request filtering refuses: hidden segments, denied sequences and extensions, double escaping, long URLs.
  const upgrade = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];
  const refusedPaths: Array<[suffix: string, reason: string]> = [
    ['/bin/socket', '404.8'], ['/App_Data/socket', '404.8'], ['/web.config', '404.8'], ['/x/bin', '404.8'],
    ['/socket.config', '404.7'], ['/socket.cs', '404.7'], ['/denied-socket', '404.5'], ['/a/denied', '404.5'],
    ['/a%2525b', '404.11'], ['/a+b', '404.11'], [`/${'l'.repeat(150)}/${'m'.repeat(150)}`, '404.14'], [`?${'q'.repeat(300)}`, '404.15'],
  ];
  for (const [suffix, substatus] of refusedPaths) {
    add('upgrade refused by request filtering', 404, [substatus], { answeredByWorker: true }, (target) => head('GET', `${target}${suffix}`, upgrade));
  }
  // 4. Bodies that stop arriving: the EntityBody timer cuts them (no response).
  for (const method of ['POST', 'PUT']) {
    add('stalled body', 0, ['Timer_EntityBody'], { answeredByWorker: false, handlerMayStart: true }, (target) => head(method, target, ['Content-Length: 1000']) + 'x'.repeat(10));
    add('stalled body', 0, ['Timer_EntityBody'], { answeredByWorker: false, handlerMayStart: true }, (target) => head(method, target, ['Transfer-Encoding: chunked']) + chunk(10));
    add('stalled body', 0, ['Timer_EntityBody'], { answeredByWorker: false, handlerMayStart: true }, (target) => head(method, target, ['Transfer-Encoding: chunked']) + '5');
  }
  return corpus;
}
