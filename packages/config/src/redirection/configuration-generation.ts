// A configuration generation: the first 12 hex digits of the SHA-256 of applicationHost.config's
// text encoded as UTF-8 (for a UTF-8 file, its bytes: `sha256sum applicationHost.config | cut -c1-12`
// gives the same). Two hosts showing the same generation serve the same file.
import { createHash } from 'node:crypto';

export const GENERATION_LENGTH = 12;

export function configurationGeneration(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, GENERATION_LENGTH);
}
