// POST bodies through httpsys (in-process) and one w3wp that counts them: `node --import tsx bench/post-profile.mts`,
// then e.g. `wrk -s post.lua http://127.0.0.1:<PORT>/`; Ctrl-C stops.
import { serveUntilInterrupted } from './profile-harness.mjs';

await serveUntilInterrupted({
  'server.js': `require('http').createServer((req, res) => { let n = 0; req.on('data', (c) => { n += c.length; }); req.on('end', () => res.end(String(n))); }).listen(process.env.PORT);`,
});
