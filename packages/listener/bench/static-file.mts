// A 50 KB static file through httpsys (in-process) and one w3wp: `node --import tsx bench/static-file.mts`,
// then `wrk http://127.0.0.1:<PORT>/page.html`; Ctrl-C stops.
import { serveUntilInterrupted } from './profile-harness.mjs';

await serveUntilInterrupted({ 'page.html': `${'x'.repeat(100)}\n`.repeat(507) });
