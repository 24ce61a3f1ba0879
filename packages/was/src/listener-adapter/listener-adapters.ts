// The listener adapters (w3svc) registered with was. They get the site configuration when they
// register, again on every configuration change, and every request queue state change.
import type { ApplySiteConfiguration, ControlChannel, RequestQueueState } from '@poolhost/protocol';

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

  /** The whole site configuration after a change; w3svc re-programs httpsys from it. */
  publishSiteConfiguration(configuration: ApplySiteConfiguration): void {
    for (const channel of this.channels) channel.notify(configuration);
  }
}
