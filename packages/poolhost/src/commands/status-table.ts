// `poolhost status` output: the services, then the worker processes, as aligned tables.
import type { ServerStatus } from '@poolhost/protocol';

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
          ['WORKER PID', 'APPLICATION POOL', 'STATE', 'REQUESTS', 'IN FLIGHT', 'STARTED'],
          status.workers.map((worker) => [
            String(worker.pid),
            worker.applicationPool,
            worker.state,
            String(worker.requestsServed),
            String(worker.requestsInFlight),
            worker.startedAt,
          ]),
        );
  return [
    `poolhost ${status.pid} running${status.drain ? `, ${status.drain.toLowerCase()}` : ''}`,
    `  config:        ${status.configFile}`,
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
