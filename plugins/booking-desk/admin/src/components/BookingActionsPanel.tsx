import { useIntl } from 'react-intl';
import type { PanelComponent } from '@strapi/content-manager/strapi-admin';
import { BOOKING_UID, getTranslation } from '../pluginId';
import { toBookingView } from '../staffActions';
import { BookingActions } from './BookingActions';

/**
 * The "Booking actions" side panel of the content manager's edit view. Shown for existing bookings only
 * (not for other content types, nor while creating or cloning one).
 */
export const BookingActionsPanel: PanelComponent = ({ model, documentId, document }) => {
  const { formatMessage } = useIntl();
  if (model !== BOOKING_UID || !documentId || !document) return null;
  const booking = toBookingView(documentId, document);
  if (!booking) return null;
  return {
    title: formatMessage({ id: getTranslation('panel.title'), defaultMessage: 'Booking actions' }),
    content: <BookingActions model={model} booking={booking} />,
  };
};
