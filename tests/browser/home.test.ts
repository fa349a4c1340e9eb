/**
 * The home page as a Manager sees it: the admin in Russian, our widgets with today's figures instead of Strapi's
 * developer onboarding (no "Discover your application", guided tour, Cloud prompts or product banners).
 */
import { at, localDay } from '../helpers/booking-fixtures';
import { MANAGER, startBrowserApp, today, type BrowserApp, type StaffSession } from './harness';
import { normalise, russianShellProblems } from './russian';
import { seedBooking, seedMember, seedResource, seedTariff, seedTicket } from './seed';

/** Strapi's onboarding and promotion texts, in English and in Strapi's Russian, none of which staff may see. */
const ONBOARDING = [
  'Discover your application',
  'Откройте для себя ваше приложение',
  'guided tour',
  'Create your schema',
  'Создайте вашу схему',
  'Strapi Cloud',
  'Deploy your application',
  'Introducing the new Media Library',
  'Hello Admin',
];

const WIDGETS = ['today-bookings', 'free-now', 'revenue', 'awaiting-approval', 'open-tickets'] as const;

describe('the home page (Manager)', () => {
  let app: BrowserApp;
  let manager: StaffSession;

  beforeAll(async () => {
    app = await startBrowserApp();
    const room = await seedResource(app.strapi, 'Переговорная «Бета»', 1);
    const desks = await seedResource(app.strapi, 'Открытое пространство', 10);
    const roomTariff = await seedTariff(app.strapi, 'Переговорная, час', [room.documentId], 150000);
    const deskTariff = await seedTariff(app.strapi, 'Рабочее место, час', [desks.documentId], 40000);
    const anna = await seedMember(app.strapi, app.telegram, 'Анна', 'Иванова');
    const boris = await seedMember(app.strapi, app.telegram, 'Борис', 'Петров');
    const day = today();
    // Today (whatever the hour now): three confirmed bookings, one paid now (1 500,00 ₽ of revenue today).
    await seedBooking(app.strapi, { member: anna.documentId, tariff: roomTariff.documentId, resource: room.documentId, startAt: at(day, '09:00'), state: 'confirmed', paid: true, price: 150000 });
    await seedBooking(app.strapi, { member: boris.documentId, tariff: deskTariff.documentId, resource: desks.documentId, startAt: at(day, '10:00'), state: 'confirmed' });
    await seedBooking(app.strapi, { member: boris.documentId, tariff: roomTariff.documentId, resource: room.documentId, startAt: at(day, '11:00'), state: 'confirmed' });
    // Two requests awaiting approval in the coming days, and a cancelled booking (which counts nowhere).
    await seedBooking(app.strapi, { member: boris.documentId, tariff: roomTariff.documentId, resource: room.documentId, startAt: at(localDay(1), '12:00'), state: 'awaiting_confirmation' });
    await seedBooking(app.strapi, { member: anna.documentId, tariff: roomTariff.documentId, resource: room.documentId, startAt: at(localDay(2), '11:00'), state: 'awaiting_confirmation' });
    await seedBooking(app.strapi, { member: anna.documentId, tariff: roomTariff.documentId, resource: room.documentId, startAt: at(day, '15:00'), state: 'cancelled' });
    // Two open tickets.
    await seedTicket(app.strapi, anna, 'Нет горячей воды', 'На кухне нет горячей воды');
    await seedTicket(app.strapi, boris, 'Счёт для бухгалтерии', 'Пришлите, пожалуйста, закрывающие документы');
    manager = await app.login(MANAGER);
  }, 300000);

  afterAll(async () => {
    await app?.stop();
  });

  it('shows our widgets with today’s figures, in Russian, and no Strapi onboarding', async () => {
    // Given today's bookings, a payment, bookings awaiting approval and open tickets
    // When a Manager opens the admin's home page
    await manager.open('/admin');
    await manager.page.waitForLoadState('networkidle');

    // Then each of our widgets is there with its figure
    const figures: Record<string, string[]> = {};
    for (const id of WIDGETS) {
      const widget = manager.page.getByTestId(`home-widget-${id}`);
      await widget.waitFor({ timeout: 15000 }).catch(() => {
        throw new Error(`The home page has no widget with data-testid="home-widget-${id}"`);
      });
      const figure = widget.getByTestId('home-figure').first();
      await figure.waitFor().catch(() => {
        throw new Error(`The widget home-widget-${id} has no data-testid="home-figure" inside`);
      });
      figures[id] = (await widget.getByTestId('home-figure').allInnerTexts()).map(normalise);
    }
    await manager.shot('home-widgets', { doc: true });

    // With today's figures: 3 bookings today, 2 awaiting approval, 2 open tickets, 1 500,00 ₽ taken today
    expect(figures['today-bookings']).toContain('3');
    expect(figures['awaiting-approval']).toContain('2');
    expect(figures['open-tickets']).toContain('2');
    expect(figures.revenue.some((value) => /1 500(,00)? ₽/.test(value))).toBe(true);
    expect(figures['free-now'].length).toBeGreaterThan(0);

    // And none of Strapi's developer onboarding
    const pageText = normalise(await manager.page.locator('body').innerText());
    const shown = ONBOARDING.filter((phrase) => pageText.toLowerCase().includes(phrase.toLowerCase()));
    expect(shown).toEqual([]);

    // And the admin is in Russian, and nothing went wrong in the browser
    expect([...(await russianShellProblems(manager.page)), ...manager.errors]).toEqual([]);
  });
});
