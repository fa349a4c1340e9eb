import { Layouts, Page } from '@strapi/strapi/admin';

const InboxPage = () => (
  <Page.Main>
    <Layouts.Header title="Inbox" />
  </Page.Main>
);

export default InboxPage;
