// Hello world through httpsys (in-process) and one w3wp: `node --import tsx bench/hello-world.mts`,
// then point wrk at the printed port; Ctrl-C stops (workers drain and exit 0, so W3WP_EXEC_ARGV=--cpu-prof works).
import { Harness } from '../test/integration/harness.js';
const h = new Harness([{ name: 'AppPool', files: { 'server.js': `
require('http').createServer((req, res) => { res.end('hello world'); }).listen(process.env.PORT);
` } }]);
await h.start();
const worker = await h.startWorker('AppPool', {}, process.env.W3WP_EXEC_ARGV ? process.env.W3WP_EXEC_ARGV.split(' ') : []);
console.log('PORT', h.port);
await new Promise((r) => process.once('SIGINT', r));
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await h.stop();
process.exit(0);
