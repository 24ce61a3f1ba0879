// Applications and helpers the reliability suite hosts, as CommonJS sources.

/** Appends `<method> <url> <pid>` of every request it receives to `$RECORD_FILE` (synchronously), then answers its PID. `POST` bodies are read to the end first. */
export const recorderApp = `
const fs = require('node:fs');
module.exports = (req, res) => {
  fs.appendFileSync(process.env.RECORD_FILE, req.method + ' ' + req.url + ' ' + process.pid + '\\n');
  let bytes = 0;
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    const delay = Number(new URL(req.url, 'http://x').searchParams.get('delay') || 0);
    setTimeout(() => res.end(process.pid + ' ' + bytes), delay);
  });
};
`;

/** Answers what the worker can see: `/env?name=X` its environment variable, `/read?path=P` the first bytes of a file (or the error code), `/whoami` uid and TMPDIR, `/become-root` tries setuid(0), `/write-temp` creates a file in TMPDIR and answers its path. */
export const probeApp = `
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
module.exports = (req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (value) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(value)); };
  if (url.pathname.endsWith('/env')) return send({ value: process.env[url.searchParams.get('name')] ?? null });
  if (url.pathname.endsWith('/read')) {
    try { return send({ ok: true, text: fs.readFileSync(url.searchParams.get('path'), 'utf8').slice(0, 100) }); }
    catch (error) { return send({ ok: false, code: error.code }); }
  }
  if (url.pathname.endsWith('/list')) {
    try { return send({ ok: true, names: fs.readdirSync(url.searchParams.get('path')) }); }
    catch (error) { return send({ ok: false, code: error.code }); }
  }
  if (url.pathname.endsWith('/become-root')) {
    try { process.setuid(0); return send({ ok: true, uid: process.getuid() }); }
    catch (error) { return send({ ok: false, code: error.code }); }
  }
  if (url.pathname.endsWith('/whoami')) return send({ uid: process.getuid(), gid: process.getgid(), tmpdir: process.env.TMPDIR ?? null, osTmpdir: os.tmpdir() });
  if (url.pathname.endsWith('/write-temp')) {
    const file = path.join(os.tmpdir(), 'secret-' + process.pid + '.txt');
    fs.writeFileSync(file, 'secret of ' + process.env.APP_POOL_ID);
    return send({ file });
  }
  send({ pid: process.pid });
};
`;
