// The listener adapters (w3svc) registered with was. They get the site configuration when they
// register and every request queue state change afterwards.
import type { ControlChannel, RequestQueueState } from '@poolhost/protocol';

export class ListenerAdapters {
  private readonly channels = new Set<ControlChannel>();

  register(channel: ControlChannel): void {
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    channel.onClose(() => this.channels.delete(channel));
  }

  get count(): number {
    return this.channels.size;
  }

  publishQueueState(state: RequestQueueState): void {
    for (const channel of this.channels) channel.notify({ type: 'SetRequestQueueState', state });
  }
}
