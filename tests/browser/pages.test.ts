/**
 * Every page of the staff workspace and the content manager's list and edit views of bookings, members and
 * tickets open for a Manager in Russian, with a meaningful heading, and without a console error.
 */
import { at } from '../helpers/booking-fixtures';
import { MANAGER, startBrowserApp, today, type BrowserApp, type StaffSession } from './harness';
import { heading as headingOf, isRussian, russianShellProblems } from './russian';
import { seedBooking, seedMember, seedResource, seedTariff, seedTicket, type SeededMember } from './seed';

describe('the staff pages in Russian, without console errors (Manager)', () => {
  let app: BrowserApp;
  let manager: StaffSession;
  let member: SeededMember;
  let booking: string;
  let ticket: string;
  const TICKET_SUBJECT = 'Не работает кофемашина';

  beforeAll(async () => {
    app = await startBrowserApp();
    const room = await seedResource(app.strapi, 'Переговорная «Альфа»', 1);
    const tariff = await seedTariff(app.strapi, 'Переговорная, час', [room.documentId], 150000);
    member = await seedMember(app.strapi, app.telegram, 'Анна', 'Смирнова');
    booking = (
      await seedBooking(app.strapi, { member: member.documentId, tariff: tariff.documentId, resource: room.documentId, startAt: at(today(), '12:00'), state: 'confirmed', paid: true })
    ).documentId;
    ticket = await seedTicket(app.strapi, member, TICKET_SUBJECT, 'Кофемашина на втором этаже не включается');
    manager = await app.login(MANAGER);
  }, 300000);

  afterAll(async () => {
    await app?.stop();
  });

  beforeEach(() => {
    manager.errors.length = 0;
  });

  const CM = '/admin/content-manager/collection-types';
  const pages: { name: string; path: () => string; heading?: () => string }[] = [
    { name: 'home', path: () => '/admin' },
    { name: 'calendar', path: () => `/admin/plugins/booking-desk/calendar?view=day&date=${today()}` },
    { name: 'members', path: () => '/admin/plugins/booking-desk/members' },
    { name: 'member-card', path: () => `/admin/plugins/booking-desk/members/${member.documentId}`, heading: () => member.fullName },
    { name: 'inbox', path: () => '/admin/plugins/booking-desk/inbox' },
    { name: 'cm-booking-list', path: () => `${CM}/api::booking.booking` },
    // "№ / member / date": the member's name is in the heading, not "Untitled".
    { name: 'cm-booking-edit', path: () => `${CM}/api::booking.booking/${booking}`, heading: () => member.fullName },
    { name: 'cm-member-list', path: () => `${CM}/plugin::users-permissions.user` },
    { name: 'cm-member-edit', path: () => `${CM}/plugin::users-permissions.user/${member.documentId}`, heading: () => member.fullName },
    { name: 'cm-ticket-list', path: () => `${CM}/api::ticket.ticket` },
    { name: 'cm-ticket-edit', path: () => `${CM}/api::ticket.ticket/${ticket}`, heading: () => TICKET_SUBJECT },
  ];

  it.each(pages)('$name opens in Russian without console errors', async ({ name, path, heading }) => {
    // Given a Manager logged in (through the API, session seeded into the browser)
    // When they open the page and it has finished loading
    await manager.open(path());
    await manager.page.waitForLoadState('networkidle');
    await manager.shot(`page-${name}`, { doc: name.startsWith('cm-') || name === 'member-card' });
    // Then the admin is in Russian, the page has a Russian heading (the record's own title in edit views),
    // and nothing went wrong in the browser: every problem of the page is listed at once
    const problems = await russianShellProblems(manager.page);
    const title = await headingOf(manager.page);
    if (title === null) problems.push('the page has no h1 heading');
    else if (!isRussian(title)) problems.push(`the heading "${title}" is not Russian`);
    else if (heading && !title.includes(heading())) problems.push(`the heading "${title}" does not name "${heading()}"`);
    problems.push(...manager.errors);
    if (problems.length > 0) throw new Error(`${name} (${manager.page.url()}):\n${problems.map((line) => `  - ${line}`).join('\n')}`);
  });
});
