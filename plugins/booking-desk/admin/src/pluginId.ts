export const PLUGIN_ID = 'booking-desk';

/** The content type whose edit view gets the "Booking actions" panel. */
export const BOOKING_UID = 'api::booking.booking';

/** Prefixes a message id with the plugin id, as Strapi's translation files expect. */
export const getTranslation = (id: string) => `${PLUGIN_ID}.${id}`;
