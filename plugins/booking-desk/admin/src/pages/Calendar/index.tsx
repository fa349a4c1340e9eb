import { Layouts, Page } from '@strapi/strapi/admin';

const CalendarPage = () => (
  <Page.Main>
    <Layouts.Header title="Calendar" />
  </Page.Main>
);

export default CalendarPage;
