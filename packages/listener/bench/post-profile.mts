import { Harness } from '../test/integration/harness.js';
const h = new Harness([{ name: 'AppPool', files: { 'server.js': `
require('http').createServer((req, res) => { let n = 0; req.on('data', (c) => { n += c.length; }); req.on('end', () => res.end(String(n))); }).listen(process.env.PORT);
` } }]);
await h.start();
const worker = await h.startWorker('AppPool', {}, process.env.W3WP_EXEC_ARGV ? process.env.W3WP_EXEC_ARGV.split(' ') : []);
console.log('PORT', h.port);
await new Promise((r) => process.once('SIGINT', r));
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));
await h.stop();
process.exit(0);
