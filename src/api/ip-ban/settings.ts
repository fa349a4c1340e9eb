/**
 * IP-ban settings from the environment (README and .env.example list them), read once at boot.
 *
 * IP_BAN_ALLOWLIST   addresses / CIDR ranges that are never refused and never banned automatically
 *                    (default loopback: the operator on the host can always reach the admin to lift a ban, and
 *                    a local reverse proxy without TRUSTED_PROXIES cannot get every client banned at once)
 * IP_BAN_REFRESH_SECONDS  how often each instance reloads the active bans from the database (default 10); a ban
 *                    made or lifted on another instance applies here within that time, on this one at once
 * IP_BAN_AUTO_MINUTES     how long an automatic ban lasts (default 60)
 */
import type { BlockList } from 'node:net';
import { addressListFromEnv } from '../../utils/client-address';

export interface IpBanSettings {
  allowList: BlockList;
  refreshMs: number;
  autoBanMs: number;
}

export const DEFAULT_ALLOWLIST = '127.0.0.0/8,::1';

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function readIpBanSettings(): IpBanSettings {
  return {
    allowList: addressListFromEnv('IP_BAN_ALLOWLIST', DEFAULT_ALLOWLIST),
    refreshMs: positiveNumber('IP_BAN_REFRESH_SECONDS', 10) * 1000,
    autoBanMs: positiveNumber('IP_BAN_AUTO_MINUTES', 60) * 60_000,
  };
}
