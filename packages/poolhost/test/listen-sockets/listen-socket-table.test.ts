import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlMessage, ListenSocket } from '@poolhost/protocol';
import { ListenSocketTable, type TcpListenHandles } from '../../src/listen-sockets/listen-socket-table.js';
import { ListenSocketError, type TcpListenHandle } from '../../src/listen-sockets/tcp-listen-handle.js';
import { quietLogger } from '../support/quiet-logger.js';

class FakeHandle implements TcpListenHandle {
  closed = false;
  constructor(readonly fd: number, private readonly address: string, private readonly port: number) {}
  getsockname(out: { address?: string; port?: number }): number {
    out.address = this.address;
    out.port = this.port;
    return 0;
  }
  close(): void {
    this.closed = true;
  }
}

/** Binds like the kernel: one socket per (address, port); `::` unavailable when `ipv6` is false. */
class FakeHandles implements TcpListenHandles {
  readonly bound: FakeHandle[] = [];
  readonly passed = new Map<number, FakeHandle>();
  ipv6 = true;
  private nextFd = 20;
  bind(ip: string, port: number): FakeHandle {
    if (ip === '::' && !this.ipv6) throw new ListenSocketError('EAFNOSUPPORT', `bind EAFNOSUPPORT [::]:${port}`);
    if (this.bound.some((handle) => !handle.closed && handle.getsockname({}) === 0 && sameAddress(handle, ip, port))) {
      throw new ListenSocketError('EADDRINUSE', `bind EADDRINUSE ${ip}:${port}`);
    }
    const handle = new FakeHandle(this.nextFd++, ip, port);
    this.bound.push(handle);
    return handle;
  }
  adopt(fd: number): FakeHandle {
    const handle = this.passed.get(fd);
    if (!handle) throw new ListenSocketError('EINVAL', `descriptor ${fd} is not a TCP socket`);
    return handle;
  }
}

function sameAddress(handle: FakeHandle, ip: string, port: number): boolean {
  const out: { address?: string; port?: number } = {};
  handle.getsockname(out);
  return out.address === ip && out.port === port;
}

function setup() {
  const lines: string[] = [];
  const handles = new FakeHandles();
  const table = new ListenSocketTable(quietLogger(lines), handles);
  const call = async (message: ControlMessage) => {
    const handler = table.handlers()[message.type] as ((message: ControlMessage, channel: never) => unknown) | undefined;
    if (!handler) throw new Error(`no handler for ${message.type}`);
    return handler(message, undefined as never);
  };
  return { lines, handles, table, call };
}

test('an endpoint is bound once and the same socket is handed to every httpsys that asks', async () => {
  const { handles, call } = setup();
  const first = (await call({ type: 'OpenListenSocket', ip: '127.0.0.1', port: 8080 })) as ListenSocket;
  const again = (await call({ type: 'OpenListenSocket', ip: '127.0.0.1', port: 8080 })) as ListenSocket;
  assert.equal(first.endpoint, '127.0.0.1:8080');
  assert.equal(first.openedBy, 'poolhost');
  assert.equal(again.handle, first.handle);
  assert.equal(handles.bound.length, 1);
});

test('`*` binds the dual-stack `::`, or 0.0.0.0 where there is no IPv6', async () => {
  const { handles, table } = setup();
  assert.equal(table.open('*', 80).endpoint, '*:80');
  handles.ipv6 = false;
  table.open('*', 81);
  assert.deepEqual(handles.bound.map((handle) => sameAddress(handle, '::', 80) || sameAddress(handle, '0.0.0.0', 81)), [true, true]);
  assert.equal(table.open('::1', 82).endpoint, '[::1]:82');
});

test('a port in use is refused with its code, for httpsys to report', async () => {
  const { handles, call } = setup();
  handles.bind('127.0.0.1', 8080);
  await assert.rejects(async () => call({ type: 'OpenListenSocket', ip: '127.0.0.1', port: 8080 }), { code: 'EADDRINUSE' });
});

test('CloseUnusedListenSockets closes the sockets of endpoints httpsys no longer listens on, and only those, before it answers', async () => {
  const { handles, table, call, lines } = setup();
  table.open('127.0.0.1', 8080);
  table.open('127.0.0.1', 8081);
  const answer = call({ type: 'CloseUnusedListenSockets', endpoints: ['127.0.0.1:8080'] });
  assert.deepEqual(handles.bound.map((handle) => handle.closed), [false, true], 'closed by the time the handler returns its answer');
  assert.deepEqual(await answer, { type: 'Acknowledged' });
  assert.deepEqual(table.endpoints().map((socket) => socket.endpoint), ['127.0.0.1:8080']);
  assert.ok(lines.includes('closed 127.0.0.1:8081: no binding uses it'));
  // Bound again when a binding brings the port back.
  table.open('127.0.0.1', 8081);
  assert.equal(handles.bound.length, 3);
});

test('systemd sockets are keyed by their address and handed out instead of binding; one no binding uses is reported, not closed', async () => {
  const { handles, table, call, lines } = setup();
  handles.passed.set(3, new FakeHandle(3, '::', 80));
  handles.passed.set(4, new FakeHandle(4, '127.0.0.1', 8080));
  table.adoptSystemdSockets([
    { fd: 3, name: 'http' },
    { fd: 4, name: 'local' },
  ]);
  const reply = (await call({ type: 'OpenListenSocket', ip: '*', port: 80 })) as ListenSocket;
  assert.equal(reply.openedBy, 'systemd');
  assert.equal(reply.handle, handles.passed.get(3));
  assert.equal(handles.bound.length, 0);
  await call({ type: 'CloseUnusedListenSockets', endpoints: ['*:80'] });
  await call({ type: 'CloseUnusedListenSockets', endpoints: ['*:80'] });
  assert.equal(handles.passed.get(4)!.closed, false);
  assert.equal(lines.filter((line) => line.startsWith('the socket systemd passed for 127.0.0.1:8080 (local) matches no binding')).length, 1);
  table.closeAll();
  assert.equal(handles.passed.get(3)!.closed, true);
});

test('two systemd sockets for one address, or a descriptor that is not a TCP socket, are refused', () => {
  const { handles, table } = setup();
  handles.passed.set(3, new FakeHandle(3, '::', 80));
  handles.passed.set(4, new FakeHandle(4, '0.0.0.0', 80));
  assert.throws(() => table.adoptSystemdSockets([{ fd: 3, name: 'a' }, { fd: 4, name: 'b' }]), /descriptor 4 \(b\) is a second socket for \*:80/);
  assert.throws(() => setup().table.adoptSystemdSockets([{ fd: 5, name: 'c' }]), /descriptor 5 is not a TCP socket/);
});
