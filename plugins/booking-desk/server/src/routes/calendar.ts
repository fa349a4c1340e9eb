import { requires } from '../actions';

/** Admin routes of the calendar feature (docs/ADMIN.md, Bookings calendar). */
export default [
  { method: 'GET', path: '/calendar', handler: 'calendar.find', config: { policies: [requires('calendarRead')] } },
  { method: 'GET', path: '/calendar/bookings/:documentId', handler: 'calendar.findBooking', config: { policies: [requires('calendarRead')] } },
  { method: 'POST', path: '/bookings/quote', handler: 'calendar.quote', config: { policies: [requires('createBooking')] } },
  { method: 'POST', path: '/bookings', handler: 'calendar.create', config: { policies: [requires('createBooking')] } },
];
