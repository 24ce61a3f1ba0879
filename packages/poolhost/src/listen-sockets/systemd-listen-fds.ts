// systemd socket activation, as sd_listen_fds_with_names(3) reads it: LISTEN_PID names the process the
// sockets are for, LISTEN_FDS counts them from descriptor 3 (SD_LISTEN_FDS_START), LISTEN_FDNAMES names
// them (a .socket unit's FileDescriptorName=, `:`-separated). The variables are removed from the
// environment either way, so no service or worker poolhost starts believes the sockets are its own.
import { ListenSocketError } from './tcp-listen-handle.js';

export const SD_LISTEN_FDS_START = 3;

export interface PassedDescriptor {
  fd: number;
  /** FileDescriptorName=, or systemd's `unknown` when none was given. */
  name: string;
}

const variables = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'] as const;

/** The descriptors systemd passed to process `pid`; [] when none were (or they were meant for another process). */
export function takeSystemdListenFds(env: NodeJS.ProcessEnv, pid: number): PassedDescriptor[] {
  const [listenPid, listenFds, listenFdNames] = variables.map((name) => env[name]);
  for (const name of variables) delete env[name];
  if (listenPid === undefined || listenFds === undefined) return [];
  // Inherited from a parent that was socket-activated itself: not ours (sd_listen_fds does the same).
  if (Number(listenPid) !== pid) return [];
  if (!/^\d+$/.test(listenFds)) throw new ListenSocketError('EINVAL', `LISTEN_FDS="${listenFds}" is not a number of descriptors`);
  const count = Number(listenFds);
  const names = listenFdNames === undefined ? [] : listenFdNames.split(':');
  if (listenFdNames !== undefined && names.length !== count) {
    throw new ListenSocketError('EINVAL', `LISTEN_FDNAMES="${listenFdNames}" names ${names.length} descriptors, LISTEN_FDS="${listenFds}" passes ${count}`);
  }
  return Array.from({ length: count }, (_, index) => ({ fd: SD_LISTEN_FDS_START + index, name: names[index] || 'unknown' }));
}
