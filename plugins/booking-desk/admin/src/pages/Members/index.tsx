import { Layouts, Page } from '@strapi/strapi/admin';

const MembersPage = () => (
  <Page.Main>
    <Layouts.Header title="Members" />
  </Page.Main>
);

export default MembersPage;
