/**
 * The requests the content manager makes on its own on every list and edit view answer without an error, so no
 * page of the admin logs a failed request in the browser console (issue 14; src/bootstrap/admin-ai-config.ts and
 * `preview` in config/admin.ts explain each cause). Strapi AI is off here (no licence), preview is disabled.
 */
import request from 'supertest';
import { staffToken } from '../helpers/auth';
import { createRegisteredMember } from '../helpers/booking-fixtures';
import { startStrapi, type TestApp } from '../helpers/strapi';

const MEMBER_UID = 'plugin::users-permissions.user';

describe('requests the content manager makes by itself', () => {
  let app: TestApp;
  let managerToken: string;
  let member: { id: number; documentId: string };
  const http = () => request(app.strapi.server.httpServer);
  const get = (path: string, token: string | null = managerToken) => {
    const req = http().get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  beforeAll(async () => {
    app = await startStrapi();
    managerToken = await staffToken(app.strapi, 'coworking-manager');
    member = await createRegisteredMember(app.strapi);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('the AI feature configuration answers "nothing configured" (list and edit views)', async () => {
    // Given Strapi AI off, When a Manager's content manager asks which AI features are configured
    const res = await get('/admin/ai-feature-config');

    // Then it answers 200 with every feature off, not a 404
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ isAiI18nConfigured: false, isAiMediaLibraryConfigured: false });
  });

  it.each([
    ['a member', () => `/i18n/ai-localization-jobs/collection-types/${MEMBER_UID}/${member.documentId}`],
    ['a booking', () => '/i18n/ai-localization-jobs/collection-types/api::booking.booking/no-such-document'],
    ['a single type', () => '/i18n/ai-localization-jobs/single-types/api::booking.booking'],
  ])('the AI-translation job of %s answers "no job" (edit view)', async (_name, path) => {
    // Given AI localizations off, When the edit view asks for the record's AI-translation job
    const res = await get(path());

    // Then it answers 200 with no job, as Strapi does for a record without one, not a 404
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: null });
  });

  it('the AI-translation job route still requires an admin session', async () => {
    // Given no admin token, When the job is asked, Then it is refused as before
    const res = await get(`/i18n/ai-localization-jobs/collection-types/${MEMBER_UID}/${member.documentId}`, null);
    expect(res.status).toBe(401);
  });

  it.each([
    ['a member', () => `/content-manager/preview/url/${MEMBER_UID}?documentId=${member.documentId}&locale=`],
    ['a booking', () => '/content-manager/preview/url/api::booking.booking?documentId=abc&locale=&status=published'],
  ])('the preview URL of %s answers "no preview" (edit view)', async (_name, path) => {
    // Given preview disabled in config/admin.ts, When the edit view asks for the record's preview URL
    const res = await get(path());

    // Then it answers 204 (preview off: the admin shows no Preview panel), not the 404 of "preview not set up"
    expect(res.status).toBe(204);
  });

  it('the preview setting is explicitly off', () => {
    expect(app.strapi.config.get<{ enabled: boolean }>('admin.preview').enabled).toBe(false);
  });
});
