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

/** Farm health as inetmgr is told it: HAProxy's agent-check port on the administration IP (0: none). */
export interface FarmHealthSettings {
  agentCheckPort: number;
  readyQueuePercent: number;
}

/** webManagement's agentCheckPort and readyQueuePercent, checked against the administration address and the sites. */
export function farmHealthOf(administration: ListenAddress, config: ApplicationHostConfig): FarmHealthSettings {
  const agentCheckPort = config.webManagement?.agentCheckPort ?? 0;
  const readyQueuePercent = config.webManagement?.readyQueuePercent ?? 50;
  if (agentCheckPort === 0) return { agentCheckPort, readyQueuePercent };
  if (agentCheckPort === administration.port) {
    throw new Error(`${config.file}: webManagement: agentCheckPort ${agentCheckPort} is the administration port; HAProxy's agent needs a port of its own`);
  }
  const site = siteOnEndpoint({ host: administration.host, port: agentCheckPort }, config);
  if (site) throw new Error(`${config.file}: webManagement: agentCheckPort ${agentCheckPort} is an endpoint of site '${site.name}' (binding ${site.binding}); choose another port`);
  return { agentCheckPort, readyQueuePercent };
}

export function checkAdministrationAddress(text: string, allowRemote: boolean, config: ApplicationHostConfig): ListenAddress {
  const address = parseListenAddress(text);
  if (!isLoopback(address.host) && !allowRemote) {
    throw new Error(`--metrics ${text} is not a loopback address; the dashboard can stop pools, so it listens on 127.0.0.1 or ::1 unless you add --metrics-remote`);
  }
  const site = siteOnEndpoint(address, config);
  if (site) throw new Error(`--metrics ${formatListenAddress(address)} is an endpoint of site '${site.name}' (binding ${site.binding}); choose another port`);
  return address;
}

/** The site one of whose bindings listens where `address` would (IIS serves administration apart from sites). */
function siteOnEndpoint(address: ListenAddress, config: ApplicationHostConfig): { name: string; binding: string } | undefined {
  for (const site of config.sites) {
    for (const binding of site.bindings) {
      if (binding.port !== address.port) continue;
      if (binding.ip === '*' || binding.ip === address.host || address.host === '0.0.0.0' || address.host === '::') {
        return { name: site.name, binding: binding.bindingInformation };
      }
    }
  }
  return undefined;
}
