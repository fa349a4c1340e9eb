import { rateLimit } from '../../../middlewares/rate-limit';

export default {
  routes: [
    {
      method: 'POST',
      path: '/auth/telegram',
      handler: 'member.authTelegram',
      // The controller checks its own credentials: the bot's service token or signed Telegram initData.
      config: { auth: false, middlewares: ['api::member.limit-anonymous-sign-in'] },
    },
    {
      method: 'POST',
      path: '/auth/telegram/bot-status',
      handler: 'member.reportBotStatus',
      // The bot's service credential only, checked by the controller.
      config: { auth: false, middlewares: ['api::member.limit-anonymous-sign-in'] },
    },
    {
      method: 'PUT',
      path: '/profile',
      handler: 'member.updateProfile',
      config: { middlewares: [rateLimit('member')] },
    },
  ],
};
