import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControlChannel, ControlMessage } from '@poolhost/protocol';
import { ListenerAdapters } from '../../src/listener-adapter/listener-adapters.js';
import { WasError } from '../../src/management/was-errors.js';

function fakeChannel() {
  const sent: ControlMessage[] = [];
  const closeListeners: Array<() => void> = [];
  const channel = {
    closed: false,
    notify: (message: ControlMessage) => void sent.push(message),
    onClose: (listener: () => void) => void closeListeners.push(listener),
  };
  return {
    channel: channel as unknown as ControlChannel,
    sent,
    close() {
      channel.closed = true;
      for (const listener of closeListeners) listener();
    },
  };
}

test('one adapter per protocol: a second registration is refused while the first is connected, accepted after it closed', () => {
  const adapters = new ListenerAdapters();
  const w3svc = fakeChannel();
  const activator = fakeChannel();
  adapters.register(w3svc.channel, 'http', 10, ['http', 'net.tcp']);
  adapters.register(activator.channel, 'net.tcp', 11, ['http', 'net.tcp']);
  const second = fakeChannel();
  assert.throws(() => adapters.register(second.channel, 'http', 12, ['http', 'net.tcp']), (error: WasError) => error.code === '800700b7' && /already registered by process 10/.test(error.message));
  w3svc.close();
  adapters.register(second.channel, 'http', 12, ['http', 'net.tcp']);
  assert.deepEqual(adapters.list(), [{ protocol: 'net.tcp', pid: 11 }, { protocol: 'http', pid: 12 }]);
});

test('a protocol <listenerAdapters> does not list is refused', () => {
  const adapters = new ListenerAdapters();
  assert.throws(() => adapters.register(fakeChannel().channel, 'net.tcp', 1, ['http']), (error: WasError) => error.code === '80070490' && /add <add name="net.tcp" \/>/.test(error.message));
});

test('every adapter gets queue states and ListenerChannelAvailable, and the site configuration of its own protocol', () => {
  const adapters = new ListenerAdapters();
  const w3svc = fakeChannel();
  const activator = fakeChannel();
  adapters.register(w3svc.channel, 'http', 10, ['http', 'net.tcp']);
  adapters.register(activator.channel, 'net.tcp', 11, ['http', 'net.tcp']);
  adapters.publishQueueState({ applicationPool: 'P', enabled: true });
  adapters.publishListenerChannelAvailable('P');
  adapters.publishSiteConfiguration((protocol) => ({ type: 'ApplySiteConfiguration', protocol, sites: [], requestQueues: [], queueStates: [], limits: {} as never }));
  for (const [adapter, protocol] of [[w3svc, 'http'], [activator, 'net.tcp']] as const) {
    assert.deepEqual(
      adapter.sent.map((message) => (message.type === 'ApplySiteConfiguration' ? `${message.type} ${message.protocol}` : message.type)),
      ['SetRequestQueueState', 'ListenerChannelAvailable', `ApplySiteConfiguration ${protocol}`],
    );
  }
});
