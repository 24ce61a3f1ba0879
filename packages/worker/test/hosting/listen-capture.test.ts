import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { installListenCapture, setCaptureTarget } from '../../src/hosting/listen-capture.js';

// node:https is loaded lazily by the capture; HTTP and HTTPS servers are captured alike, any other
// server listens for real.
test('listen() of an http or https server is captured; a net server listens for real', async () => {
  installListenCapture();
  const captured: Array<HttpServer | NetServer> = [];
  setCaptureTarget((server) => captured.push(server));
  try {
    const http = createHttpServer();
    const https = createHttpsServer();
    http.listen(0);
    https.listen(0);
    assert.deepEqual(captured, [http, https]);
    assert.equal(http.listening, true);
    assert.deepEqual(https.address(), { address: '127.0.0.1', family: 'IPv4', port: 0 });

    const net = createNetServer();
    await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
    assert.notEqual((net.address() as AddressInfo).port, 0);
    assert.equal(captured.length, 2);
    await new Promise<void>((resolve) => net.close(() => resolve()));
  } finally {
    setCaptureTarget(null);
  }
});

// An application reachable over net.tcp: its plain net.Server is captured too, and never binds.
test('with net servers captured (a net.tcp application), listen() of a net.Server is captured and binds nothing', async () => {
  installListenCapture();
  const captured: NetServer[] = [];
  setCaptureTarget((server) => captured.push(server), true);
  try {
    const net = createNetServer();
    await new Promise<void>((resolve) => net.listen(Number(process.env.PORT ?? 0) || 0, resolve));
    assert.deepEqual(captured, [net]);
    assert.equal(net.listening, true);
    assert.deepEqual(net.address(), { address: '127.0.0.1', family: 'IPv4', port: 0 });
  } finally {
    setCaptureTarget(null);
  }
});
