/**
 * Issue 13, finding 3: slot hoarding. A member may hold at most BOOKING_MAX_UNPAID_HOLDS (default 2) unpaid
 * bookings at a time, counted inside the booking transaction so parallel creates cannot exceed it, and a hold
 * never outlives the expiry it was given. Through HTTP against the real server, checked in the database.
 */
import request from 'supertest';
import { memberToken, staffToken } from '../helpers/auth';
import { at, createRegisteredMember, createResource, createTariff, localDay, SPACE_TIMEZONE } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const BOOKING_UID = 'api::booking.booking';

describe('unpaid holds per member', () => {
  let app: TestApp;
  let managerToken: string;
  const ids: Record<string, string> = {};
  let slot = 0;
  const http = () => request(app.strapi.server.httpServer);
  /** A fresh hour on one of the rooms every time, so holds never compete for a slot. */
  const nextStart = () => {
    slot += 1;
    return at(localDay(1 + Math.floor(slot / 9)), `${String(9 + (slot % 9)).padStart(2, '0')}:00`).toISOString();
  };
  const newMember = async () => {
    const member = await createRegisteredMember(app.strapi);
    return { id: member.id, token: await memberToken(app.strapi, member.id) };
  };
  const book = (token: string, tariff = ids.roomHour, startAt = nextStart()) =>
    http().post('/api/bookings').set('Authorization', `Bearer ${token}`).send({ tariff, startAt, units: 1 });
  const holdsOf = (memberId: number) =>
    app.strapi.db.query(BOOKING_UID).count({ where: { member: { id: memberId }, state: 'pending_payment' } });
  const bookingsOf = (memberId: number) => app.strapi.db.query(BOOKING_UID).count({ where: { member: { id: memberId } } });
  const hold = async (token: string) => {
    const res = await book(token);
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('pending_payment');
    return res.body.data.documentId as string;
  };

  beforeAll(async () => {
    app = await startStrapi({ SPACE_TIMEZONE, BOOKING_HOLD_MINUTES: '15' });
    const room = await createResource(app.strapi, { capacity: 1 });
    const otherRoom = await createResource(app.strapi, { capacity: 1 });
    ids.roomHour = (await createTariff(app.strapi, { resources: [room.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.otherRoomHour = (await createTariff(app.strapi, { resources: [otherRoom.documentId], billingUnit: 'hour', price: 100000 })).documentId;
    ids.approval = (
      await createTariff(app.strapi, { resources: [otherRoom.documentId], billingUnit: 'hour', price: 100000, requiresApproval: true })
    ).documentId;
    managerToken = await staffToken(app.strapi, 'coworking-manager');
  });

  afterAll(async () => {
    await app.stop();
  });

  it('Given two active holds, when the member books a third, then 409 too_many_unpaid_holds and nothing is written', async () => {
    const member = await newMember();
    await hold(member.token);
    await hold(member.token);
    const before = await bookingsOf(member.id);

    const third = await book(member.token, ids.otherRoomHour);

    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({
      data: null,
      error: {
        status: 409,
        name: 'ConflictError',
        message: expect.stringMatching(/^You already have 2 unpaid bookings waiting for payment\. Pay for or cancel one of them/),
        details: { code: 'too_many_unpaid_holds', limit: 2 },
      },
    });
    expect(await bookingsOf(member.id)).toBe(before);
  });

  it('Given two active holds, when the third booking needs no payment now (staff approval), then it is accepted', async () => {
    const member = await newMember();
    await hold(member.token);
    await hold(member.token);
    const res = await book(member.token, ids.approval);
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('awaiting_confirmation');
  });

  it('Given six creates of one member fired at once on two rooms, then exactly two holds exist', async () => {
    const member = await newMember();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, n) => book(member.token, n % 2 === 0 ? ids.roomHour : ids.otherRoomHour)),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
    expect(answers.filter((res) => res.status === 409).every((res) => res.body.error.details.code === 'too_many_unpaid_holds')).toBe(true);
    expect(await holdsOf(member.id)).toBe(2);
  });

  it('Given a hold paid at the desk, then the member may hold another', async () => {
    const member = await newMember();
    const paid = await hold(member.token);
    await hold(member.token);
    expect((await book(member.token)).status).toBe(409);

    const marked = await http().post(`/booking-desk/bookings/${paid}/mark-paid`).set('Authorization', `Bearer ${managerToken}`).send({});
    expect(marked.status).toBe(200);

    expect((await book(member.token)).status).toBe(201);
    expect(await holdsOf(member.id)).toBe(2);
  });

  it('Given a hold whose time to pay ran out (before the expiry job ran), then it no longer counts', async () => {
    const member = await newMember();
    const lapsed = await hold(member.token);
    await hold(member.token);
    await app.strapi.db.query(BOOKING_UID).update({ where: { documentId: lapsed }, data: { holdExpiresAt: new Date(Date.now() - 1000) } });

    expect((await book(member.token)).status).toBe(201);
  });

  it('Given a hold the member cancelled, then it no longer counts', async () => {
    const member = await newMember();
    const cancelled = await hold(member.token);
    await hold(member.token);
    const res = await http().post(`/api/bookings/${cancelled}/cancel`).set('Authorization', `Bearer ${member.token}`).send({});
    expect(res.status).toBe(200);

    expect((await book(member.token)).status).toBe(201);
  });

  it("Given one member's two holds, then another member still books", async () => {
    const hoarder = await newMember();
    await hold(hoarder.token);
    await hold(hoarder.token);
    const other = await newMember();
    expect((await book(other.token)).status).toBe(201);
  });

  it('Given a hold, when the member moves it to another time, then its expiry stays where it was', async () => {
    const member = await newMember();
    const documentId = await hold(member.token);
    const before = await app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId }, select: ['holdExpiresAt', 'startAt'] });

    const moved = await http().post(`/api/bookings/${documentId}/reschedule`).set('Authorization', `Bearer ${member.token}`).send({ startAt: nextStart() });
    expect(moved.status).toBe(200);

    const after = await app.strapi.db.query(BOOKING_UID).findOne({ where: { documentId }, select: ['holdExpiresAt', 'startAt'] });
    expect(after.startAt).not.toEqual(before.startAt);
    expect(after.holdExpiresAt).toEqual(before.holdExpiresAt);
  });
});
