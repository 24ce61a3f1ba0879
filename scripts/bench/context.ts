// What every scenario gets: the work folder, the applications, the run's length and the report.
import type { ApplicationName } from './applications.js';
import type { Report } from './report.js';

export interface BenchContext {
  /** Temporary folder for configurations, run directories, logs (removed at the end). */
  work: string;
  applications: Record<ApplicationName, string>;
  quick: boolean;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  report: Report;
}
