// staticContent mimeMaps → one lookup table per application (IIS's shipped ~376 entries come from the
// baseline configuration; docs/request-pipeline.md). An extension with no entry is 404.3, as in IIS:
// the table is what decides which files may be downloaded at all.
import type { StaticContentSection } from '@poolhost/config';

export type MimeLookup = (fileName: string) => string | undefined;

/** Applications sharing a configuration (packages/config's EffectiveConfigCache) share its lookup table too. */
const compiled = new WeakMap<StaticContentSection, MimeLookup>();

export function compileMimeMap(section: StaticContentSection): MimeLookup {
  let lookup = compiled.get(section);
  if (!lookup) compiled.set(section, (lookup = compileTable(section)));
  return lookup;
}

function compileTable(section: StaticContentSection): MimeLookup {
  const table = new Map<string, string>();
  for (const entry of section.mimeMaps) table.set(entry.fileExtension.toLowerCase(), entry.mimeType);
  const wildcard = table.get('.*');
  return (fileName) => {
    const dot = fileName.lastIndexOf('.');
    const extension = dot < 0 ? '.' : fileName.slice(dot).toLowerCase();
    return table.get(extension) ?? wildcard;
  };
}
