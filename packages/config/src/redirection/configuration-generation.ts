// A configuration generation: the first 12 hex digits of the SHA-256 of applicationHost.config's
// text encoded as UTF-8 (for a UTF-8 file, its bytes: `sha256sum applicationHost.config | cut -c1-12`
// gives the same). Two hosts showing the same generation serve the same file.
// node:crypto is loaded on first use (process.getBuiltinModule): a worker's start does not need it, and loading it costs ≈1.8 ms of CPU there (docs/performance.md, "Demand start without a spare").

export const GENERATION_LENGTH = 12;

export function configurationGeneration(text: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(text, 'utf8').digest('hex').slice(0, GENERATION_LENGTH);
}
