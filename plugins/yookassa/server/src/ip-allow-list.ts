/**
 * Which address a webhook came from, and whether it is allowed. The socket's peer is the sender unless it is one
 * of our trusted proxies; only then is X-Forwarded-For read, from the right, skipping our own proxies, so a
 * client cannot pick its address by sending the header itself.
 */
import { BlockList, isIP } from 'node:net';

/** 1.2.3.4 from ::ffff:1.2.3.4, so IPv4 rules match IPv4 peers on a dual-stack socket. */
const normalise = (address: string) => address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

export function buildBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.trim().split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) throw new Error(`Not an IP address or CIDR range: "${entry}"`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

export function contains(list: BlockList, address: string): boolean {
  const ip = normalise(address);
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** The client's address as our own proxies saw it. */
export function senderAddress(peer: string, forwardedFor: string | undefined, trustedProxies: BlockList): string {
  let sender = normalise(peer);
  if (!forwardedFor || !contains(trustedProxies, sender)) return sender;
  const hops = forwardedFor.split(',').map(normalise).filter((hop) => hop !== '');
  while (hops.length > 0 && contains(trustedProxies, sender)) sender = hops.pop() as string;
  return sender;
}
