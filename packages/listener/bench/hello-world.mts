// Hello world through httpsys (in-process) and one w3wp: `node --import tsx bench/hello-world.mts`,
// then point wrk at the printed port; Ctrl-C stops (workers drain and exit 0, so W3WP_EXEC_ARGV=--cpu-prof works).
import { serveUntilInterrupted } from './profile-harness.mjs';

await serveUntilInterrupted({
  'server.js': `require('http').createServer((req, res) => { res.end('hello world'); }).listen(process.env.PORT);`,
});
