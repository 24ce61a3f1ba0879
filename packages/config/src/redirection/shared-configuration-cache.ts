// The local copy of the last shared applicationHost.config that loaded and validated, kept beside
// redirection.config (it survives a reboot, which a tmpfs run directory would not). IIS 7.5+ keeps such
// a copy in memory only, so a host restarted while the share is down stays down (reference/iis-2.md §7);
// poolhost starts on this copy instead and says so. Written atomically: a reader sees the old copy or
// the new one, never half of one.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../editing/atomic-write.js';
import type { ConfigurationRedirection } from './redirection-config.js';

export const SHARED_CONFIGURATION_CACHE_NAME = 'applicationHost.shared-cache.config';

/** Where the cached copy of the shared configuration lives for this redirection. */
export function sharedConfigurationCachePath(redirection: Pick<ConfigurationRedirection, 'file'>): string {
  return join(dirname(redirection.file), SHARED_CONFIGURATION_CACHE_NAME);
}

/** The cached copy's text, or null when there is none yet. */
export function readSharedConfigurationCache(redirection: Pick<ConfigurationRedirection, 'file'>): string | null {
  try {
    return readFileSync(sharedConfigurationCachePath(redirection), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Replaces the cached copy with `text` (a shared configuration that loaded); false when it already held it. */
export function writeSharedConfigurationCache(redirection: Pick<ConfigurationRedirection, 'file'>, text: string): boolean {
  if (readSharedConfigurationCache(redirection) === text) return false;
  writeFileAtomic(sharedConfigurationCachePath(redirection), Buffer.from(text, 'utf8'));
  return true;
}
