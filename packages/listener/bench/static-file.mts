// A 50 KB static file through httpsys (in-process) and one w3wp, for profiling:
// `node --import tsx bench/static-file.mts`, then `wrk http://127.0.0.1:<PORT>/page.html`; SIGINT stops.
import { Harness } from '../test/integration/harness.js';
const page = 'x'.repeat(100) + '\n';
const h = new Harness([{ name: 'AppPool', files: { 'page.html': page.repeat(507) } }]);
await h.start();
const worker = await h.startWorker('AppPool', {}, process.env.W3WP_EXEC_ARGV ? process.env.W3WP_EXEC_ARGV.split(' ') : []);
console.log('PORT', h.port);
await new Promise((r) => process.once('SIGINT', r));
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await h.stop();
process.exit(0);
