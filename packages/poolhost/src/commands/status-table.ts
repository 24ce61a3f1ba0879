// `poolhost status` output: the services, then the worker processes, as aligned tables.
import type { ConfigurationState, ServerStatus } from '@poolhost/protocol';

/** `generation 3f2a9c01b7de (shared /mnt/farm/applicationHost.config)`, with the problem when the shared file is not in force. */
export function formatConfigurationState(state: ConfigurationState): string {
  const from = state.source === 'local' ? 'local' : state.source === 'shared' ? `shared ${state.sharedFile}` : `cached copy of ${state.sharedFile}`;
  return `generation ${state.generation} (${from}, since ${state.appliedAt})${state.problem ? `\n  problem:       ${state.problem}` : ''}`;
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatServerStatus(status: ServerStatus): string {
  const services = formatTable(
    ['SERVICE', 'PID', 'STATE', 'RESTARTS'],
    status.services.map((service) => [service.name, service.pid === null ? '-' : String(service.pid), service.state, String(service.restarts)]),
  );
  const workers =
    status.workers.length === 0
      ? 'no worker processes'
      : formatTable(
          ['WORKER PID', 'APPLICATION POOL', 'STATE', 'ROLE', 'REQUESTS', 'IN FLIGHT', 'STARTED'],
          status.workers.map((worker) => [
            String(worker.pid),
            worker.applicationPool,
            worker.state,
            worker.role ?? 'active',
            String(worker.requestsServed),
            String(worker.requestsInFlight),
            worker.startedAt,
          ]),
        );
  return [
    `poolhost ${status.pid} running${status.drain ? `, ${status.drain.toLowerCase()}` : ''}`,
    `  config:        ${status.configFile}`,
    ...(status.configuration ? [`  configuration: ${formatConfigurationState(status.configuration)}`] : []),
    `  run directory: ${status.runDirectory}`,
    ...(status.administration ? [`  dashboard:     ${status.administration.url} (metrics at ${status.administration.url}metrics)`] : []),
    '',
    services,
    '',
    workers,
    ...(status.spareWorkers ? [`spare worker processes: ${status.spareWorkers.length === 0 ? 'none booted yet' : status.spareWorkers.join(', ')}`] : []),
    '',
  ].join('\n');
}
