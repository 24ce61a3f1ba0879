// A ConfigElement together with its schema path (`system.applicationHost/applicationPools/add`), so
// edits below it can find their element and collection descriptions.
import type { ConfigElement } from '@poolhost/config';

export interface ElementAt {
  element: ConfigElement;
  /** Element names from <configuration> down, without a <location> wrapper. */
  path: string;
}

export function childAt(parent: ElementAt, child: ConfigElement): ElementAt {
  return { element: child, path: `${parent.path}/${child.name}` };
}
