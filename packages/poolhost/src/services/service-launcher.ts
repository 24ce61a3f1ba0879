// The seam between service supervision and real processes: `node <bundle> --run-dir <dir>`.
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { executablePath, type IpcEndpoint } from '@poolhost/protocol';
import { debugNodeFlags } from './debug-node-flags.js';

export type ServiceName = 'httpsys' | 'w3svc' | 'was' | 'inetmgr' | 'nettcpactivator';

export interface ServiceExit {
  exitCode: number | null;
  signal: string | null;
}

export interface LaunchedService {
  pid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** The IPC channel to the service (a lifeline; httpsys also asks for its listening sockets on it). */
  ipc?: IpcEndpoint;
  onExit(listener: (exit: ServiceExit) => void): void;
  kill(signal: NodeJS.Signals): void;
}

export interface ServiceLauncher {
  launch(name: ServiceName): LaunchedService;
}

export interface ExecaServiceLauncherOptions {
  configFile: string;
  runDirectory: string;
  /** inetmgr's `IP:port` (`--metrics`). */
  administrationAddress?: string;
  /** inetmgr's farm health: HAProxy's agent-check port (0: none) and the ready threshold. */
  farmHealth?: { agentCheckPort: number; readyQueuePercent: number };
  env?: NodeJS.ProcessEnv;
}

export function createExecaServiceLauncher(options: ExecaServiceLauncherOptions): ServiceLauncher {
  const env = options.env ?? process.env;
  return {
    launch(name) {
      const args = [...debugNodeFlags(name, env), executablePath(name, env), '--run-dir', options.runDirectory];
      if (name === 'was') args.push('--config', options.configFile);
      if (name === 'inetmgr' && options.administrationAddress) args.push('--listen', options.administrationAddress);
      if (name === 'inetmgr' && options.farmHealth) {
        args.push('--agent-check-port', String(options.farmHealth.agentCheckPort), '--ready-queue-percent', String(options.farmHealth.readyQueuePercent));
      }
      const subprocess = execa(process.execPath, args, {
        env: { ...env, POOLHOST_RUN_DIR: options.runDirectory, POOLHOST_CONFIG: options.configFile },
        extendEnv: false,
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
        // The IPC channel is a lifeline: a service sees it disconnect if poolhost is killed, and exits.
        ipc: true,
        serialization: 'json',
        buffer: false,
        reject: false,
        cleanup: false,
        // Own process group: Ctrl-C reaches poolhost alone, which stops the services in order.
        detached: true,
      });
      subprocess.catch(() => undefined);
      let exited: ServiceExit | null = null;
      const listeners: Array<(exit: ServiceExit) => void> = [];
      subprocess.on('exit', (exitCode, signal) => {
        exited = { exitCode, signal };
        for (const listener of listeners) listener(exited);
      });
      // A spawn failure (ENOENT) has no pid and no exit event.
      subprocess.on('error', () => {
        if (exited) return;
        exited = { exitCode: null, signal: null };
        for (const listener of listeners) listener(exited);
      });
      return {
        pid: subprocess.pid ?? 0,
        stdout: subprocess.stdout,
        stderr: subprocess.stderr,
        ipc: subprocess as unknown as IpcEndpoint,
        onExit(listener) {
          if (exited) listener(exited);
          else listeners.push(listener);
        },
        kill(signal) {
          if (exited) return;
          try {
            subprocess.kill(signal);
          } catch {
            // already gone
          }
        },
      };
    },
  };
}
