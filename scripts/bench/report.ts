// What a run prints: one row per scenario and server (medians over the rounds), and the targets.
import { fixed } from './statistics.js';

export interface Row {
  scenario: string;
  server: string;
  requestsPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  cpuMicrosecondsPerRequest?: number;
  /** The listener process alone (httpsys, nginx's worker), per request or per handshake. */
  listenerCpuMicroseconds?: number;
  peakRssMegabytes?: number;
  errors?: number;
  /** "poolhost ÷ this server" for throughput, or a scenario-specific comparison. */
  ratio?: string;
  note?: string;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export class Report {
  readonly rows: Row[] = [];
  readonly targets: TargetCheck[] = [];

  add(row: Row): void {
    this.rows.push(row);
    console.log(`  ${row.scenario} · ${row.server}: ${summary(row)}`);
  }

  target(target: string, measured: string, met: boolean): void {
    this.targets.push({ target, measured, met });
    console.log(`  target ${met ? 'MET   ' : 'MISSED'} ${target}: ${measured}`);
  }

  markdown(): string {
    const lines = [
      '| scenario | server | req/s | p50 ms | p99 ms | CPU µs/req | listener CPU µs/req | peak RSS MB | errors | poolhost ÷ this | notes |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    ];
    for (const row of this.rows) {
      lines.push(
        `| ${row.scenario} | ${row.server} | ${fixed(row.requestsPerSecond ?? Number.NaN)} | ${fixed(row.p50Ms ?? Number.NaN, 2)} | ${fixed(row.p99Ms ?? Number.NaN, 2)} | ${fixed(row.cpuMicrosecondsPerRequest ?? Number.NaN, 1)} | ${fixed(row.listenerCpuMicroseconds ?? Number.NaN, 1)} | ${fixed(row.peakRssMegabytes ?? Number.NaN, 1)} | ${row.errors ?? '–'} | ${row.ratio ?? ''} | ${row.note ?? ''} |`,
      );
    }
    lines.push('', '| target | measured | |', '|---|---|---|');
    for (const target of this.targets) lines.push(`| ${target.target} | ${target.measured} | ${target.met ? 'met' : '**missed**'} |`);
    return lines.join('\n');
  }
}

function summary(row: Row): string {
  const parts: string[] = [];
  if (row.requestsPerSecond !== undefined) parts.push(`${fixed(row.requestsPerSecond)} req/s`);
  if (row.p50Ms !== undefined) parts.push(`p50 ${fixed(row.p50Ms, 2)} ms`);
  if (row.p99Ms !== undefined) parts.push(`p99 ${fixed(row.p99Ms, 2)} ms`);
  if (row.cpuMicrosecondsPerRequest !== undefined) parts.push(`${fixed(row.cpuMicrosecondsPerRequest, 1)} µs CPU/req`);
  if (row.listenerCpuMicroseconds !== undefined && Number.isFinite(row.listenerCpuMicroseconds)) parts.push(`listener ${fixed(row.listenerCpuMicroseconds, 1)} µs CPU/req`);
  if (row.peakRssMegabytes !== undefined) parts.push(`peak RSS ${fixed(row.peakRssMegabytes, 1)} MB`);
  if (row.errors !== undefined) parts.push(`${row.errors} errors`);
  if (row.ratio) parts.push(`ratio ${row.ratio}`);
  if (row.note) parts.push(row.note);
  return parts.join(', ');
}
