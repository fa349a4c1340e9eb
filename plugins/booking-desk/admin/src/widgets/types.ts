/** The answer of GET /booking-desk/home (docs/ADMIN.md, Home page): the server's own types, erased by the bundler. */
export type { HomeBooking, HomeData, HomeTicket, MoneyPeriod } from '../../../server/src/services/home';
