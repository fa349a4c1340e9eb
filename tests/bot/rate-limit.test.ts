/**
 * A member the API rate-limits (429) is told in their language when to try again, instead of "something went
 * wrong" (bot/src/bot.ts). The quote limit is set to one per ten minutes for this file only.
 */
import { money } from '../../bot/src/ui';
import { createResource, createTariff, localDay } from '../helpers/booking-fixtures';
import type { StandInUser } from '../stand-ins/telegram/server';
import { bookUntilPromo, startHarness, type Harness } from './harness';

jest.setTimeout(60_000);

const gleb: StandInUser = { id: 2001, first_name: 'Gleb', language_code: 'ru' };

describe('the bot and the API rate limits', () => {
  let h: Harness;
  let tariffLabel: string;

  beforeAll(async () => {
    process.env.RATE_LIMIT_BOOKING_QUOTE = '1/600';
    h = await startHarness();
    const room = await createResource(h.app.strapi, { capacity: 1 });
    const tariff = await createTariff(h.app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 150000, maxUnits: 4 });
    tariffLabel = `${tariff.name} — ${money(150000)}`;
    await h.seedMember(gleb, 'Глеб Орлов');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    delete process.env.RATE_LIMIT_BOOKING_QUOTE;
  });

  const bookUntil = async (reply: string) => {
    await bookUntilPromo(h, gleb, tariffLabel, localDay(2), '10:00');
    return h.press(gleb, 'Без промокода', reply);
  };

  it('Given the quote limit is used up, When the member asks for a price again, Then the bot says when to try again', async () => {
    await bookUntil('Проверьте бронь');
    await h.press(gleb, '✖️ Отмена', 'Отменено');

    const refused = await bookUntil('Слишком много запросов');

    expect(refused.text).toMatch(/Попробуйте снова через \d+ с\./);
    expect(refused.text).not.toContain('Что-то пошло не так');
  });
});
