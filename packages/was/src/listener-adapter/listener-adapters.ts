// The listener adapters registered with was, one per protocol (iis-2.md §4: WebhostRegisterProtocol
// refuses a second registration of a protocol with ERROR_ALREADY_EXISTS). Each gets the site
// configuration of its own protocol when it registers and again on every configuration change, every
// request queue state change, and ListenerChannelAvailable when it may ask for a pool's worker again.
// No adapter is special here: w3svc is the `http` adapter like any other.
import type { ApplySiteConfiguration, ControlChannel, ListenerAdapterProtocol, RequestQueueState } from '@poolhost/protocol';
import { wasErrors } from '../management/was-errors.js';

export interface RegisteredListenerAdapter {
  protocol: ListenerAdapterProtocol;
  pid: number;
}

const adapterProtocols: readonly string[] = ['http', 'net.tcp'] satisfies ListenerAdapterProtocol[];

export class ListenerAdapters {
  private readonly adapters = new Map<ListenerAdapterProtocol, { channel: ControlChannel; pid: number }>();

  /**
   * Registers `channel` as the adapter of `protocol`; `listed` are the names of `<listenerAdapters>` in
   * force. Throws when the protocol is not listed or another adapter already holds it.
   */
  register(channel: ControlChannel, protocol: ListenerAdapterProtocol, pid: number, listed: readonly string[]): void {
    if (!adapterProtocols.includes(protocol) || !listed.includes(protocol)) throw wasErrors.listenerAdapterNotListed(protocol);
    const current = this.adapters.get(protocol);
    if (current?.channel === channel) return;
    if (current && !current.channel.closed) throw wasErrors.listenerAdapterAlreadyRegistered(protocol, current.pid);
    this.adapters.set(protocol, { channel, pid });
    channel.onClose(() => {
      if (this.adapters.get(protocol)?.channel === channel) this.adapters.delete(protocol);
    });
  }

  get count(): number {
    return this.adapters.size;
  }

  list(): RegisteredListenerAdapter[] {
    return [...this.adapters].map(([protocol, adapter]) => ({ protocol, pid: adapter.pid }));
  }

  publishQueueState(state: RequestQueueState): void {
    for (const { channel } of this.adapters.values()) channel.notify({ type: 'SetRequestQueueState', state });
  }

  /** A pool may be asked for a worker again. */
  publishListenerChannelAvailable(applicationPool: string): void {
    for (const { channel } of this.adapters.values()) channel.notify({ type: 'ListenerChannelAvailable', applicationPool });
  }

  /** The whole site configuration of each adapter's protocol after a change; each adapter re-programs its listener from it. */
  publishSiteConfiguration(configurationOf: (protocol: ListenerAdapterProtocol) => ApplySiteConfiguration): void {
    for (const [protocol, { channel }] of this.adapters) channel.notify(configurationOf(protocol));
  }
}
