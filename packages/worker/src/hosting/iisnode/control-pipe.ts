// recycleSignalEnabled: IISNODE_CONTROL_PIPE names a socket the application may write `recycle` to
// (iisnode's control signal pipe, one per worker process). iisnode then asks IIS to recycle the worker
// process (IHttpServer::RecycleProcess); w3wp asks was (WorkerRecycleRequested), and was recycles it
// overlapped like any other recycle: a new w3wp starts, this one drains.
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';

export class ControlPipe {
  private server: Server | null = null;

  constructor(readonly path: string, private readonly recycle: () => void) {}

  /** Listens on first use; returns the path for IISNODE_CONTROL_PIPE. */
  open(): string {
    if (this.server) return this.path;
    rmSync(this.path, { force: true });
    this.server = createServer((socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.trim().toLowerCase().startsWith('recycle')) {
          text = '';
          this.recycle();
        }
        if (text.length > 1024) socket.destroy();
      });
      socket.on('error', () => socket.destroy());
    });
    this.server.unref();
    this.server.listen(this.path);
    return this.path;
  }

  close(): void {
    this.server?.close();
    this.server = null;
    rmSync(this.path, { force: true });
  }
}
