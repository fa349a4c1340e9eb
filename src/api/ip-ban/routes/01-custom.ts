/**
 * The nginx deny list for API tokens. Loaded before the core router (files load in name order), so the literal
 * path is matched before /ip-bans/:id. Whoever may list the bans may export them: the scope is `find`, which
 * read-only and full-access tokens have and a custom token can be given. Staff use GET /admin/ip-bans/nginx.
 */
export default {
  routes: [
    {
      method: 'GET',
      path: '/ip-bans/nginx',
      handler: 'ip-ban.nginx',
      config: { auth: { scope: ['api::ip-ban.ip-ban.find'] } },
    },
  ],
};
