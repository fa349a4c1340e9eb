/**
 * The content manager as staff see it (src/bootstrap/admin-layouts.ts, admin-labels.ts): Russian labels,
 * descriptions and placeholders for every field, no "(kopecks)" labels, a meaningful title for every record
 * (a booking's "№ · member · start"), and the booking's title kept by the server through create, reschedule and
 * the boot-time backfill.
 */
import request from 'supertest';
import type { BookingLabelService } from '../../src/api/booking/services/label';
import { CONTENT_TYPE_TEXTS } from '../../src/bootstrap/admin-labels';
import { LAYOUTS } from '../../src/bootstrap/admin-layouts';
import { staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay } from '../helpers/booking-fixtures';
import { asService } from '../helpers/integrity';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';

interface Metadata {
  edit: { label: string; description?: string; placeholder?: string; editable?: boolean; mainField?: string };
  list: { label: string; mainField?: unknown };
}

describe('content-manager layouts for staff', () => {
  let app: TestApp;
  let managerToken: string;
  const http = () => request(app.strapi.server.httpServer);
  const configuration = async (uid: string) => {
    const res = await http().get(`/content-manager/content-types/${uid}/configuration`).set('Authorization', `Bearer ${managerToken}`);
    expect(res.status).toBe(200);
    return res.body.data.contentType as { settings: Record<string, unknown>; metadatas: Record<string, Metadata>; layouts: { list: string[] } };
  };

  beforeAll(async () => {
    app = await startStrapi();
    managerToken = await staffToken(app.strapi, 'coworking-manager');
  });

  afterAll(async () => {
    await app?.stop();
  });

  describe('labels', () => {
    it.each(Object.keys(CONTENT_TYPE_TEXTS))('%s: every catalogued field has its Russian label in the edit and list views', async (uid) => {
      const { metadatas } = await configuration(uid);
      const fields = Object.entries(CONTENT_TYPE_TEXTS[uid].fields).filter(([field]) => field in metadatas);
      expect(fields.length).toBeGreaterThan(0);
      for (const [field, [ru, , description, placeholder]] of fields) {
        expect({ field, edit: metadatas[field].edit.label, list: metadatas[field].list.label }).toEqual({ field, edit: ru, list: ru });
        expect(metadatas[field].edit.description ?? '').toBe(description ?? '');
        expect(metadatas[field].edit.placeholder ?? '').toBe(placeholder ?? '');
      }
    });

    it('leaves no field of our content types with Strapi\'s default label (its own name)', async () => {
      for (const uid of Object.keys(CONTENT_TYPE_TEXTS)) {
        const { metadatas } = await configuration(uid);
        const unlabelled = Object.entries(metadatas)
          .filter(([field, metadata]) => metadata.edit.label === field && !['locale', 'localizations'].includes(field))
          .map(([field]) => field);
        expect({ uid, unlabelled }).toEqual({ uid, unlabelled: [] });
      }
    });

    it('labels money in rubles, without "(kopecks)"', async () => {
      const { metadatas } = await configuration(BOOKING_UID);
      expect(metadatas.priceTotal.list.label).toBe('Итого');
      expect(metadatas.priceTotal.edit.description).toContain('В рублях');
      for (const uid of Object.keys(CONTENT_TYPE_TEXTS)) {
        const text = JSON.stringify((await configuration(uid)).metadatas);
        expect(text).not.toContain('kopecks');
      }
    });

    it('gives Russian placeholders where typing needs an example', async () => {
      const { metadatas } = await configuration('plugin::users-permissions.user');
      expect(metadatas.phone.edit).toMatchObject({ label: 'Телефон', placeholder: '+79991234567' });
    });
  });

  describe('titles', () => {
    it.each(Object.entries(LAYOUTS).filter(([, layout]) => layout.mainField))('%s is titled by its main field', async (uid, layout) => {
      expect((await configuration(uid)).settings.mainField).toBe(layout.mainField);
    });

    it('shows bookings as "№ · member · start" in lists and relation pickers, member names wherever a member is linked', async () => {
      const booking = await configuration(BOOKING_UID);
      expect(booking.settings).toMatchObject({ mainField: 'label', defaultSortBy: 'startAt', defaultSortOrder: 'DESC' });
      expect(booking.layouts.list).toEqual(['label', 'resource', 'tariff', 'state', 'priceTotal', 'startAt']);
      expect(booking.metadatas.label.edit.editable).toBe(false);
      expect(booking.metadatas.member.edit.mainField).toBe('fullName');
      expect((await configuration('api::payment.payment')).metadatas.booking.edit.mainField).toBe('label');
      expect((await configuration('api::ticket.ticket')).metadatas.member.edit.mainField).toBe('fullName');
    });
  });

  describe('the booking title, kept by the server', () => {
    let resource: string;
    let tariff: string;
    let member: { id: number; documentId: string };
    const stored = (documentId: string) => app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId } });

    beforeAll(async () => {
      resource = (await createResource(app.strapi, { capacity: 5 })).documentId;
      tariff = (await createTariff(app.strapi, { resources: [resource], billingUnit: 'hour', price: 50000 })).documentId;
      member = await createRegisteredMember(app.strapi);
      await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: member.id }, data: { fullName: 'Иван Петров' } });
    });

    async function createBooking(startAt: Date) {
      return asService(app.strapi, () =>
        app.strapi.documents(BOOKING_UID).create({
          data: {
            resource,
            tariff,
            member: member.documentId,
            startAt,
            endAt: new Date(startAt.getTime() + 60 * 60 * 1000),
            state: 'confirmed',
            units: 1,
            priceBase: 50000,
            priceTotal: 50000,
            currency: 'RUB',
            source: 'api',
          } as never,
        }),
      );
    }

    it('is filled when a booking is created, with the start in the space\'s time zone', async () => {
      // Given a booking at 10:00 Moscow time (07:00 UTC)
      const day = localDay(3);
      const created = await createBooking(at(day, '10:00'));

      // Then its title names its number, the member and the local start
      const row = await stored(created.documentId);
      const [year, month, date] = day.split('-');
      expect(row.label).toBe(`№${row.id} · Иван Петров · ${date}.${month}.${year} 10:00`);
    });

    it('follows a reschedule through the booking desk', async () => {
      // Given a confirmed booking at 10:00 in three days
      const day = localDay(3);
      const created = await createBooking(at(day, '11:00'));

      // When a Manager moves it to 14:00
      const res = await http()
        .post(`/booking-desk/bookings/${created.documentId}/reschedule`)
        .set('Authorization', `Bearer ${managerToken}`)
        .send({ startAt: at(day, '14:00').toISOString(), reason: 'member asked' });
      expect(res.status).toBe(200);

      // Then the title shows the new start
      const row = await stored(created.documentId);
      const [year, month, date] = day.split('-');
      expect(row.label).toBe(`№${row.id} · Иван Петров · ${date}.${month}.${year} 14:00`);
    });

    it('is filled at boot for rows written in bulk (the demo seed) without one', async () => {
      // Given a booking inserted in bulk, as the seed does (no lifecycle runs), then linked to its member
      const documentId = 'shellbackfill00000000001';
      await app.strapi.db.query(BOOKING_UID).createMany({
        data: [{ documentId, startAt: at(localDay(4), '09:30'), endAt: at(localDay(4), '10:30'), units: 1, state: 'confirmed', priceBase: 0, priceTotal: 0, currency: 'RUB', source: 'api', publishedAt: new Date() }],
      });
      expect((await stored(documentId)).label).toBeNull();

      // When the boot step runs
      const filled = await (app.strapi.service('api::booking.label') as unknown as BookingLabelService).backfill();

      // Then the row has its title ("—" for a booking without a member)
      expect(filled).toBeGreaterThanOrEqual(1);
      const row = await stored(documentId);
      const [year, month, date] = localDay(4).split('-');
      expect(row.label).toBe(`№${row.id} · — · ${date}.${month}.${year} 09:30`);
    });
  });
});
