// Applications written to `listen()` — on any port, on process.env.PORT — are captured instead: the
// server never binds; the worker feeds it requests with `server.emit('request')` (what iisnode achieves
// with a named pipe). HTTP servers are captured; other net servers only while an application reachable
// over net.tcp loads (the worker feeds them relayed connections with `server.emit('connection')`), and
// listen for real otherwise.
import { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';

type Listen = NetServer['listen'];

export interface CapturedServer {
  server: HttpServer;
}

let installed = false;
let capture: ((server: NetServer) => void) | null = null;
let captureNetServers = false;
const placeholderAddress = { address: '127.0.0.1', family: 'IPv4', port: 0 };

// node:https (with tls and crypto: ~4 ms of worker start-up) is loaded only when a server that is not
// an http.Server listens; an application that made an https.Server has loaded it already.
let httpsServer: typeof HttpsServer | null = null;
const isHttpsServer = (server: NetServer): boolean => server instanceof (httpsServer ??= process.getBuiltinModule('node:https').Server);

/**
 * Where the next captured server goes (the application being loaded); null lets servers listen for real.
 * `netServers`: plain net.Servers are captured too (the application is reachable over net.tcp).
 */
export function setCaptureTarget(target: ((server: NetServer) => void) | null, netServers = false): void {
  capture = target;
  captureNetServers = target !== null && netServers;
}

const originalListen = NetServer.prototype.listen as Listen;

/** The worker's own servers (its net.tcp socket) listen for real whatever is being captured. */
export function listenForReal(server: NetServer, path: string, callback: () => void): void {
  originalListen.call(server, path, callback);
}

export function installListenCapture(): void {
  if (installed) return;
  installed = true;
  NetServer.prototype.listen = function listen(this: NetServer, ...args: unknown[]): NetServer {
    if (!capture || !(captureNetServers || this instanceof HttpServer || isHttpsServer(this))) {
      return (originalListen as (...a: unknown[]) => NetServer).apply(this, args);
    }
    const server = this;
    const callback = args.findLast((argument) => typeof argument === 'function') as (() => void) | undefined;
    // Apps log `server.address().port`; give them something that is not null.
    Object.defineProperty(server, 'address', { value: () => placeholderAddress, configurable: true });
    Object.defineProperty(server, 'listening', { value: true, configurable: true });
    capture(server);
    process.nextTick(() => {
      if (callback) server.once('listening', callback);
      server.emit('listening');
    });
    return server;
  } as Listen;
}
