/**
 * No mail leaves the server without a configured provider, and no API token can make it send mail
 * (src/extensions/email/strapi-server.ts): POST /api/email answered 500 to a full-access token and would
 * otherwise have relayed arbitrary mail through Strapi's sendmail default.
 */
import fs from 'fs';
import request from 'supertest';
import { createApiToken, createStaffUser } from '../helpers/auth';
import { startStrapi, type TestApp } from '../helpers/strapi';

describe('E-mail without a configured provider', () => {
  let app: TestApp;
  const http = () => request(app.strapi.server.httpServer);

  beforeAll(async () => {
    app = await startStrapi({ EMAIL_PROVIDER: '' });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('Given a full-access API token, when it posts to /api/email, then the route is not served', async () => {
    const token = await createApiToken(app.strapi, 'full-access');

    const res = await http()
      .post('/api/email')
      .set('Authorization', `Bearer ${token}`)
      .send({ to: 'victim@example.com', subject: 'hi', text: 'spam' });

    expect(res.status).toBe(405);
  });

  it('Given a staff account, when a password reset is asked for it and for an unknown e-mail, then both answer alike and the send is refused, not attempted', async () => {
    const { email } = await createStaffUser(app.strapi, 'strapi-super-admin');

    const known = await http().post('/admin/forgot-password').send({ email });
    const unknown = await http().post('/admin/forgot-password').send({ email: 'nobody-here@example.com' });

    expect(known.status).toBe(unknown.status);
    expect(known.status).toBeLessThan(300);
    expect(known.body).toEqual(unknown.body);
    // The admin service logs the failed send instead of disclosing it (tests/helpers/server-log.js); the file
    // transport writes asynchronously.
    const log = () => fs.readFileSync(process.env.LOG_FILE!, 'utf8');
    for (let waited = 0; waited < 5000 && !log().includes('E-mail is not configured'); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(log()).toContain('E-mail is not configured');
  });

  it('Given no provider, when the e-mail service is asked to send, then it refuses with a clear error', async () => {
    const send = app.strapi.plugin('email').service('email').send({ to: 'someone@example.com', subject: 's', text: 't' });

    await expect(send).rejects.toThrow('E-mail is not configured');
  });
});
