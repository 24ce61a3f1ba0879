// A spare worker boots as was's user (root when pools run as their own users). On assignment to a
// SpecificUser pool it becomes that user for good, before it reads the pool's configuration or loads any
// application: supplementary groups cleared, then the gid, then the uid — the order and the groups a
// cold start gets from its spawn (libuv clears the groups when it sets uid/gid) — and then checked
// thread by thread. A uid dropped with setuid() from root cannot be taken back (real, effective and saved
// uid all change, and the capabilities go).
import type { SpareWorkerIdentity } from '@poolhost/protocol';
import { credentialProblem, readThreadCredentials } from './credentials.js';

export interface ProcessCredentials {
  setgroups(groups: number[]): void;
  setgid(id: number): void;
  setuid(id: number): void;
}

export interface TakenIdentity {
  uid: number;
  gid: number;
  groups: number[];
}

export function takeIdentity(
  identity: SpareWorkerIdentity,
  credentials: ProcessCredentials = process as Required<NodeJS.Process> as ProcessCredentials,
  readThreads = readThreadCredentials,
): TakenIdentity {
  credentials.setgroups([]);
  credentials.setgid(identity.gid);
  credentials.setuid(identity.uid);
  return verifyIdentity(identity.uid, identity.gid, readThreads);
}

/** Reads back every thread's credentials; throws naming the first thread that does not run as uid:gid alone. */
export function verifyIdentity(uid: number, gid: number, readThreads = readThreadCredentials): TakenIdentity {
  const threads = readThreads();
  if (threads.size === 0) throw new Error('could not read any thread of this process from /proc');
  for (const [tid, thread] of threads) {
    const problem = credentialProblem(thread, uid, gid);
    if (problem) throw new Error(`thread ${tid} did not take the pool's identity ${uid}:${gid}: ${problem}`);
  }
  return { uid, gid, groups: [] };
}
