import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

/**
 * The 404 the content manager logged in the browser console on every list and edit view.
 *
 * Cause (Strapi 5.54): the content manager's `useDocumentActions` hook always asks `GET /admin/ai-feature-config`
 * (which AI features are configured), but the admin's controller answers 404 whenever Strapi AI is off, which it
 * always is here (no `cms-ai` licence). The admin's AI service itself already has the right answer for that
 * case, "nothing configured" (`{ isAiI18nConfigured: false, isAiMediaLibraryConfigured: false }`); only the
 * controller refuses to give it. So we extend that one controller action: with AI off it answers 200 with the
 * service's answer; with AI on it is Strapi's own action, unchanged. No other AI route changes (the token and
 * usage routes keep their 404 when AI is off, and nothing calls them then).
 *
 * The same for the i18n plugin's AI-translation jobs, which the edit view of every record asked and got a 404:
 * `GET /i18n/ai-localization-jobs/collection-types/<uid>/<documentId>` (and `/single-types/<uid>`). Cause: the
 * i18n plugin's header action (`LocalePickerAction` and the AI-translation status of `CMHeaderActions`) fetches the
 * record's AI-translation job on every edit view, localized or not, with no setting to skip it, and the controller
 * answers 404 whenever AI localizations are off (Strapi AI off, or the i18n setting `aiLocalizations` off). Here,
 * with them off, it answers what it answers for a record that has no job, `{ data: null }` (the admin then shows
 * no AI status); with them on it is Strapi's own action. (The other 404 of the edit view, the preview URL, is
 * answered by a supported setting: `preview.enabled: false` in config/admin.ts.)
 *
 * Runs in `register`: route handlers are bound when the server builds its routes, after every register.
 */

interface AiAdmin {
  isEnabled(): boolean;
  getAiFeatureConfig(): Promise<Record<string, boolean>>;
}

type Action = (ctx: Context) => Promise<unknown> | unknown;

interface AiLocalizations {
  isEnabled(): Promise<boolean>;
}

interface ControllersRegistry {
  extend(uid: string, extend: (controller: Record<string, Action>) => Record<string, Action>): unknown;
}

export function answerAiFeatureConfigWithAiOff(strapi: Core.Strapi): void {
  const ai = () => (strapi as unknown as { ai: { admin: AiAdmin } }).ai.admin;
  (strapi.get('controllers') as ControllersRegistry).extend('admin::ai', (controller) => ({
    ...controller,
    async getAiFeatureConfig(ctx: Context) {
      if (ai().isEnabled()) return controller.getAiFeatureConfig(ctx);
      ctx.body = { data: await ai().getAiFeatureConfig() };
    },
  }));

  const aiLocalizationsOn = () =>
    (strapi.plugin('i18n').service('ai-localizations') as unknown as AiLocalizations).isEnabled();
  const noJobWithAiOff =
    (action: Action): Action =>
    async (ctx) => {
      if (await aiLocalizationsOn()) return action(ctx);
      ctx.body = { data: null };
    };
  (strapi.get('controllers') as ControllersRegistry).extend('plugin::i18n.ai-localization-jobs', (controller) => ({
    ...controller,
    getJobForCollectionType: noJobWithAiOff(controller.getJobForCollectionType),
    getJobForSingleType: noJobWithAiOff(controller.getJobForSingleType),
  }));
}
