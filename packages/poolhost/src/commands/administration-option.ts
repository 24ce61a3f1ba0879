// `poolhost start --metrics IP:port`: where inetmgr will listen. Loopback unless `--metrics-remote`;
// never an endpoint a site binding uses (IIS serves administration apart from sites).
import type { ApplicationHostConfig } from '@poolhost/config';
import { formatListenAddress, isLoopback, parseListenAddress, type ListenAddress } from '@poolhost/protocol';

/**
 * `--metrics` wins; else `system.applicationHost/webManagement` with a port (its enableRemoteManagement
 * standing for `--metrics-remote`); else none: inetmgr is not started.
 */
export function administrationAddressOf(metrics: string | undefined, metricsRemote: boolean, config: ApplicationHostConfig): ListenAddress | undefined {
  if (metrics !== undefined) return checkAdministrationAddress(metrics, metricsRemote, config);
  const configured = config.webManagement;
  if (!configured || configured.port === 0) return undefined;
  const text = formatListenAddress({ host: configured.ipAddress, port: configured.port });
  try {
    return checkAdministrationAddress(text, configured.enableRemoteManagement, config);
  } catch (error) {
    throw new Error(`${config.file}: webManagement: ${error instanceof Error ? error.message.replace(/^--metrics /, '').replace('--metrics-remote', 'enableRemoteManagement="true"') : String(error)}`);
  }
}

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
