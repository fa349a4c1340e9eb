/**
 * Public e-mail tracking routes, mounted under `/api/newsletter` (docs/NEWSLETTERS.md, E-mail): every one carries a
 * token signed for one delivery (and, for clicks, one link of that newsletter), so nothing here can be used as an
 * open redirect or to unsubscribe someone else. Rule `newsletterTracking` of config/rate-limits.ts, per address.
 */
const limited = {
  auth: false as const,
  middlewares: [{ name: 'global::rate-limit', config: { rule: 'newsletterTracking', by: 'ip', refused: 'Too many requests from this address' } }],
};

export default [
  // 1×1 transparent GIF; marks the delivery opened.
  { method: 'GET', path: '/o/:token', handler: 'tracking.open', config: limited },
  // 302 to link number `l` of that newsletter (signed with it); marks the delivery clicked.
  { method: 'GET', path: '/c/:token', handler: 'tracking.click', config: limited },
  // Unsubscribe: GET shows a confirmation page, POST (RFC 8058 one-click, or the page's button) clears consent.
  { method: 'GET', path: '/u/:token', handler: 'tracking.unsubscribePage', config: limited },
  { method: 'POST', path: '/u/:token', handler: 'tracking.unsubscribe', config: limited },
];
