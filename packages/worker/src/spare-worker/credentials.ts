// The credentials of every thread of this process, read back from /proc after a spare worker took its
// pool's identity. glibc's setuid/setgid/setgroups change all threads of the process (its setxid
// broadcast), and the kernel clears the capabilities of a process that leaves uid 0: this file checks
// that both happened, thread by thread, before any application code runs.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCredentials {
  /** Real, effective, saved and filesystem uid. */
  uids: number[];
  gids: number[];
  groups: number[];
  /** Effective and permitted capability sets, as /proc prints them (hex). */
  capEff: bigint;
  capPrm: bigint;
}

/** Parses the Uid, Gid, Groups, CapEff and CapPrm lines of a /proc/<pid>/status file. */
export function parseCredentials(status: string): ThreadCredentials {
  const field = (name: string): string => {
    const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status);
    if (!match) throw new Error(`/proc status has no ${name} line`);
    return match[1]!.trim();
  };
  const numbers = (text: string): number[] => (text === '' ? [] : text.split(/\s+/).map(Number));
  return {
    uids: numbers(field('Uid')),
    gids: numbers(field('Gid')),
    groups: numbers(field('Groups')),
    capEff: BigInt(`0x${field('CapEff')}`),
    capPrm: BigInt(`0x${field('CapPrm')}`),
  };
}

/** What is wrong with one thread's credentials for identity uid:gid with no supplementary group; null: nothing. */
export function credentialProblem(credentials: ThreadCredentials, uid: number, gid: number): string | null {
  if (credentials.uids.some((value) => value !== uid)) return `uids ${credentials.uids.join(' ')} (expected ${uid})`;
  if (credentials.gids.some((value) => value !== gid)) return `gids ${credentials.gids.join(' ')} (expected ${gid})`;
  if (credentials.groups.length > 0) return `supplementary groups ${credentials.groups.join(' ')} (expected none)`;
  if (uid !== 0 && (credentials.capEff !== 0n || credentials.capPrm !== 0n)) return `capabilities left (CapEff ${credentials.capEff.toString(16)}, CapPrm ${credentials.capPrm.toString(16)})`;
  return null;
}

/** Every thread's credentials, by thread id. */
export function readThreadCredentials(procSelf = '/proc/self'): Map<number, ThreadCredentials> {
  const threads = new Map<number, ThreadCredentials>();
  for (const tid of readdirSync(`${procSelf}/task`)) {
    try {
      threads.set(Number(tid), parseCredentials(readFileSync(`${procSelf}/task/${tid}/status`, 'utf8')));
    } catch (error) {
      // A thread that ended between the listing and the read has no credentials left to check.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return threads;
}
