/**
 * Moving a booking from My bookings, end to end: the real bot against the Telegram stand-in and the real Strapi
 * (POST /api/bookings/:id/reschedule). The member books through the bot, then presses Move, a date, a time and
 * Confirm; the assertions read the bot's messages and the booking row.
 */
import { money } from '../../bot/src/ui';
import { at, createResource, createTariff, localDay } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import type { StandInUser } from '../stand-ins/telegram/server';
import { BOOKING_UID, bookUntilPromo, dm, inlineButtons, lastMessageId, startHarness, USER_UID, type Harness } from './harness';

jest.setTimeout(60_000);

const vera: StandInUser = { id: 3001, first_name: 'Vera', language_code: 'ru' };

describe('moving a booking to another time in the bot', () => {
  let h: Harness;
  let room: string;
  let tariffId: string;
  let tariffLabel: string;
  /** The booking the first test moved (the soonest, №1 in the list afterwards). */
  let firstId: string;

  const row = (documentId: string) => h.app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId } });
  const times = (entry: { buttons: string[][] }) => entry.buttons.flat().filter((text) => /^\d\d:\d\d$/.test(text));

  /** Presses callback data on a given message and returns the text the bot answered the button with. */
  const pressData = async (user: StandInUser, messageId: number, data: string) => {
    const before = h.telegram.calls('answerCallbackQuery').length;
    h.telegram.pressButton(user, { messageId, data });
    const [call] = (await h.telegram.waitForCalls('answerCallbackQuery', before + 1)).slice(before);
    return call.params.text as string | undefined;
  };


  /** Books through the bot (it waits for payment, its hold active) and returns the new booking's documentId. */
  async function book(user: StandInUser, date: string, time: string, hours: number): Promise<string> {
    const member = await h.app.strapi.db.query(USER_UID).findOne({ where: { telegramId: String(user.id) } });
    const before = await h.app.strapi.db.query(BOOKING_UID).findMany({ where: { member: member.id } });
    await bookUntilPromo(h, user, tariffLabel, date, time, hours);
    await h.press(user, 'Без промокода', 'Проверьте бронь');
    await h.press(user, '✅ Подтвердить', 'ждёт оплаты');
    const after = await h.app.strapi.db.query(BOOKING_UID).findMany({ where: { member: member.id } });
    const created = after.find((candidate: { id: number }) => !before.some((old: { id: number }) => old.id === candidate.id));
    expect(created).toMatchObject({ state: 'pending_payment', units: hours });
    return created.documentId;
  }

  beforeAll(async () => {
    h = await startHarness();
    const resource = await createResource(h.app.strapi, { capacity: 1 }); // open 09:00–18:00
    room = resource.documentId;
    const tariff = await createTariff(h.app.strapi, { resources: [room], billingUnit: 'hour', price: 150000, maxUnits: 4 });
    tariffId = tariff.documentId;
    tariffLabel = `${tariff.name} — ${money(150000)}`;
    await h.seedMember(vera, 'Вера Смирнова');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('moves a two-hour booking to another day and time: only starts with two free hours are offered, the row gets the new interval', async () => {
    const from = localDay(2);
    const to = localDay(3);
    const id = await book(vera, from, '10:00', 2);
    firstId = id;

    const list = await h.say(vera, '/mybookings', 'Предстоящие брони');
    expect(inlineButtons(list).map((button) => button.text)).toEqual(expect.arrayContaining(['🔁 Перенести №1', '✖️ Отменить №1']));

    const dates = await h.press(vera, '🔁 Перенести №1', 'Выберите новую дату');
    expect(dates.text).toContain(`Перенос брони «${tariffLabel.split(' — ')[0]}, ${dm(from)} 10:00–12:00»`);
    const timesShown = await h.press(vera, dm(to), `Свободное время на ${dm(to)}`);
    // The room closes at 18:00: a two-hour booking may start at 16:00 at the latest.
    expect(times(timesShown)).toContain('16:00');
    expect(times(timesShown)).not.toContain('17:00');

    const confirm = await h.press(vera, '12:00', 'Перенести бронь');
    expect(confirm.text).toContain(`${dm(from)} 10:00–12:00 → ${dm(to)} 12:00–14:00`);
    expect(confirm.buttons.flat()).toEqual(['✅ Подтвердить', '◀️ Назад', '✖️ Отмена']);

    const done = await h.press(vera, '✅ Подтвердить', 'перенесена');
    expect(done.text).toContain(`${dm(to)} 12:00–14:00`);

    const moved = await row(id);
    expect(moved).toMatchObject({ state: 'pending_payment', units: 2 });
    expect(new Date(moved.startAt).toISOString()).toBe(at(to, '12:00').toISOString());
    expect(new Date(moved.endAt).toISOString()).toBe(at(to, '14:00').toISOString());

    // Confirm of the finished flow, pressed again, only gets a note.
    const ok = inlineButtons(confirm).find((button) => button.text === '✅ Подтвердить')!;
    expect(await pressData(vera, done.message_id, ok.callback_data!)).toContain('устарела');
  });

  it('a slot taken by someone else before Confirm: explains, offers fresh times, leaves the booking as it was; a fresh time then works', async () => {
    const from = localDay(4);
    const to = localDay(5);
    const id = await book(vera, from, '10:00', 1);

    await h.say(vera, '/mybookings', 'Предстоящие брони');
    await h.press(vera, '🔁 Перенести №2', 'Выберите новую дату'); // №1 is the booking moved above
    await h.press(vera, dm(to), `Свободное время на ${dm(to)}`);
    await h.press(vera, '14:00', 'Перенести бронь');

    // Someone else takes 14:00 while Vera looks at the confirmation.
    await asService(h.app.strapi, () => h.app.strapi.documents(BOOKING_UID).create({
      data: { resource: room, tariff: tariffId, startAt: at(to, '14:00'), endAt: at(to, '15:00'), state: 'confirmed', units: 1, priceBase: 0, priceTotal: 0, currency: 'RUB', source: 'api' },
    }));
    const fresh = await h.press(vera, '✅ Подтвердить', 'только что заняли');
    expect(fresh.text).toContain(`Свободное время на ${dm(to)}`);
    expect(times(fresh)).not.toContain('14:00');
    expect(times(fresh)).toContain('15:00');

    const unchanged = await row(id);
    expect(new Date(unchanged.startAt).toISOString()).toBe(at(from, '10:00').toISOString());
    expect(new Date(unchanged.endAt).toISOString()).toBe(at(from, '11:00').toISOString());

    await h.press(vera, '15:00', `${dm(from)} 10:00–11:00 → ${dm(to)} 15:00–16:00`);
    await h.press(vera, '✅ Подтвердить', 'перенесена');
    const moved = await row(id);
    expect(new Date(moved.startAt).toISOString()).toBe(at(to, '15:00').toISOString());
    expect(new Date(moved.endAt).toISOString()).toBe(at(to, '16:00').toISOString());
  });

  it('buttons of an old message: a step of an abandoned move only gets a note; Move of a booking no longer movable says so', async () => {
    const id = firstId;
    const before = await row(id);

    // A move started and left at the date step…
    const oldList = await h.say(vera, '/mybookings', 'Предстоящие брони');
    const abandoned = await h.press(vera, '🔁 Перенести №1', 'Выберите новую дату');
    const oldDate = inlineButtons(abandoned).find((button) => button.text === dm(localDay(6)))!;
    // …then a new one from a fresh list: the first one's buttons are outdated.
    await h.say(vera, '/mybookings', 'Предстоящие брони');
    await h.press(vera, '🔁 Перенести №1', 'Выберите новую дату');
    const after = lastMessageId(h.telegram, vera.id);
    expect(await pressData(vera, abandoned.message_id, oldDate.callback_data!)).toContain('устарела');
    expect(h.telegram.chat(vera.id).filter((entry) => entry.message_id > after)).toEqual([]);
    await h.press(vera, '✖️ Отмена', 'Перенос отменён');

    // The booking is cancelled meanwhile: its Move button in the old list is refused with an alert.
    await h.app.strapi.db.query(BOOKING_UID).update({ where: { documentId: id }, data: { state: 'cancelled' } });
    expect(await pressData(vera, oldList.message_id, `my:mv:${id}`)).toBe('Эту бронь уже нельзя перенести.');

    const after2 = await row(id);
    expect(new Date(after2.startAt).toISOString()).toBe(new Date(before.startAt).toISOString());
  });
});
