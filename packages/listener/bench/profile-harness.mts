// httpsys in-process and one real w3wp for an application's files, for profiling: prints PORT, runs
// until SIGINT, then lets the worker drain and exit 0 (so W3WP_EXEC_ARGV=--cpu-prof writes its profile).
import { Harness } from '../test/integration/harness.js';

export async function serveUntilInterrupted(files: Record<string, string>): Promise<never> {
  const harness = new Harness([{ name: 'AppPool', files }]);
  await harness.start();
  const worker = await harness.startWorker('AppPool', {}, process.env.W3WP_EXEC_ARGV ? process.env.W3WP_EXEC_ARGV.split(' ') : []);
  console.log('PORT', harness.port);
  await new Promise((resolve) => process.once('SIGINT', resolve));
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await harness.stop();
  process.exit(0);
}
