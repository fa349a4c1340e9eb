import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../pluginId';
import { MemberCard } from './MemberCard';
import { MembersList } from './MembersList';

/**
 * The member card page of the booking desk: the search list at /admin/plugins/booking-desk/members and one
 * member's card at /admin/plugins/booking-desk/members/:documentId (the menu link mounts this page at
 * `plugins/booking-desk/members/*`, so the sub-routes are relative to it).
 */
const MembersPage = () => (
  <Page.Protect permissions={[{ action: `plugin::${PLUGIN_ID}.members.read`, subject: null }]}>
    <Routes>
      <Route index element={<MembersList />} />
      <Route path=":documentId" element={<MemberCard />} />
    </Routes>
  </Page.Protect>
);

export default MembersPage;
