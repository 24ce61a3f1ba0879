// Linux network namespaces (root only) that stand for the machines of a farm, so several poolhost
// hosts bind the same ports as separate machines would and the test reaches each at its own address:
//   - createNetworkNamespace(): one namespace joined to the test's own by a veth pair (a /30);
//   - createBridgedNetwork(n): n namespaces joined by a bridge in the test's namespace (a /24), as n
//     machines on one LAN with the balancer (the test's namespace) at the gateway address.
// Names and subnets are random (and checked against addresses in use) so concurrent test files do not
// collide; `remove()` deletes the namespaces, which takes their veth pairs with them, and the bridge.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface NetworkNamespace {
  readonly name: string;
  /** The namespace's end of its veth pair, reachable from the test's namespace. */
  readonly address: string;
  /** Prefix that runs a command inside the namespace (`ip netns exec <name>` keeps the pid). */
  readonly commandPrefix: string[];
  remove(): void;
}

export interface BridgedNetwork {
  /** The bridge in the test's namespace. */
  readonly bridge: string;
  /** The test's own address on the bridge (where a balancer in the test's namespace is seen from). */
  readonly gateway: string;
  readonly namespaces: NetworkNamespace[];
  /** Deletes every namespace and the bridge; safe to call twice, and after a half-made network. */
  remove(): void;
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

const quietly = (fn: () => void): void => {
  try {
    fn();
  } catch {
    // already removed
  }
};

/** A free 10.<second>.<third> prefix: no address of the test's namespace starts with it. */
function unusedPrefix(second: number, thirdFrom: () => number): string {
  const inUse = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  for (let attempt = 0; attempt < 50; attempt++) {
    const prefix = `10.${second}.${thirdFrom()}`;
    if (!inUse.includes(` ${prefix}.`)) return prefix;
  }
  throw new Error(`no free 10.${second}.x subnet for a test network`);
}

/** Moves `inside` (one end of a veth pair) into namespace `name` and gives it `cidr`. */
function configureInside(name: string, inside: string, cidr: string): void {
  ip('link', 'set', inside, 'netns', name);
  ip('netns', 'exec', name, 'ip', 'addr', 'add', cidr, 'dev', inside);
  ip('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
}

function namespaceHandle(name: string, address: string): NetworkNamespace {
  return { name, address, commandPrefix: ['ip', 'netns', 'exec', name], remove: () => quietly(() => ip('netns', 'del', name)) };
}

export function createNetworkNamespace(): NetworkNamespace {
  const id = randomBytes(3).toString('hex');
  const name = `poolhost-${id}`;
  const outside = `ph${id}a`;
  const inside = `ph${id}b`;
  // 10.213.X.Y/30: host .1 here, .2 in the namespace.
  const base = randomInt(0, 64) * 4;
  const subnet = unusedPrefix(213, () => randomInt(0, 256));
  const address = `${subnet}.${base + 2}`;
  ip('netns', 'add', name);
  try {
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('addr', 'add', `${subnet}.${base + 1}/30`, 'dev', outside);
    ip('link', 'set', outside, 'up');
    configureInside(name, inside, `${address}/30`);
  } catch (error) {
    quietly(() => ip('link', 'del', outside));
    quietly(() => ip('netns', 'del', name));
    throw error;
  }
  return namespaceHandle(name, address);
}

/** `count` namespaces at 10.214.X.11, .12, … on a bridge whose address here is 10.214.X.1. */
export function createBridgedNetwork(count: number): BridgedNetwork {
  const id = randomBytes(3).toString('hex');
  const bridge = `phbr${id}`;
  const subnet = unusedPrefix(214, () => randomInt(0, 256));
  const gateway = `${subnet}.1`;
  const namespaces: NetworkNamespace[] = [];
  const veths: string[] = [];
  const network: BridgedNetwork = {
    bridge,
    gateway,
    namespaces,
    remove() {
      for (const namespace of namespaces) namespace.remove();
      // A pair not yet moved into its namespace stays here; deleting one end deletes both.
      for (const veth of veths) quietly(() => ip('link', 'del', veth));
      quietly(() => ip('link', 'del', bridge));
    },
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let index = 1; index <= count; index++) {
      const name = `poolhost-${id}-${index}`;
      const outside = `ph${id}${index}a`;
      const inside = `ph${id}${index}b`;
      const address = `${subnet}.${10 + index}`;
      ip('netns', 'add', name);
      namespaces.push(namespaceHandle(name, address));
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      veths.push(outside);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      configureInside(name, inside, `${address}/24`);
    }
  } catch (error) {
    network.remove();
    throw error;
  }
  return network;
}
