/**
 * The bookings calendar as a Manager uses it: a booking created from a free slot (source=admin in the database),
 * and a paid booking cancelled from its side sheet with the refund shown and recorded.
 */
import type { Page } from 'playwright-core';
import { at, localDay } from '../helpers/booking-fixtures';
import { MANAGER, eventually, startBrowserApp, type BrowserApp, type StaffSession } from './harness';
import { label, normalise } from './russian';
import { seedBooking, seedMember, seedResource, seedTariff, type SeededMember } from './seed';

const BOOKING_UID = 'api::booking.booking';
const REFUND_UID = 'api::refund.refund';

/** The index of the free slot of `resource` starting at `start` (data-start as an ISO instant or a local "HH:MM"). */
async function slotIndex(page: Page, resource: { documentId: string; id: number }, start: Date, clock: string): Promise<number> {
  const slots = page.getByTestId('calendar-slot');
  await slots.first().waitFor().catch(() => {
    throw new Error(`The calendar shows no free slot (data-testid="calendar-slot") on ${page.url()}`);
  });
  const attributes = await slots.evaluateAll((elements) =>
    elements.map((element) => ({ resource: element.getAttribute('data-resource'), start: element.getAttribute('data-start') })),
  );
  const index = attributes.findIndex(
    (slot) =>
      (slot.resource === resource.documentId || slot.resource === String(resource.id)) &&
      (slot.start === clock || (slot.start !== null && new Date(slot.start).getTime() === start.getTime())),
  );
  if (index < 0) {
    const sample = attributes.slice(0, 6).map((slot) => `${slot.resource} ${slot.start}`).join('; ');
    throw new Error(`No calendar-slot with data-resource=${resource.documentId} and data-start=${start.toISOString()} (or ${clock}); first slots: ${sample}`);
  }
  return index;
}

/** The index of the calendar-booking block of this booking: its documentId in an attribute, else the member's name. */
async function blockIndex(page: Page, documentId: string, memberName: string): Promise<number> {
  const blocks = page.getByTestId('calendar-booking');
  const found = await blocks.evaluateAll(
    (elements, [id, name]) => {
      const byId = elements.findIndex((element) => element.getAttributeNames().some((attribute: string) => element.getAttribute(attribute) === id));
      return byId >= 0 ? byId : elements.findIndex((element) => (element.textContent ?? '').includes(name));
    },
    [documentId, memberName] as const,
  );
  return found;
}

describe('the bookings calendar (Manager)', () => {
  let app: BrowserApp;
  let manager: StaffSession;
  let room: { documentId: string; id: number };
  let irina: SeededMember;
  let oleg: SeededMember;
  let paidBooking: { documentId: string; payment: { documentId: string } | null };
  const day = localDay(1);
  const calendarPath = `/admin/plugins/booking-desk/calendar?view=day&date=${day}`;

  beforeAll(async () => {
    app = await startBrowserApp();
    const created = await seedResource(app.strapi, 'Переговорная «Гамма»', 1);
    room = { documentId: created.documentId, id: Number(created.id) };
    const tariff = await seedTariff(app.strapi, 'Переговорная «Гамма», час', [room.documentId], 150000);
    irina = await seedMember(app.strapi, app.telegram, 'Ирина', 'Соколова');
    oleg = await seedMember(app.strapi, app.telegram, 'Олег', 'Кузнецов');
    // Tomorrow 10:00–11:00, confirmed and paid 1 500 ₽ at the desk.
    paidBooking = await seedBooking(app.strapi, {
      member: oleg.documentId,
      tariff: tariff.documentId,
      resource: room.documentId,
      startAt: at(day, '10:00'),
      state: 'confirmed',
      paid: true,
      price: 150000,
    });
    manager = await app.login(MANAGER);
  }, 300000);

  afterAll(async () => {
    await app?.stop();
  });

  it('creates a booking from a free slot: the block appears and the booking is stored with source=admin', async () => {
    // Given the day view of tomorrow with the room free at 14:00
    await manager.open(calendarPath);
    await manager.page.waitForLoadState('networkidle');
    await manager.shot('calendar-day', { doc: true });
    const startAt = at(day, '14:00');
    const before = await manager.page.getByTestId('calendar-booking').count();

    // When the Manager clicks the free slot, picks the member and submits
    await manager.page.getByTestId('calendar-slot').nth(await slotIndex(manager.page, room, startAt, '14:00')).click();
    const dialog = manager.page.getByTestId('create-booking-dialog');
    await dialog.waitFor();
    const search = dialog.getByTestId('create-booking-member');
    const input = (await search.evaluate((element) => element.tagName)) === 'INPUT' ? search : search.locator('input').first();
    await input.fill('Соколова');
    await manager.page.getByTestId('create-booking-member-option').filter({ hasText: 'Соколова' }).first().click();
    await manager.shot('calendar-create-dialog', { doc: true });
    await dialog.getByTestId('create-booking-submit').click();

    // Then the booking is in the database, made by staff (source=admin), for that member, slot and room
    const stored = await eventually('the booking created from the calendar', async () =>
      app.strapi.db.query(BOOKING_UID).findOne({ where: { source: 'admin', startAt }, populate: { member: true, resource: true } }),
    );
    expect(stored.member.id).toBe(irina.id);
    expect(stored.resource.id).toBe(room.id);
    expect(new Date(stored.startAt).getTime()).toBe(startAt.getTime());

    // And its block appears in the calendar
    await dialog.waitFor({ state: 'hidden' });
    await eventually('a new calendar-booking block', async () => (await manager.page.getByTestId('calendar-booking').count()) > before);
    expect(await blockIndex(manager.page, stored.documentId, 'Соколова')).toBeGreaterThanOrEqual(0);
    await manager.shot('calendar-created', { doc: true });
    manager.expectNoConsoleErrors();
  });

  it('cancels a paid booking from its side sheet and shows the refund, which is recorded', async () => {
    // Given the paid booking of tomorrow 10:00 in the calendar
    await manager.open(calendarPath);
    await manager.page.waitForLoadState('networkidle');
    const index = await blockIndex(manager.page, paidBooking.documentId, 'Кузнецов');
    if (index < 0) throw new Error(`No calendar-booking block for booking ${paidBooking.documentId} (member Олег Кузнецов) on ${calendarPath}`);

    // When the Manager opens its side sheet and cancels it (full refund, the staff default)
    await manager.page.getByTestId('calendar-booking').nth(index).click();
    const sheet = manager.page.getByTestId('booking-sheet');
    await sheet.waitFor();
    await manager.shot('calendar-booking-sheet', { doc: true });
    const problems: string[] = [];
    const cancel = label('booking-desk.actions.cancel', problems);
    await sheet.getByRole('button', { name: cancel }).first().click();
    const confirm = manager.page.getByRole('dialog').filter({ has: manager.page.getByRole('heading', { name: cancel }) });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: cancel }).last().click();

    // Then the sheet shows the refund
    const refund = manager.page.getByTestId('booking-refund').first();
    await refund.waitFor().catch(() => {
      throw new Error('After the cancellation no data-testid="booking-refund" was shown');
    });
    expect(normalise(await refund.innerText())).toMatch(/1 500(,00)? ₽/);
    await manager.shot('calendar-cancelled-refund', { doc: true });

    // And the booking is cancelled with a refund row of everything paid against its payment
    const booking = await app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId: paidBooking.documentId } });
    expect(booking.state).toBe('cancelled');
    const refunds = await app.strapi.db.query(REFUND_UID).findMany({ where: { payment: { documentId: paidBooking.payment!.documentId } } });
    expect(refunds).toHaveLength(1);
    expect(refunds[0].amount).toBe(150000);
    // And the button was Russian, and nothing went wrong in the browser
    problems.push(...manager.errors);
    expect(problems).toEqual([]);
  });
});
