// An Upgrade request carried to the worker's `upgrade` listener; raw bytes flow both ways.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Harness, until } from './harness.js';

const harness = new Harness([
  {
    name: 'UpgradePool',
    files: {
      'server.js': `
const http = require('http');
const server = http.createServer((req, res) => res.end('plain'));
server.on('upgrade', (req, socket, head) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: shout\\r\\nConnection: Upgrade\\r\\n\\r\\n');
  if (head.length) socket.write(head.toString().toUpperCase());
  socket.on('data', (data) => {
    if (data.toString() === 'bye') return socket.end('BYE');
    socket.write(data.toString().toUpperCase());
  });
});
server.listen(process.env.PORT);
`,
    },
  },
]);

before(async () => {
  await harness.start();
  await harness.startWorker('UpgradePool');
});
after(() => harness.stop());

test('upgrade bytes flow both ways after the 101, and the worker can end the stream', async () => {
  const socket = connect(harness.port, '127.0.0.1');
  let received = '';
  const waitFor = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(received)}`)), 5_000);
      const check = (): void => {
        if (received.includes(text)) {
          clearTimeout(timer);
          socket.off('data', check);
          resolve();
        }
      };
      socket.on('data', check);
      check();
    });
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write('GET /chat HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\nearly-bytes');
  await waitFor('HTTP/1.1 101 Switching Protocols\r\n');
  await waitFor('EARLY-BYTES');
  socket.write('hello over the upgrade');
  await waitFor('HELLO OVER THE UPGRADE');
  socket.write('bye');
  await waitFor('BYE');
  socket.end();
  await closed;
  assert.ok(received.startsWith('HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n'));
  // httpsys ends the upgraded stream once it has seen both sides close: waited for, not a 50 ms pause.
  const queue = () => harness.httpSys.counters().requestQueues.find((candidate) => candidate.applicationPool === 'UpgradePool')!;
  await until('the upgraded request to end', () => queue().requestsInFlight === 0);
  assert.equal(queue().requestsInFlight, 0);
});
