// `poolhost http show cachestate`: netsh http show cachestate's layout (reference iis-2.md §2.5), one
// block per cached response. Creation time as netsh writes it (`2006.3.21:23.30.14:0`, UTC here).
import type { ResponseCacheEntryInfo } from '@poolhost/protocol';

export function formatCacheState(entries: readonly ResponseCacheEntryInfo[]): string {
  const lines = ['', 'Snapshot of HTTP response cache:', '--------------------------------'];
  for (const entry of entries) {
    lines.push(`URL: ${entry.url}`);
    lines.push(`Status code: ${entry.statusCode}`);
    lines.push(`HTTP verb: ${entry.verb}`);
    lines.push(`Cache policy type: ${entry.policy}`);
    if (entry.policy === 'Time to live') lines.push(`Time to live: ${entry.secondsToLive}`);
    lines.push(`Creation time: ${creationTime(entry.createdAt)}`);
    lines.push(`Request queue name: ${entry.requestQueue}`);
    lines.push(`Headers length: ${entry.headersLength}`);
    lines.push(`Content length: ${entry.contentLength}`);
    lines.push(`Hit count: ${entry.hitCount}`);
    lines.push('Force disconnect after serving: FALSE');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function creationTime(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}.${date.getUTCMonth() + 1}.${date.getUTCDate()}:${date.getUTCHours()}.${date.getUTCMinutes()}.${date.getUTCSeconds()}:${date.getUTCMilliseconds()}`;
}
