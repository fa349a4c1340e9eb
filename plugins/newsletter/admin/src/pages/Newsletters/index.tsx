import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../../pluginId';
import { HistoryList } from './HistoryList';
import { NewsletterPage } from './NewsletterPage';

/**
 * The Newsletters page (docs/NEWSLETTERS.md, For staff): the history at /admin/plugins/newsletter, a new one at
 * …/new, one newsletter at …/:documentId (the editor while it is a draft or scheduled, the progress while it
 * runs, the results afterwards). The menu link mounts this page at `plugins/newsletter/*`.
 */
const NewslettersPage = () => (
  <Page.Protect permissions={[{ action: `plugin::${PLUGIN_ID}.read`, subject: null }]}>
    <Routes>
      <Route index element={<HistoryList />} />
      <Route path="new" element={<NewsletterPage />} />
      <Route path=":documentId" element={<NewsletterPage />} />
    </Routes>
  </Page.Protect>
);

export default NewslettersPage;
