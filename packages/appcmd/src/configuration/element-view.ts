// Turns configuration elements into the views appcmd prints: as written (`/config`), or with every
// schema attribute filled in from the nearest `*Defaults` element or the schema default (`/text:*`,
// `/config:*`).
import { describeElement, formatAttributeValue, type ConfigElement } from '@poolhost/config';
import type { ElementView } from '../output/record.js';
import type { ElementAt } from './element-path.js';

export function explicitView(element: ConfigElement): ElementView {
  return {
    name: element.name,
    attributes: Object.entries(element.attributes()),
    children: element.children().map(explicitView),
  };
}

export interface EffectiveSource {
  /** The element itself; undefined when it is not written (all values come from defaults). */
  element: ConfigElement | undefined;
  /** Its schema path. */
  path: string;
  /** Element names to show even when absent (`processModel`, `recycling/periodicRestart` …). */
  childNames?: string[];
  /** `*Defaults` elements, nearest first, consulted for attributes the element does not write. */
  defaults?: Array<ConfigElement | undefined>;
}

function childOf(element: ConfigElement | undefined, name: string): ConfigElement | undefined {
  return element?.children().find((child) => child.name === name);
}

/** Element name of a view, from its path. */
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function effectiveView(source: EffectiveSource, displayName = source.element?.name ?? nameOf(source.path)): ElementView {
  const description = describeElement(source.path);
  const attributes: Array<[string, string]> = [];
  const written = source.element?.attributes() ?? {};
  if (description) {
    for (const [name, spec] of Object.entries(description.attributes)) {
      const fromDefaults = (source.defaults ?? []).map((element) => element?.get(name)).find((value) => value !== undefined);
      const value = written[name] ?? fromDefaults ?? formatAttributeValue(spec.type, spec.default);
      attributes.push([name, value]);
    }
  }
  for (const [name, value] of Object.entries(written)) if (!attributes.some(([known]) => known === name)) attributes.push([name, value]);
  const children: ElementView[] = [];
  const shown = new Set<string>();
  const topLevel = new Map<string, string[]>();
  for (const childPath of source.childNames ?? []) {
    const [first, ...rest] = childPath.split('/');
    topLevel.set(first!, [...(topLevel.get(first!) ?? []), ...(rest.length ? [rest.join('/')] : [])]);
  }
  for (const [name, grandchildren] of topLevel) {
    shown.add(name);
    children.push(
      effectiveView({
        element: childOf(source.element, name),
        path: `${source.path}/${name}`,
        childNames: grandchildren,
        defaults: (source.defaults ?? []).map((element) => childOf(element, name)),
      }),
    );
  }
  for (const child of source.element?.children() ?? []) {
    if (shown.has(child.name)) continue;
    children.push(effectiveView({ element: child, path: `${source.path}/${child.name}` }));
  }
  return { name: displayName, attributes, children };
}

export function effectiveViewAt(at: ElementAt, childNames: string[] = [], defaults: Array<ConfigElement | undefined> = []): ElementView {
  return effectiveView({ element: at.element, path: at.path, childNames, defaults });
}
