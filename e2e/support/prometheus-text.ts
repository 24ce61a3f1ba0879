// Reads a /metrics page with a real Prometheus text-format parser (parse-prometheus-text-format).
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface MetricFamilyText {
  name: string;
  help: string;
  type: 'GAUGE' | 'COUNTER' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

export function parseMetrics(text: string): Map<string, MetricFamilyText> {
  const families = parsePrometheusTextFormat(text) as MetricFamilyText[];
  return new Map(families.map((family) => [family.name, family]));
}

/** The value of the one sample of `name` whose labels include `labels` (undefined when there is none). */
export function sampleValue(families: Map<string, MetricFamilyText>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const sample = family?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));
  return sample?.value === undefined ? undefined : Number(sample.value);
}
