// Every script the iisnode handler runs in this worker, by physical path. iisnode starts one Node
// application per script a request maps to it (`<add name="iisnode" path="hello.js" modules="iisnode">`
// in any folder's web.config), on that script's first request; so does w3wp: the application's own
// entry script loads with the worker, a script of a sub-folder loads when it is first asked for (one
// load at a time, so a `listen()` is attributed to the script that made it). The static file handler
// asks `isEntryScript` before serving a file: a script the iisnode handler runs is never sent as bytes.
import { realpathSync } from 'node:fs';
import { NodeApplication } from './node-application.js';

export class EntryScriptHosts {
  private readonly byScript = new Map<string, NodeApplication | Promise<NodeApplication>>();
  /** Real paths (symbolic links resolved) of every script known to be run by the iisnode handler. */
  private readonly scripts = new Set<string>();
  private loading: Promise<unknown> = Promise.resolve();
  /** How long a script that neither exported a listener nor listened yet may take to call listen(). */
  listenWaitMs = 0;

  /** A script loaded with the worker (its application's entry script). */
  add(node: NodeApplication): void {
    this.byScript.set(node.entryScript, node);
    this.remember(node.entryScript);
  }

  /** A script a handler mapping names in some folder: refused to the static file handler from now on. */
  remember(script: string): void {
    this.scripts.add(script);
    try {
      this.scripts.add(realpathSync(script));
    } catch {
      // Not there (yet): the path as written is remembered.
    }
  }

  /** The Node application of a script already loaded (or loading), without touching the disk. */
  find(script: string): NodeApplication | Promise<NodeApplication> | undefined {
    return this.byScript.get(script);
  }

  isEntryScript(realPath: string): boolean {
    return this.scripts.has(realPath);
  }

  /** The Node application running `script`, loading it first (once) when this is its first request. */
  nodeFor(script: string, siteId: number, siteName: string, applicationPath: string): NodeApplication | Promise<NodeApplication> {
    const known = this.byScript.get(script);
    if (known !== undefined) return known;
    this.remember(script);
    const node = new NodeApplication(siteId, siteName, applicationPath, script);
    const loaded = (this.loading = this.loading.then(
      () => node.load(this.listenWaitMs),
      () => node.load(this.listenWaitMs),
    )).then(() => {
      this.byScript.set(script, node);
      return node;
    });
    // A script that fails to load is tried again by the next request for it.
    loaded.catch(() => this.byScript.delete(script));
    this.byScript.set(script, loaded);
    return loaded;
  }
}
