import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../pluginId';
import { InboxList } from './InboxList';
import { TicketThread } from './TicketThread';

/**
 * The support inbox of the booking desk: the ticket list at /admin/plugins/booking-desk/inbox and one ticket's
 * thread at /admin/plugins/booking-desk/inbox/:documentId (the menu link mounts this page at
 * `plugins/booking-desk/inbox/*`, so the sub-routes are relative to it).
 */
const InboxPage = () => (
  <Page.Protect permissions={[{ action: `plugin::${PLUGIN_ID}.inbox.read`, subject: null }]}>
    <Routes>
      <Route index element={<InboxList />} />
      <Route path=":documentId" element={<TicketThread />} />
    </Routes>
  </Page.Protect>
);

export default InboxPage;
