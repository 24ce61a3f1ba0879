// The tcp-echo scenario's load generator, run in a process of its own (`node tcp-echo-client.mjs MODE PORT …`)
// so that its CPU is neither the server's nor the bench's. Prints one JSON line.
//   echo PORT SECONDS CONNECTIONS BYTES: CONNECTIONS connections each send a BYTES message, wait for all of
//     it to come back, send the next (ping-pong), for SECONDS → { messages, seconds, errors }.
//   first-byte PORT COUNT BYTES: COUNT connections one after another, each sending a BYTES message as soon
//     as it is connected → { samplesMs } from connect() to the first echoed byte.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [mode, portText, ...rest] = process.argv.slice(2);
const port = Number(portText);

function echo(seconds, connections, bytes) {
  const message = Buffer.alloc(bytes, 120);
  let messages = 0;
  let errors = 0;
  let running = true;
  const sockets = [];
  const started = performance.now();
  return new Promise((resolve) => {
    for (let i = 0; i < connections; i++) {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      sockets.push(socket);
      let pending = bytes;
      socket.on('connect', () => socket.write(message));
      socket.on('data', (chunk) => {
        pending -= chunk.length;
        while (pending <= 0) {
          messages++;
          pending += bytes;
          if (running) socket.write(message);
        }
      });
      socket.on('error', () => errors++);
    }
    setTimeout(() => {
      running = false;
      const elapsed = (performance.now() - started) / 1000;
      for (const socket of sockets) socket.destroy();
      resolve({ messages, seconds: elapsed, errors });
    }, seconds * 1000);
  });
}

async function firstByte(count, bytes) {
  const message = Buffer.alloc(bytes, 120);
  const samplesMs = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => {
      const started = performance.now();
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      // A connection that gets no answer is an error, not a hung run.
      const timer = setTimeout(() => socket.destroy(new Error('no first byte within 10 s')), 10_000);
      socket.on('connect', () => socket.write(message));
      socket.once('data', () => {
        clearTimeout(timer);
        samplesMs.push(performance.now() - started);
        socket.destroy();
        resolve();
      });
      socket.on('error', () => {
        clearTimeout(timer);
        errors++;
        resolve();
      });
    });
  }
  return { samplesMs, errors };
}

const result = mode === 'echo' ? await echo(Number(rest[0]), Number(rest[1]), Number(rest[2])) : await firstByte(Number(rest[0]), Number(rest[1]));
process.stdout.write(`${JSON.stringify(result)}\n`);
