// The seam between service supervision and real processes: `node <bundle> --run-dir <dir>`.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { executablePath, type IpcEndpoint } from '@poolhost/protocol';
import { debugNodeFlags } from './debug-node-flags.js';
import { serviceNodeFlags } from './service-node-flags.js';

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

export interface ChildProcessServiceLauncherOptions {
  configFile: string;
  runDirectory: string;
  /** inetmgr's `IP:port` (`--metrics`). */
  administrationAddress?: string;
  /** inetmgr's farm health: HAProxy's agent-check port (0: none) and the ready threshold. */
  farmHealth?: { agentCheckPort: number; readyQueuePercent: number };
  env?: NodeJS.ProcessEnv;
}

export function createChildProcessServiceLauncher(options: ChildProcessServiceLauncherOptions): ServiceLauncher {
  const env = options.env ?? process.env;
  return {
    launch(name) {
      const args = [...serviceNodeFlags(name), ...debugNodeFlags(name, env), executablePath(name, env), '--run-dir', options.runDirectory];
      if (name === 'was') args.push('--config', options.configFile);
      if (name === 'inetmgr' && options.administrationAddress) args.push('--listen', options.administrationAddress);
      if (name === 'inetmgr' && options.farmHealth) {
        args.push('--agent-check-port', String(options.farmHealth.agentCheckPort), '--ready-queue-percent', String(options.farmHealth.readyQueuePercent));
      }
      // Node's own spawn, not execa (whose module graph held ≈14 MB of poolhost's RSS at rest).
      const subprocess = spawn(process.execPath, args, {
        env: { ...env, POOLHOST_RUN_DIR: options.runDirectory, POOLHOST_CONFIG: options.configFile },
        // The IPC channel is a lifeline: a service sees it disconnect if poolhost is killed, and exits.
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
        // Own process group: Ctrl-C reaches poolhost alone, which stops the services in order.
        detached: true,
      });
      let exited: ServiceExit | null = null;
      const listeners: Array<(exit: ServiceExit) => void> = [];
      subprocess.on('exit', (exitCode, signal) => {
        exited = { exitCode, signal };
        for (const listener of listeners) listener(exited);
      });
      // A spawn failure (ENOENT) has no pid and no exit event. Later errors (a kill or an IPC write to a
      // service that is gone) change nothing: its exit event is what counts.
      subprocess.on('error', () => {
        if (exited || subprocess.pid !== undefined) return;
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
