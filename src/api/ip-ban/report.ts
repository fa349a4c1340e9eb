/**
 * For controllers that refuse a sign-in: counts the failure towards an automatic ban of the client's address
 * (api::ip-ban.ip-ban recordAbuse) and gives back the 401 to throw. Recording never replaces the 401.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Context } from 'koa';
import { clientAddress } from '../../utils/client-address';
import type { AbuseKind } from './services/ip-ban';

interface IpBanService {
  recordAbuse(address: string, kind: AbuseKind): Promise<void>;
}

export async function refuseSignIn(strapi: Core.Strapi, ctx: Context, message: string): Promise<InstanceType<typeof errors.UnauthorizedError>> {
  try {
    await (strapi.service('api::ip-ban.ip-ban') as unknown as IpBanService).recordAbuse(clientAddress(ctx), 'failed_sign_in');
  } catch (error) {
    strapi.log.warn(`ip-ban: could not record a failed sign-in: ${(error as Error).message}`);
  }
  return new errors.UnauthorizedError(message);
}
