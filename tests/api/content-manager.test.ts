/**
 * Staff edit records in the admin panel's content manager. Lifecycle fields are called `state`, not
 * `status`, because the content manager reads a body `status` as its draft/published switch and
 * refuses any other value (strapi/strapi#25018): these tests keep that from coming back.
 */
import request from 'supertest';
import { ensureAdminLayouts } from '../../src/bootstrap/admin-layouts';
import { staffToken } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

const collection = (uid: string) => `/content-manager/collection-types/${uid}`;

describe('content manager editing of lifecycle states', () => {
  let app: TestApp;
  let managerToken: string;

  beforeAll(async () => {
    app = await startStrapi();
    managerToken = await staffToken(app.strapi, 'coworking-manager');
  });

  afterAll(async () => {
    await app.stop();
  });

  const cm = () => request(app.strapi.server.httpServer);

  // Booking, payment, refund and outbox job states are written by our services only: the content manager refuses
  // them (tests/api/record-integrity.test.ts). Tickets keep an editable state.
  it.each([
    ['api::ticket.ticket', { subject: 'Printer is jammed', priority: 'normal' }, 'open', 'resolved'],
  ])('a Manager creates and updates the state of %s through the content manager', async (uid, data, first, next) => {
    // Given a record created with an explicit state
    const created = await cm()
      .post(collection(uid))
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ ...data, state: first });
    expect(created.status).toBe(201);
    const { documentId } = created.body.data;

    // When the Manager saves the edit form with a new state
    const updated = await cm()
      .put(`${collection(uid)}/${documentId}`)
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ ...data, state: next });

    // Then it is stored as sent
    expect(updated.status).toBe(200);
    const row = await app.strapi.db.query(uid as never).findOne({ where: { documentId } });
    expect(row.state).toBe(next);
  });

  it('sorts the list by state', async () => {
    const res = await cm()
      .get(`${collection('api::ticket.ticket')}?sort=state:ASC`)
      .set('Authorization', `Bearer ${managerToken}`);

    expect(res.status).toBe(200);
    expect(res.body.results.map((t: { state: string }) => t.state)).toEqual(['resolved']);
  });

  it('refuses an unknown state with a validation error and writes nothing', async () => {
    const before = await app.strapi.db.query('api::ticket.ticket').count();
    const res = await cm()
      .post(collection('api::ticket.ticket'))
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ subject: 'Broken chair', priority: 'normal', state: 'lost' });

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(await app.strapi.db.query('api::ticket.ticket').count()).toBe(before);
  });

  describe('list views', () => {
    const configuration = (uid: string) =>
      cm().get(`/content-manager/content-types/${uid}/configuration`).set('Authorization', `Bearer ${managerToken}`);

    it('show bookings by start time, titled "№ · member · start", with state and total in rubles', async () => {
      const res = await configuration('api::booking.booking');

      expect(res.status).toBe(200);
      const { layouts, settings, metadatas } = res.body.data.contentType;
      expect(layouts.list).toEqual(['label', 'resource', 'tariff', 'state', 'priceTotal', 'startAt']);
      expect(settings).toMatchObject({ mainField: 'label', defaultSortBy: 'startAt', defaultSortOrder: 'DESC' });
      // Labels in Russian (tests/api/admin-layouts.test.ts covers every field); money is shown in rubles.
      expect(metadatas.priceTotal.list.label).toBe('Итого');
    });

    it('name members by full name in relation pickers', async () => {
      const res = await configuration('plugin::users-permissions.user');
      expect(res.body.data.contentType.settings.mainField).toBe('fullName');
    });

    it('keep what staff rearranged when the app boots again', async () => {
      // Given a Manager moved the columns of the ticket list
      const current = (await configuration('api::ticket.ticket')).body.data.contentType;
      // The GET adds each relation's mainField to its list metadata; the admin UI drops it before saving.
      const metadatas = Object.fromEntries(
        Object.entries(current.metadatas as Record<string, { edit: object; list: { mainField?: unknown } }>).map(
          ([field, { edit, list: { mainField: _dropped, ...list } }]) => [field, { edit, list }],
        ),
      );
      const saved = await cm()
        .put('/content-manager/content-types/api::ticket.ticket/configuration')
        .set('Authorization', `Bearer ${managerToken}`)
        .send({ settings: current.settings, metadatas, layouts: { ...current.layouts, list: ['subject', 'state'] } });
      expect(saved.status).toBe(200);

      // When the boot step runs again
      await ensureAdminLayouts(app.strapi);

      // Then their arrangement stays
      expect((await configuration('api::ticket.ticket')).body.data.contentType.layouts.list).toEqual(['subject', 'state']);
    });
  });
});
