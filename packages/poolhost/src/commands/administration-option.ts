// `poolhost start --metrics IP:port`: where inetmgr will listen. Loopback unless `--metrics-remote`;
// never an endpoint a site binding uses (IIS serves administration apart from sites).
import type { ApplicationHostConfig } from '@poolhost/config';
import { formatListenAddress, isLoopback, parseListenAddress, type ListenAddress } from '@poolhost/protocol';

export function checkAdministrationAddress(text: string, allowRemote: boolean, config: ApplicationHostConfig): ListenAddress {
  const address = parseListenAddress(text);
  if (!isLoopback(address.host) && !allowRemote) {
    throw new Error(`--metrics ${text} is not a loopback address; the dashboard can stop pools, so it listens on 127.0.0.1 or ::1 unless you add --metrics-remote`);
  }
  for (const site of config.sites) {
    for (const binding of site.bindings) {
      if (binding.port !== address.port) continue;
      if (binding.ip === '*' || binding.ip === address.host || address.host === '0.0.0.0' || address.host === '::') {
        throw new Error(`--metrics ${formatListenAddress(address)} is an endpoint of site '${site.name}' (binding ${binding.bindingInformation}); choose another port`);
      }
    }
  }
  return address;
}
