// DirectoryListingModule's page (reference §6.4): IIS's `<pre>` listing with "[To Parent Directory]",
// dates, sizes and `<dir>` entries per directoryBrowse@showFlags. Hidden segments are never listed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DirectoryBrowseShowFlag } from '@poolhost/config';

const html = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function formatDate(date: Date, flags: Set<DirectoryBrowseShowFlag>): string {
  let out = '';
  if (flags.has('LongDate')) out += date.toLocaleDateString('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  else if (flags.has('Date')) out += `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
  if (flags.has('Time')) {
    const hours = date.getUTCHours();
    out += `${out ? ' ' : ''}${String(hours % 12 || 12).padStart(2)}:${String(date.getUTCMinutes()).padStart(2, '0')} ${hours < 12 ? 'AM' : 'PM'}`;
  }
  return out.padStart(flags.has('LongDate') ? 30 : 20);
}

export function directoryListingPage(folder: string, urlPath: string, host: string, showFlags: DirectoryBrowseShowFlag[], isHidden: (name: string) => boolean): string {
  const flags = new Set(showFlags);
  const title = `${html(host)} - ${html(urlPath)}`;
  let body = '';
  if (urlPath !== '/') {
    const parent = urlPath.replace(/[^/]+\/$/, '');
    body += `<A HREF="${html(encodeURI(parent))}">[To Parent Directory]</A><br><br>`;
  }
  const entries = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !isHidden(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    let stats;
    try {
      stats = statSync(join(folder, entry.name));
    } catch {
      continue;
    }
    const directory = stats.isDirectory();
    const href = `${urlPath}${encodeURIComponent(entry.name)}${directory ? '/' : ''}`;
    const size = directory ? '&lt;dir&gt;' : flags.has('Size') ? String(stats.size) : '';
    const name = flags.has('Extension') || directory ? entry.name : entry.name.replace(/\.[^.]*$/, '');
    body += `${formatDate(stats.mtime, flags)} ${size.padStart(directory ? 15 : 12)} <A HREF="${html(href)}">${html(name)}</A><br>`;
  }
  return `<html><head><title>${title}</title></head><body><H1>${title}</H1><hr>\n\n<pre>${body}</pre><hr></body></html>`;
}
