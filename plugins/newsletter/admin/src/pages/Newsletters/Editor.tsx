import { useMemo, useState } from 'react';
import { Box, Button, Field, Flex, Loader, TextInput, Textarea, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { fieldErrors, serverMessage, statusOf } from '../../serverMessage';
import { dateIn, formatWhen, toLocalInput, zonedToIso } from '../../time';
import { AudiencePicker } from './AudiencePicker';
import { buildAudience, formOfAudience, type AudienceForm } from './audienceForm';
import { ButtonsField, buttonProblem } from './ButtonsField';
import { ConfirmDialog } from './ConfirmDialog';
import { useAudiencePreview, useNewsletterActions, useTariffs, useTemplates } from './hooks';
import { channelLabel, useT } from './labels';
import { LabelledCheckbox, LabelledSelect } from './LabelledSelect';
import { MediaField } from './MediaField';
import { AlertBox } from './parts';
import { Section } from './Section';
import { checkTelegramHtml, limitFor } from './telegramHtml';
import { TelegramBodyField } from './TelegramBodyField';
import type { Channel, NewsletterInput, NewsletterView, Settings, TestAnswer, UrlButton } from './types';

const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

type Busy = 'save' | 'media' | 'test' | 'send' | 'schedule' | 'template' | null;

interface Form {
  title: string;
  channels: Channel[];
  body: string;
  bodyEn: string;
  subject: string;
  subjectEn: string;
  emailHtml: string;
  emailHtmlEn: string;
  withEnglish: boolean;
  buttons: UrlButton[];
  audience: AudienceForm;
  serviceNotice: boolean;
}

function formOf(newsletter: NewsletterView | null, settings: Settings, today: string): Form {
  const defaultChannels: Channel[] = settings.telegram.enabled ? ['telegram'] : settings.email.enabled ? ['email'] : [];
  return {
    title: newsletter?.title ?? '',
    channels: newsletter?.channels ?? defaultChannels,
    body: newsletter?.body ?? '',
    bodyEn: newsletter?.bodyEn ?? '',
    subject: newsletter?.subject ?? '',
    subjectEn: newsletter?.subjectEn ?? '',
    emailHtml: newsletter?.emailHtml ?? '',
    emailHtmlEn: newsletter?.emailHtmlEn ?? '',
    withEnglish: Boolean(newsletter?.bodyEn || newsletter?.subjectEn || newsletter?.emailHtmlEn),
    buttons: newsletter?.buttons ?? [],
    audience: formOfAudience(newsletter?.audience, today),
    serviceNotice: newsletter?.serviceNotice ?? false,
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value);

/**
 * The editor of a draft or scheduled newsletter: content per channel and language, images, buttons, audience
 * with the live count, then Save draft / Test to me / Send now / Schedule. `onSaved` gets every answer of the
 * server (the parent keeps it and switches to the progress view once it runs).
 */
export const Editor = ({
  newsletter,
  settings,
  canManage,
  canSend,
  onSaved,
}: {
  newsletter: NewsletterView | null;
  settings: Settings;
  canManage: boolean;
  canSend: boolean;
  onSaved: (view: NewsletterView) => void;
}) => {
  const { t, locale } = useT();
  const { toggleNotification } = useNotification();
  const actions = useNewsletterActions();
  const timeZone = settings.timeZone;
  const today = dateIn(new Date(), timeZone);
  const [form, setForm] = useState<Form>(() => formOf(newsletter, settings, today));
  const [language, setLanguage] = useState<'ru' | 'en'>('ru');
  const [busy, setBusy] = useState<Busy>(null);
  const [errors, setErrors] = useState<{ message: string | null; fields: Record<string, string> }>({ message: null, fields: {} });
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [confirmSend, setConfirmSend] = useState<{ error: string | null } | null>(null);
  const [scheduleAt, setScheduleAt] = useState(() =>
    newsletter?.scheduledAt ? toLocalInput(new Date(newsletter.scheduledAt), timeZone) : toLocalInput(new Date(Date.now() + 60 * 60 * 1000), timeZone),
  );
  const [testResult, setTestResult] = useState<TestAnswer | null>(null);
  const [linkTelegram, setLinkTelegram] = useState('');
  const [myTelegramId, setMyTelegramId] = useState(settings.me.telegramId);
  const [templateName, setTemplateName] = useState<string | null>(null);
  const readOnly = !canManage;

  const set = (changes: Partial<Form>) => {
    setForm((current) => ({ ...current, ...changes }));
  };
  const useTelegram = form.channels.includes('telegram');
  const useEmail = form.channels.includes('email');
  const { tariffs, error: tariffsError } = useTariffs(form.audience.segment === 'tariff');
  const { templates, reload: reloadTemplates } = useTemplates(useEmail);
  const audience = useMemo(() => buildAudience(form.audience), [form.audience]);
  const { preview, loading: previewLoading, error: previewError } = useAudiencePreview(
    form.channels.length > 0 ? audience.spec : null,
    form.channels,
    form.serviceNotice,
  );
  const media = newsletter?.media ?? [];
  const max = limitFor(media.length);

  // What keeps the newsletter from being sent (the server checks the same, and more).
  const clientProblems = useMemo(() => {
    const problems: string[] = [];
    if (form.title.trim() === '') problems.push(t('problem.title', 'Give the newsletter a title.'));
    if (form.channels.length === 0) problems.push(t('problem.channels', 'Choose at least one channel.'));
    if (useTelegram) {
      if (form.body.trim() === '' && media.length === 0) problems.push(t('problem.body', 'Write the Telegram text.'));
      if (checkTelegramHtml(form.body, max).problems.length > 0) problems.push(t('problem.bodyMarkup', 'Fix the Telegram text (see the message under it).'));
      if (form.withEnglish && checkTelegramHtml(form.bodyEn, max).problems.length > 0) problems.push(t('problem.bodyEnMarkup', 'Fix the English Telegram text.'));
    }
    if (useEmail) {
      if (form.subject.trim() === '') problems.push(t('problem.subject', 'Write the e-mail subject.'));
      if (form.emailHtml.trim() === '' && form.body.trim() === '') problems.push(t('problem.emailHtml', 'Write the e-mail body.'));
    }
    if (form.buttons.some((button) => buttonProblem(button) !== null)) problems.push(t('problem.buttons', 'Complete or remove the unfinished buttons.'));
    if (audience.problem) problems.push(t('problem.audience', 'Finish the audience.'));
    return problems;
  }, [form, useTelegram, useEmail, media.length, max, audience.problem, t]);

  const input = (): NewsletterInput | null => {
    if (!audience.spec) return null;
    return {
      title: form.title.trim(),
      channels: form.channels,
      body: orNull(form.body),
      bodyEn: form.withEnglish ? orNull(form.bodyEn) : null,
      subject: orNull(form.subject),
      subjectEn: form.withEnglish ? orNull(form.subjectEn) : null,
      emailHtml: orNull(form.emailHtml),
      emailHtmlEn: form.withEnglish ? orNull(form.emailHtmlEn) : null,
      buttons: form.buttons.map((button) => ({ text: button.text.trim(), url: button.url.trim() })),
      audience: audience.spec,
      serviceNotice: form.serviceNotice,
    };
  };

  const fail = (failure: unknown) => {
    setErrors(fieldErrors(failure));
  };

  /** Saves the form (creating the draft the first time); the saved view, or null when it was refused. */
  const save = async (quiet = false): Promise<NewsletterView | null> => {
    const data = input();
    if (!data) {
      setErrors({ message: t('problem.audience', 'Finish the audience.'), fields: {} });
      return null;
    }
    if (data.title === '') {
      setErrors({ message: null, fields: { title: t('problem.title', 'Give the newsletter a title.') } });
      return null;
    }
    try {
      const view = newsletter ? await actions.update(newsletter.documentId, data) : await actions.create(data);
      setErrors({ message: null, fields: {} });
      if (!quiet) toggleNotification({ type: 'success', message: t('notice.saved', 'Draft saved.') });
      onSaved(view);
      return view;
    } catch (failure) {
      fail(failure);
      return null;
    }
  };

  const run = async (what: Busy, task: () => Promise<void>) => {
    setBusy(what);
    try {
      await task();
    } finally {
      setBusy(null);
    }
  };

  const upload = (files: File[]) =>
    run('media', async () => {
      setMediaError(null);
      const saved = newsletter ?? (await save(true));
      if (!saved) return;
      try {
        onSaved(await actions.uploadMedia(saved.documentId, files));
      } catch (failure) {
        const status = statusOf(failure);
        const words = serverMessage(failure);
        setMediaError(
          status === 413
            ? t('media.server.413', 'Too large: {message}', { message: words ?? '' })
            : status === 415
              ? t('media.server.415', 'Not an image Telegram accepts: {message}', { message: words ?? '' })
              : (words ?? t('error.unknown', 'Something went wrong.')),
        );
      }
    });

  const removeMedia = (fileId: number) =>
    run('media', async () => {
      if (!newsletter) return;
      try {
        onSaved(await actions.removeMedia(newsletter.documentId, fileId));
      } catch (failure) {
        setMediaError(serverMessage(failure));
      }
    });

  const test = () =>
    run('test', async () => {
      setTestResult(null);
      const saved = await save(true);
      if (!saved) return;
      try {
        if (useTelegram && !myTelegramId && linkTelegram.trim() !== '') {
          await actions.linkTelegram(linkTelegram.trim());
          setMyTelegramId(linkTelegram.trim());
        }
        setTestResult(await actions.test(saved.documentId));
      } catch (failure) {
        setTestResult(null);
        fail(failure);
      }
    });

  const askSend = () =>
    run('send', async () => {
      const saved = await save(true);
      if (saved) setConfirmSend({ error: null });
    });

  const sendNow = () =>
    run('send', async () => {
      if (!newsletter) return;
      try {
        const view = await actions.send(newsletter.documentId);
        setConfirmSend(null);
        toggleNotification({ type: 'success', message: t('notice.sending', 'Sending has started.') });
        onSaved(view);
      } catch (failure) {
        setConfirmSend({ error: serverMessage(failure) });
      }
    });

  const schedule = () =>
    run('schedule', async () => {
      const at = zonedToIso(scheduleAt, timeZone);
      if (!at || new Date(at).getTime() <= Date.now()) {
        setErrors({ message: null, fields: { scheduledAt: t('problem.schedulePast', 'Pick a time in the future.') } });
        return;
      }
      const saved = await save(true);
      if (!saved) return;
      try {
        const view = await actions.send(saved.documentId, at);
        toggleNotification({ type: 'success', message: t('notice.scheduled', 'Scheduled for {when}.', { when: formatWhen(at, locale, timeZone) }) });
        onSaved(view);
      } catch (failure) {
        fail(failure);
      }
    });

  const saveTemplate = () =>
    run('template', async () => {
      if (!templateName?.trim()) return;
      try {
        await actions.saveTemplate({ name: templateName.trim(), description: null, subject: orNull(form.subject), html: orNull(form.emailHtml), body: orNull(form.body) });
        setTemplateName(null);
        reloadTemplates();
        toggleNotification({ type: 'success', message: t('notice.templateSaved', 'Template saved.') });
      } catch (failure) {
        setErrors({ message: serverMessage(failure), fields: {} });
      }
    });

  const applyTemplate = (documentId: string) => {
    const template = templates.find((item) => item.documentId === documentId);
    if (!template) return;
    set({
      subject: template.subject ?? form.subject,
      emailHtml: template.html ?? form.emailHtml,
      body: form.body.trim() === '' && template.body ? template.body : form.body,
    });
  };

  const toggleChannel = (channel: Channel, on: boolean) =>
    set({ channels: on ? [...form.channels.filter((item) => item !== channel), channel] : form.channels.filter((item) => item !== channel) });

  const channelOff = (channel: Channel) => !settings[channel].enabled;
  const en = language === 'en';
  const fields = errors.fields;
  const sendBlocked = clientProblems.length > 0 || busy !== null;
  const count = preview?.count ?? null;

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      {errors.message && (
        <AlertBox testId="newsletter-error">{errors.message}</AlertBox>
      )}

      <Section title={t('section.content', 'Content')}>
        <Field.Root name="title" required error={fields.title}>
          <Field.Label>{t('editor.title', 'Title (for staff only)')}</Field.Label>
          <TextInput data-testid="newsletter-title" value={form.title} disabled={readOnly} onChange={(event: React.ChangeEvent<HTMLInputElement>) => set({ title: event.target.value })} />
          <Field.Error />
        </Field.Root>

        <Flex direction="column" alignItems="stretch" gap={2}>
          <Typography variant="pi" fontWeight="bold">
            {t('editor.channels', 'Channels')}
          </Typography>
          <Flex gap={6} wrap="wrap">
            {(['telegram', 'email'] as const).map((channel) => (
              <LabelledCheckbox
                key={channel}
                testId={`newsletter-channel-${channel}`}
                label={channelLabel(t, channel)}
                hint={
                  channelOff(channel)
                    ? channel === 'telegram'
                      ? t('editor.channel.telegramOff', 'Off: the bot token (BOT_TOKEN) is not configured.')
                      : t('editor.channel.emailOff', 'Off: the mail server (SMTP_HOST) is not configured.')
                    : null
                }
                checked={form.channels.includes(channel)}
                disabled={readOnly || (channelOff(channel) && !form.channels.includes(channel))}
                onChange={(on) => toggleChannel(channel, on)}
              />
            ))}
          </Flex>
          {fields.channels && <Typography textColor="danger600">{fields.channels}</Typography>}
        </Flex>

        <Flex gap={4} alignItems="center" wrap="wrap">
          <LabelledCheckbox
            testId="newsletter-with-english"
            label={t('editor.withEnglish', 'English variant')}
            hint={t('editor.withEnglish.hint', 'Members whose language is English get it; everyone else gets Russian.')}
            checked={form.withEnglish}
            disabled={readOnly}
            onChange={(on) => {
              set({ withEnglish: on });
              if (!on) setLanguage('ru');
            }}
          />
          {form.withEnglish && (
            <Flex gap={1} role="tablist">
              <Button size="S" role="tab" aria-selected={!en} variant={!en ? 'secondary' : 'tertiary'} onClick={() => setLanguage('ru')} data-testid="newsletter-lang-ru">
                {t('editor.lang.ru', 'Russian')}
              </Button>
              <Button size="S" role="tab" aria-selected={en} variant={en ? 'secondary' : 'tertiary'} onClick={() => setLanguage('en')} data-testid="newsletter-lang-en">
                {t('editor.lang.en', 'English')}
              </Button>
            </Flex>
          )}
        </Flex>
      </Section>

      {useTelegram && (
        <Section title={t('section.telegram', 'Telegram message')}>
          {en ? (
            <TelegramBodyField
              key="en"
              name="bodyEn"
              label={t('editor.bodyEn', 'Text in English')}
              value={form.bodyEn}
              max={max}
              disabled={readOnly}
              serverError={fields.bodyEn}
              onChange={(value) => set({ bodyEn: value })}
            />
          ) : (
            <TelegramBodyField
              key="ru"
              name="body"
              label={t('editor.body', 'Text')}
              value={form.body}
              max={max}
              required
              disabled={readOnly}
              serverError={fields.body}
              onChange={(value) => set({ body: value })}
            />
          )}
          <Typography variant="pi" fontWeight="bold">
            {t('editor.media', 'Images')}
          </Typography>
          <MediaField media={media} maxBytes={IMAGE_MAX_BYTES} disabled={readOnly} busy={busy === 'media'} error={mediaError ?? fields.media ?? null} onUpload={(files) => void upload(files)} onRemove={(id) => void removeMedia(id)} />
          <Typography variant="pi" fontWeight="bold">
            {t('editor.buttons', 'Buttons under the message')}
          </Typography>
          <ButtonsField buttons={form.buttons} disabled={readOnly} serverError={fields.buttons} onChange={(buttons) => set({ buttons })} />
        </Section>
      )}

      {useEmail && (
        <Section title={t('section.email', 'E-mail')}>
          {templates.length > 0 && !readOnly && (
            <LabelledSelect
              label={t('editor.template', 'Start from a template')}
              testId="newsletter-template"
              value=""
              onChange={applyTemplate}
              options={[{ value: '', label: t('editor.template.pick', 'Pick a template…') }, ...templates.map((template) => ({ value: template.documentId, label: template.name }))]}
            />
          )}
          <Field.Root name={en ? 'subjectEn' : 'subject'} required={!en} error={en ? fields.subjectEn : fields.subject}>
            <Field.Label>{en ? t('editor.subjectEn', 'Subject in English') : t('editor.subject', 'Subject')}</Field.Label>
            <TextInput
              data-testid={en ? 'newsletter-subjectEn' : 'newsletter-subject'}
              value={en ? form.subjectEn : form.subject}
              disabled={readOnly}
              onChange={(event: React.ChangeEvent<HTMLInputElement>) => set(en ? { subjectEn: event.target.value } : { subject: event.target.value })}
            />
            <Field.Error />
          </Field.Root>
          <Field.Root
            name={en ? 'emailHtmlEn' : 'emailHtml'}
            error={en ? fields.emailHtmlEn : fields.emailHtml}
            hint={t('editor.emailHtml.hint', 'HTML; scripts and styles that mail clients do not show are removed. Empty: the e-mail is made from the Telegram text. Variables: {vars}.', {
              vars: '{{firstName}}, {{fullName}}, {{email}}',
            })}
          >
            <Field.Label>{en ? t('editor.emailHtmlEn', 'E-mail body in English (HTML)') : t('editor.emailHtml', 'E-mail body (HTML)')}</Field.Label>
            <Textarea
              data-testid={en ? 'newsletter-emailHtmlEn' : 'newsletter-emailHtml'}
              rows={8}
              value={en ? form.emailHtmlEn : form.emailHtml}
              disabled={readOnly}
              onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => set(en ? { emailHtmlEn: event.target.value } : { emailHtml: event.target.value })}
            />
            <Field.Hint />
            <Field.Error />
          </Field.Root>
          {!readOnly &&
            (templateName === null ? (
              <Box>
                <Button variant="tertiary" onClick={() => setTemplateName('')} disabled={form.emailHtml.trim() === '' && form.subject.trim() === ''}>
                  {t('editor.template.save', 'Save as template')}
                </Button>
              </Box>
            ) : (
              <Flex gap={2} alignItems="flex-end">
                <Box flex="1">
                  <TextInput
                    aria-label={t('editor.template.name', 'Template name')}
                    placeholder={t('editor.template.name', 'Template name')}
                    value={templateName}
                    onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTemplateName(event.target.value)}
                  />
                </Box>
                <Button onClick={() => void saveTemplate()} loading={busy === 'template'} disabled={templateName.trim() === ''}>
                  {t('editor.template.saveConfirm', 'Save template')}
                </Button>
                <Button variant="tertiary" onClick={() => setTemplateName(null)}>
                  {t('dialog.back', 'Back')}
                </Button>
              </Flex>
            ))}
        </Section>
      )}

      <Section title={t('section.audience', 'Audience')}>
        <AudiencePicker
          form={form.audience}
          onChange={(next) => set({ audience: next })}
          problem={audience.problem}
          serverError={fields.audience}
          serviceNotice={form.serviceNotice}
          onServiceNotice={(value) => set({ serviceNotice: value })}
          tariffs={tariffs}
          tariffsError={tariffsError}
          preview={preview}
          previewLoading={previewLoading}
          previewError={previewError}
          channels={form.channels}
          disabled={readOnly}
        />
      </Section>

      {!readOnly && (
        <Section title={t('section.send', 'Test and send')}>
          {clientProblems.length > 0 && (
            <Box data-testid="newsletter-problems">
              {clientProblems.map((problem) => (
                <Typography key={problem} textColor="warning700" display="block">
                  • {problem}
                </Typography>
              ))}
            </Box>
          )}
          <Flex gap={2} wrap="wrap" alignItems="flex-end">
            <Button variant="secondary" loading={busy === 'save'} disabled={busy !== null} onClick={() => void run('save', async () => void (await save()))} data-testid="newsletter-save">
              {t('action.save', 'Save draft')}
            </Button>
            {useTelegram && !myTelegramId && (
              <Box minWidth="14rem">
                <Field.Root name="myTelegramId" hint={t('test.link.hint', 'Your Telegram id, to receive test sends (once).')}>
                  <Field.Label>{t('test.link', 'My Telegram id')}</Field.Label>
                  <TextInput data-testid="newsletter-my-telegram" inputMode="numeric" value={linkTelegram} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setLinkTelegram(event.target.value)} />
                  <Field.Hint />
                </Field.Root>
              </Box>
            )}
            <Button variant="secondary" loading={busy === 'test'} disabled={sendBlocked} onClick={() => void test()} data-testid="newsletter-test">
              {t('action.test', 'Test to me')}
            </Button>
            {canSend && (
              <>
                <Button loading={busy === 'send'} disabled={sendBlocked} onClick={() => void askSend()} data-testid="newsletter-send">
                  {t('action.sendNow', 'Send now')}
                </Button>
                <Box>
                  <Field.Root name="scheduledAt" error={fields.scheduledAt} hint={t('schedule.hint', 'Time in {zone}', { zone: timeZone })}>
                    <Field.Label>{t('schedule.label', 'Or send at')}</Field.Label>
                    <TextInput type="datetime-local" data-testid="newsletter-schedule-at" value={scheduleAt} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setScheduleAt(event.target.value)} />
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                </Box>
                <Button variant="secondary" loading={busy === 'schedule'} disabled={sendBlocked} onClick={() => void schedule()} data-testid="newsletter-schedule">
                  {newsletter?.state === 'scheduled' ? t('action.reschedule', 'Reschedule') : t('action.schedule', 'Schedule')}
                </Button>
              </>
            )}
          </Flex>
          {!canSend && <Typography textColor="neutral600">{t('send.noPermission', 'Sending needs the "send" permission; ask a manager to send it.')}</Typography>}
          {testResult && (
            <Box padding={3} background="neutral100" hasRadius data-testid="newsletter-test-result">
              {testResult.telegram && (
                <Typography display="block" textColor={testResult.telegram.ok ? 'success600' : 'danger600'}>
                  {testResult.telegram.ok
                    ? t('test.telegram.ok', 'Telegram: the test message is in your chat.')
                    : t('test.telegram.failed', 'Telegram: not sent ({error}).', { error: testResult.telegram.error ?? '' })}
                </Typography>
              )}
              {testResult.email && (
                <Typography display="block" textColor={testResult.email.ok ? 'success600' : 'danger600'}>
                  {testResult.email.ok
                    ? t('test.email.ok', 'E-mail: sent to {email}.', { email: settings.me.email ?? '' })
                    : t('test.email.failed', 'E-mail: not sent ({error}).', { error: testResult.email.error ?? '' })}
                </Typography>
              )}
            </Box>
          )}
        </Section>
      )}

      {confirmSend && (
        <ConfirmDialog
          testId="newsletter-confirm-send"
          title={t('confirm.send.title', 'Send the newsletter now?')}
          text={
            count === null
              ? t('confirm.send.unknown', 'It goes out at once to everyone in the audience. It cannot be taken back, only paused or cancelled.')
              : t('confirm.send.text', '{count, plural, one {# member gets it} other {# members get it}} now. It cannot be taken back, only paused or cancelled.', { count })
          }
          confirmLabel={t('confirm.send.confirm', 'Send')}
          busy={busy === 'send'}
          error={confirmSend.error}
          onClose={() => setConfirmSend(null)}
          onConfirm={() => void sendNow()}
        >
          {previewLoading && <Loader small>{t('audience.preview.counting', 'Counting…')}</Loader>}
        </ConfirmDialog>
      )}
    </Flex>
  );
};
