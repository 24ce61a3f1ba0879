// processModel identityType="SpecificUser" userName="x" runs the pool's workers as Linux user x
// when was runs as root; every other identity (and a non-root was) runs them as the current user.
import { readFileSync } from 'node:fs';
import type { ApplicationPool } from '@poolhost/config';
import type { Logger } from '@poolhost/common';

export interface WorkerIdentity {
  uid: number;
  gid: number;
  userName: string;
  home: string;
}

export interface PasswdEntry {
  userName: string;
  uid: number;
  gid: number;
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 7)
    .map((fields) => ({ userName: fields[0]!, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! }));
}

/** Strips a Windows domain (`CONTOSO\\alice`, `alice@contoso`) down to the Linux user name. */
export function linuxUserName(userName: string): string {
  const afterBackslash = userName.includes('\\') ? userName.slice(userName.lastIndexOf('\\') + 1) : userName;
  return afterBackslash.split('@')[0]!;
}

export function resolveWorkerIdentity(
  applicationPool: ApplicationPool,
  logger: Logger,
  readPasswd: () => string = () => readFileSync('/etc/passwd', 'utf8'),
  currentUid: number | undefined = process.getuid?.(),
): WorkerIdentity | undefined {
  const { identityType, userName } = applicationPool.processModel;
  if (identityType !== 'SpecificUser') return undefined;
  const name = linuxUserName(userName);
  if (currentUid !== 0) {
    logger.warn({ pool: applicationPool.name }, `application pool '${applicationPool.name}' asks for user '${name}' (identityType SpecificUser), but poolhost is not running as root; its workers run as the current user`);
    return undefined;
  }
  const entry = parsePasswd(readPasswd()).find((candidate) => candidate.userName === name);
  if (!entry) {
    throw new Error(`application pool '${applicationPool.name}': user '${name}' (processModel userName) does not exist on this system`);
  }
  return { uid: entry.uid, gid: entry.gid, userName: entry.userName, home: entry.home };
}
