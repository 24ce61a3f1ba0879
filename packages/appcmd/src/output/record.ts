// What a LIST produces for each object, whatever the output format: the identifier and the compact
// summary IIS prints, the synthesized properties (`SITE.NAME`, `state` …) in IIS's order, and the
// configuration element behind the object (explicit values, and with defaults for `/config:*`).

/** A configuration element as appcmd shows it: attributes in order, then child elements. */
export interface ElementView {
  name: string;
  attributes: Array<[string, string]>;
  children: ElementView[];
}

export interface AppcmdRecord {
  /** `SITE`, `APP`, `VDIR`, `APPPOOL`, `WP`, `REQUEST`, `MODULE`, `BACKUP`, `TRACE`, `CONFIG`. */
  objectType: string;
  /** The name inside the quotes of the compact line. */
  identifier: string;
  /** Text inside the parentheses of the compact line; undefined prints no parentheses (`BACKUP "x"`). */
  summary: string | undefined;
  /** Synthesized properties as IIS names them; shown by `/text:*`, written by `/xml`, used by filters. */
  properties: Array<[string, string]>;
  /** poolhost additions shown by `/text:*` only (and usable by filters and `/text:<name>`). */
  extraProperties?: Array<[string, string]>;
  /** Header word of `/text:*` when it differs from objectType (`TRACELOG`). */
  detailHeading?: string;
  /** The element as written in the file (`/config`). */
  element?: ElementView;
  /** The element with every schema default filled in (`/text:*`, `/config:*`). */
  effectiveElement?: ElementView;
  /** Further blocks `/text:*` appends after the element (poolhost's worker history). */
  extraBlocks?: ElementView[];
}

/** Finds a property for filters and `/text:<name>`: synthesized first, then element attributes by dotted path. */
export function recordProperty(record: AppcmdRecord, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of [...record.properties, ...(record.extraProperties ?? [])]) {
    if (key.toLowerCase() === lower) return value;
  }
  const element = record.effectiveElement ?? record.element;
  return element ? elementAttribute(element, name) : undefined;
}

/** `processModel.idleTimeout` → the idleTimeout attribute of the processModel child. */
export function elementAttribute(element: ElementView, path: string): string | undefined {
  const steps = path.split('.');
  let current: ElementView | undefined = element;
  for (const step of steps.slice(0, -1)) {
    current = current?.children.find((child) => child.name.toLowerCase() === step.toLowerCase());
  }
  const last = steps[steps.length - 1]!.toLowerCase();
  return current?.attributes.find(([key]) => key.toLowerCase() === last)?.[1];
}
