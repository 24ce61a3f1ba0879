// A Linux network namespace joined to the test's own by a veth pair (root only), so a second poolhost
// host can bind the same ports as the first, as on another machine of a farm: the test reaches it at
// `address`. Names and the /30 subnet are random so concurrent test files do not collide; `remove()`
// deletes the namespace, which takes the veth pair with it.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface NetworkNamespace {
  readonly name: string;
  /** The namespace's end of the veth pair, reachable from the test's namespace. */
  readonly address: string;
  /** Prefix that runs a command inside the namespace (`ip netns exec <name>` keeps the pid). */
  readonly commandPrefix: string[];
  remove(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export function createNetworkNamespace(): NetworkNamespace {
  const id = randomBytes(3).toString('hex');
  const name = `poolhost-${id}`;
  const outside = `ph${id}a`;
  const inside = `ph${id}b`;
  // 10.213.X.Y/30: host .1 here, .2 in the namespace.
  const base = randomInt(0, 64) * 4;
  const subnet = `10.213.${randomInt(0, 256)}`;
  const address = `${subnet}.${base + 2}`;
  ip('netns', 'add', name);
  try {
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', name);
    ip('addr', 'add', `${subnet}.${base + 1}/30`, 'dev', outside);
    ip('link', 'set', outside, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', inside);
    ip('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (error) {
    ip('netns', 'del', name);
    throw error;
  }
  return {
    name,
    address,
    commandPrefix: ['ip', 'netns', 'exec', name],
    remove() {
      try {
        ip('netns', 'del', name);
      } catch {
        // already removed
      }
    },
  };
}
