/**
 * Staff edit records in the admin panel's content manager. Lifecycle fields are called `state`, not
 * `status`, because the content manager reads a body `status` as its draft/published switch and
 * refuses any other value (strapi/strapi#25018): these tests keep that from coming back.
 */
import request from 'supertest';
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

  it.each([
    ['api::ticket.ticket', { subject: 'Printer is jammed', priority: 'normal' }, 'open', 'resolved'],
    [
      'api::booking.booking',
      { startAt: '2030-01-01T10:00:00.000Z', endAt: '2030-01-01T12:00:00.000Z', units: 2, priceBase: 200000, priceTotal: 200000 },
      'awaiting_confirmation',
      'confirmed',
    ],
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
});
