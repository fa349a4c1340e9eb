/**
 * The stand-in's checkout page: what the customer sees at `confirmation.confirmation_url`.
 * Plain HTML with two forms, so a test (or a person running the stand-in locally) can pay or
 * decline without JavaScript. Everything interpolated is escaped: descriptions come from our app,
 * which takes them from user-controlled data.
 */
import type { Payment } from './types';

export const CHECKOUT_LABEL = 'TEST CHECKOUT — YooKassa stand-in, no real money';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
  .banner { background: #b00020; color: #fff; padding: .75rem 1rem; font-weight: 700; }
  .amount { font-size: 2rem; margin: 1rem 0 .25rem; }
  form { display: inline-block; margin-right: .5rem; }
  button { font-size: 1rem; padding: .5rem 1.5rem; }
</style>
</head>
<body>
<div class="banner" role="alert">${escapeHtml(CHECKOUT_LABEL)}</div>
${body}
</body>
</html>
`;
}

/**
 * @param actionBase path the Pay / Decline forms post to (`${actionBase}/pay`, `${actionBase}/decline`)
 * @param returnUrl  the shop's return_url, linked once the payment has left `pending`
 */
export function renderCheckoutPage(payment: Payment, actionBase: string, returnUrl?: string): string {
  const amount = `${payment.amount.value} ${payment.amount.currency}`;
  const description = payment.description ?? '';
  const button = (action: 'pay' | 'decline', label: string): string =>
    `<form method="post" action="${escapeHtml(`${actionBase}/${action}`)}">` +
    `<button type="submit" name="action" value="${action}">${label}</button></form>`;
  const backLink = returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">Back to the shop</a></p>` : '';
  const actions =
    payment.status === 'pending'
      ? `${button('pay', 'Pay')}\n${button('decline', 'Decline')}`
      : `<p>This payment is no longer awaiting the customer (status: <strong>${escapeHtml(payment.status)}</strong>).</p>` +
        backLink;
  return layout(
    `Test checkout ${payment.id}`,
    `<p class="amount" data-testid="amount">${escapeHtml(amount)}</p>
<p data-testid="description">${escapeHtml(description)}</p>
<p><small>Payment <code>${escapeHtml(payment.id)}</code></small></p>
${actions}`,
  );
}

export function renderNotFoundPage(id: string): string {
  return layout('Payment not found', `<p>No payment <code>${escapeHtml(id)}</code> on this stand-in.</p>`);
}
