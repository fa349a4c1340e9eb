/**
 * The active bans of this process, compiled into a node:net BlockList so that checking a request costs no
 * database query. The list is reloaded when a ban is written through this instance, and at least every
 * IP_BAN_REFRESH_SECONDS otherwise (so bans made on other instances converge); a ban whose expiresAt has
 * passed is dropped from the compiled list at that moment, without a reload or a restart.
 */
import { BlockList, isIP } from 'node:net';
import type { Core } from '@strapi/strapi';
import { listContains, normaliseAddress } from '../../utils/client-address';
import { readIpBanSettings, type IpBanSettings } from './settings';

export const IP_BAN_UID = 'api::ip-ban.ip-ban';

export interface ActiveBan {
  documentId: string;
  address: string;
  expiresAt: Date | null;
}

interface Compiled {
  bans: { ban: ActiveBan; list: BlockList }[];
  all: BlockList;
  /** when the earliest of these bans expires (Infinity if none does) */
  nextExpiry: number;
}

export interface BanList {
  readonly settings: IpBanSettings;
  /** The ban that refuses `address` now (the longest one when several do), or null. Reloads when due. */
  match(address: string, now?: Date): Promise<ActiveBan | null>;
  /** Makes the next match() reload from the database (after a write through this instance). */
  invalidate(): void;
  isAllowListed(address: string): boolean;
}

const lists = new WeakMap<Core.Strapi, BanList>();

function add(list: BlockList, address: string): void {
  const [ip, bits] = address.split('/');
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(ip, family);
  else list.addSubnet(ip, Number(bits), family);
}

function compile(bans: ActiveBan[], now: number): Compiled {
  const active = bans.filter((ban) => ban.expiresAt === null || ban.expiresAt.getTime() > now);
  const all = new BlockList();
  const compiled: Compiled['bans'] = [];
  for (const ban of active) {
    try {
      const list = new BlockList();
      add(list, ban.address);
      add(all, ban.address);
      compiled.push({ ban, list });
    } catch {
      // Rows are validated on write; a row edited in the database by hand must not stop enforcement of the rest.
    }
  }
  const expiries = active.flatMap((ban) => (ban.expiresAt ? [ban.expiresAt.getTime()] : []));
  return { bans: compiled, all, nextExpiry: Math.min(Infinity, ...expiries) };
}

/** Permanent first, then the one that lasts longest: that is when the address is free again. */
const longest = (a: ActiveBan, b: ActiveBan) =>
  a.expiresAt === null ? a : b.expiresAt === null ? b : a.expiresAt.getTime() >= b.expiresAt.getTime() ? a : b;

export function createBanList(strapi: Core.Strapi, settings: IpBanSettings): BanList {
  let compiled: Compiled = compile([], Date.now());
  let loadedAt = -Infinity;
  let loading: Promise<void> | null = null;
  // Bumped by invalidate(), so a load that started before a write does not count as fresh after it.
  let generation = 0;

  async function load(): Promise<void> {
    const now = new Date();
    const startedIn = generation;
    const rows: { documentId: string; address: string; expiresAt: string | Date | null }[] = await strapi.db.query(IP_BAN_UID).findMany({
      select: ['documentId', 'address', 'expiresAt'],
      where: { $or: [{ expiresAt: { $null: true } }, { expiresAt: { $gt: now } }] },
    });
    compiled = compile(
      rows.map((row) => ({ documentId: row.documentId, address: row.address, expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt) })),
      now.getTime(),
    );
    loadedAt = startedIn === generation ? now.getTime() : -Infinity;
  }

  async function fresh(now: number): Promise<void> {
    // A second pass when a write landed while an earlier load was in flight.
    for (let pass = 0; pass < 2 && now - loadedAt >= settings.refreshMs; pass += 1) {
      loading ??= load()
        .catch((error: Error) => {
          // Keep enforcing the last list (or none) rather than refusing everyone; try again after the interval.
          loadedAt = now;
          strapi.log.error(`ip-ban: could not load the active bans: ${error.message}`);
        })
        .finally(() => {
          loading = null;
        });
      await loading;
    }
    if (now >= compiled.nextExpiry) {
      compiled = compile(
        compiled.bans.map(({ ban }) => ban),
        now,
      );
    }
  }

  return {
    settings,
    async match(address, now = new Date()) {
      const ip = normaliseAddress(address);
      if (isIP(ip) === 0 || listContains(settings.allowList, ip)) return null;
      await fresh(now.getTime());
      if (!listContains(compiled.all, ip)) return null;
      const matching = compiled.bans.filter(({ list }) => listContains(list, ip)).map(({ ban }) => ban);
      return matching.length === 0 ? null : matching.reduce(longest);
    },
    invalidate() {
      generation += 1;
      loadedAt = -Infinity;
    },
    isAllowListed: (address) => listContains(settings.allowList, address),
  };
}

/** This process's ban list, made on first use (the ip-ban middleware makes it at boot, so bad settings fail early). */
export function banList(strapi: Core.Strapi): BanList {
  let found = lists.get(strapi);
  if (!found) {
    found = createBanList(strapi, readIpBanSettings());
    lists.set(strapi, found);
  }
  return found;
}
