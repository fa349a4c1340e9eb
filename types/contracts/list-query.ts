/**
 * Query fields shared by the members' "mine" lists (GET /api/bookings/mine, GET /api/tickets/mine). Query values
 * arrive as strings, so numbers are parsed from their digits.
 */
import { z } from 'zod';

export const LIST_PAGE_SIZE_MAX = 50;

/** `status=a,b`: one or more of `states`. */
export const statusListSchema = <T extends string>(states: readonly [T, ...T[]]) =>
  z
    .string({ invalid_type_error: 'Give status once, as a comma-separated list' })
    .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .pipe(z.array(z.enum(states, { message: `Each status must be one of: ${states.join(', ')}` })).min(1, 'Give at least one status'));

export const pagingQueryFields = {
  page: z
    .string({ invalid_type_error: 'Give page once' })
    .regex(/^[1-9][0-9]{0,5}$/, 'page must be a whole number from 1')
    .transform(Number),
  pageSize: z
    .string({ invalid_type_error: 'Give pageSize once' })
    .regex(/^[1-9][0-9]?$/, `pageSize must be a whole number from 1 to ${LIST_PAGE_SIZE_MAX}`)
    .transform(Number)
    .pipe(z.number().max(LIST_PAGE_SIZE_MAX, `pageSize must be a whole number from 1 to ${LIST_PAGE_SIZE_MAX}`)),
};
