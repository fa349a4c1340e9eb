/**
 * The client's address, as every part of the app should see it (rate limits, IP bans, audit log).
 *
 * The socket's peer is the client unless it is one of our own reverse proxies (TRUSTED_PROXIES, comma-separated
 * addresses or CIDR ranges); only then is X-Forwarded-For read, from the right, skipping our proxies, so a client
 * cannot choose its address by sending the header itself. Koa's `ctx.request.ip` (with SERVER_PROXY) takes the
 * left-most hop, which the client writes: do not use it for anything that limits or blocks.
 *
 * plugins/yookassa/server/src/ip-allow-list.ts keeps a copy of this rule (the plugin is compiled on its own).
 */
import { BlockList, isIP } from 'node:net';
import type { Context } from 'koa';

/** 1.2.3.4 from ::ffff:1.2.3.4, so IPv4 rules match IPv4 peers on a dual-stack socket. */
export const normaliseAddress = (address: string): string => address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** A BlockList of addresses and CIDR ranges; `name` (an env variable) is named in the error for a bad entry. */
export function addressList(entries: readonly string[], name: string): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = normaliseAddress(entry).split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? null : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== null && (!/^\d{1,3}$/.test(prefix) || bits > maxBits))) {
      throw new Error(`${name}: "${entry}" is not an IP address or CIDR range`);
    }
    if (bits === null) list.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
    else list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Addresses and ranges from a comma-separated environment variable. */
export const addressListFromEnv = (name: string, fallback = ''): BlockList =>
  addressList(
    (process.env[name] ?? fallback)
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    name,
  );

export function listContains(list: BlockList, address: string): boolean {
  const ip = normaliseAddress(address);
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

let trusted: { raw: string | undefined; list: BlockList } | null = null;

/** TRUSTED_PROXIES, parsed once (and again only if the variable changes). Throws on a malformed entry. */
export function trustedProxies(): BlockList {
  const raw = process.env.TRUSTED_PROXIES;
  if (trusted === null || trusted.raw !== raw) trusted = { raw, list: addressListFromEnv('TRUSTED_PROXIES') };
  return trusted.list;
}

/** The client's address as our own proxies saw it. */
export function senderAddress(peer: string, forwardedFor: string | undefined, proxies: BlockList): string {
  let sender = normaliseAddress(peer);
  if (!forwardedFor || !listContains(proxies, sender)) return sender;
  const hops = forwardedFor.split(',').map(normaliseAddress).filter((hop) => hop !== '');
  while (hops.length > 0 && listContains(proxies, sender)) sender = hops.pop() as string;
  return sender;
}

export function clientAddress(ctx: Context): string {
  return senderAddress(ctx.req.socket.remoteAddress ?? '', ctx.get('X-Forwarded-For') || undefined, trustedProxies());
}
