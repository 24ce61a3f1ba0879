// A metric whose samples are read from the latest counter snapshot when Prometheus scrapes. prom-client
// does the exposition (names, HELP/TYPE, label escaping); the values are the services' own counters,
// so nothing here counts anything by itself.
import type { Registry } from 'prom-client';
import type { CounterSnapshot } from '../counters/counter-snapshot.js';

export type MetricType = 'gauge' | 'counter' | 'histogram';
export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
  /** For histograms: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  labelNames: readonly string[];
  samples(snapshot: CounterSnapshot): Sample[];
}

/** Registers each family with prom-client's registry as a metric object it formats. */
export function registerFamilies(registry: Registry, families: readonly MetricFamily[], latest: () => CounterSnapshot | null): void {
  for (const family of families) {
    registry.registerMetric({
      name: family.name,
      help: family.help,
      type: family.type,
      get: () => {
        const snapshot = latest();
        return {
          name: family.name,
          help: family.help,
          type: family.type,
          values: snapshot ? family.samples(snapshot) : [],
          aggregator: 'sum',
        };
      },
      // prom-client's Metric interface asks for these; the families are read-only views.
      reset: () => undefined,
      labels: () => undefined,
      remove: () => undefined,
    } as never);
  }
}

/** Histogram samples (`_bucket` cumulative with `le`, `_sum`, `_count`) from per-bucket counts. */
export function histogramSamples(name: string, labels: Labels, boundsSeconds: readonly number[], counts: readonly number[], sumSeconds: number): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let slot = 0; slot < counts.length; slot++) {
    cumulative += counts[slot]!;
    const le = slot < boundsSeconds.length ? String(boundsSeconds[slot]) : '+Inf';
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
  }
  samples.push({ metricName: `${name}_sum`, labels, value: sumSeconds });
  samples.push({ metricName: `${name}_count`, labels, value: cumulative });
  return samples;
}
