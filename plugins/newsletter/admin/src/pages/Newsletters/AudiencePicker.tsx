import { useEffect, useState } from 'react';
import { Badge, Box, Button, Field, Flex, Loader, TextInput, Textarea, Typography } from '@strapi/design-system';
import { Cross } from '@strapi/icons';
import { serverMessage } from '../../serverMessage';
import { parseTelegramIds, type AudienceForm, type AudienceProblem } from './audienceForm';
import { useNewsletterActions } from './hooks';
import { segmentLabel, useT } from './labels';
import { LabelledCheckbox, LabelledMultiSelect, LabelledSelect } from './LabelledSelect';
import { SEGMENTS, type Channel, type MemberPick, type Preview, type TariffOption } from './types';

const SEARCH_DELAY_MS = 300;

const PROBLEM_TEXT: Record<AudienceProblem, string> = {
  days: 'Enter a number of days from 1 to 3650.',
  vip: 'Set the number of bookings, the amount spent, or both.',
  minBookings: 'The number of bookings is a whole number from 1.',
  minSpent: 'The amount is a positive number of rubles.',
  tariffs: 'Pick at least one tariff.',
  period: 'Set the period: the start no later than the end.',
  date: 'Pick a date.',
  custom: 'The list is empty: paste Telegram ids, upload a CSV or add members.',
  customTooMany: 'At most 10,000 recipients in a custom list.',
};

interface Props {
  form: AudienceForm;
  onChange: (form: AudienceForm) => void;
  problem: AudienceProblem | null;
  serverError?: string;
  serviceNotice: boolean;
  onServiceNotice: (value: boolean) => void;
  tariffs: TariffOption[];
  tariffsError: string | null;
  preview: Preview | null;
  previewLoading: boolean;
  previewError: string | null;
  channels: Channel[];
  disabled: boolean;
}

/** The audience: a segment with its parameters, the service-notice switch and the live recipient count. */
export const AudiencePicker = ({
  form,
  onChange,
  problem,
  serverError,
  serviceNotice,
  onServiceNotice,
  tariffs,
  tariffsError,
  preview,
  previewLoading,
  previewError,
  channels,
  disabled,
}: Props) => {
  const { t } = useT();
  const set = (changes: Partial<AudienceForm>) => onChange({ ...form, ...changes });
  const { searchMembers } = useNewsletterActions();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<MemberPick[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [csvNote, setCsvNote] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (form.segment !== 'custom' || q.length < 2) {
      setFound(null);
      return undefined;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      searchMembers(q, controller.signal)
        .then((members) => {
          if (!controller.signal.aborted) {
            setFound(members);
            setSearchError(null);
          }
        })
        .catch((failure: unknown) => {
          if (!controller.signal.aborted) setSearchError(serverMessage(failure));
        });
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, form.segment, searchMembers]);

  const readCsv = async (file: File) => {
    const text = await file.text();
    const ids = parseTelegramIds(text);
    const merged = parseTelegramIds(`${form.telegramIdsText}\n${ids.join('\n')}`);
    set({ telegramIdsText: merged.join('\n') });
    setCsvNote(t('audience.csv.read', '{file}: {count} Telegram ids read.', { file: file.name, count: ids.length }));
  };

  const pastedCount = form.segment === 'custom' ? parseTelegramIds(form.telegramIdsText).length : 0;
  const numberField = (name: 'days' | 'minBookings' | 'minSpentRub', label: string, hint?: string) => (
    <Box minWidth="12rem">
      <Field.Root name={name} hint={hint}>
        <Field.Label>{label}</Field.Label>
        <TextInput
          data-testid={`newsletter-audience-${name}`}
          inputMode="decimal"
          value={form[name]}
          disabled={disabled}
          onChange={(event: React.ChangeEvent<HTMLInputElement>) => set({ [name]: event.target.value } as Partial<AudienceForm>)}
        />
        <Field.Hint />
      </Field.Root>
    </Box>
  );
  const dateField = (name: 'from' | 'to' | 'date', label: string) => (
    <Field.Root name={name}>
      <Field.Label>{label}</Field.Label>
      <TextInput
        type="date"
        data-testid={`newsletter-audience-${name}`}
        value={form[name]}
        disabled={disabled}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => set({ [name]: event.target.value } as Partial<AudienceForm>)}
      />
    </Field.Root>
  );

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Flex gap={4} wrap="wrap" alignItems="flex-end">
        <LabelledSelect
          label={t('audience.segment', 'Who gets it')}
          testId="newsletter-audience-segment"
          value={form.segment}
          disabled={disabled}
          onChange={(value) => set({ segment: value as AudienceForm['segment'] })}
          options={SEGMENTS.map((segment) => ({ value: segment, label: segmentLabel(t, segment) }))}
        />
        {(form.segment === 'new' || form.segment === 'active' || form.segment === 'inactive') &&
          numberField(
            'days',
            t('audience.days', 'Days'),
            form.segment === 'new'
              ? t('audience.days.new', 'Registered within this many days')
              : form.segment === 'active'
                ? t('audience.days.active', 'Booked within this many days')
                : t('audience.days.inactive', 'No booking for this many days (never booked included)'),
          )}
        {form.segment === 'vip' && (
          <>
            {numberField('minBookings', t('audience.minBookings', 'At least this many bookings'))}
            {numberField('minSpentRub', t('audience.minSpent', 'Or at least this much spent, ₽'), t('audience.minSpent.hint', 'Paid, net of refunds; leave empty to ignore'))}
          </>
        )}
        {form.segment === 'tariff' && (
          <>
            <LabelledMultiSelect
              label={t('audience.tariffs', 'Tariffs (Ctrl-click for several)')}
              testId="newsletter-audience-tariffs"
              values={form.tariffs}
              disabled={disabled}
              onChange={(values) => set({ tariffs: values })}
              options={tariffs.map((tariff) => ({ value: tariff.documentId, label: tariff.name }))}
            />
            {dateField('from', t('audience.from', 'Booked for from'))}
            {dateField('to', t('audience.to', 'to (inclusive)'))}
          </>
        )}
        {form.segment === 'upcoming' && dateField('date', t('audience.date', 'Has a booking on'))}
      </Flex>
      {form.segment === 'tariff' && tariffsError && <Typography textColor="danger600">{tariffsError}</Typography>}

      {form.segment === 'custom' && (
        <Flex direction="column" alignItems="stretch" gap={3}>
          <Field.Root name="telegramIds" hint={t('audience.custom.hint', 'Telegram ids, one per line or separated by commas; {count} recognised.', { count: pastedCount })}>
            <Field.Label>{t('audience.custom.ids', 'Telegram ids')}</Field.Label>
            <Textarea
              data-testid="newsletter-audience-ids"
              value={form.telegramIdsText}
              disabled={disabled}
              onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => set({ telegramIdsText: event.target.value })}
            />
            <Field.Hint />
          </Field.Root>
          <Flex gap={2} alignItems="center">
            <label>
              <Typography variant="pi" fontWeight="bold" display="block">
                {t('audience.csv', 'Or upload a CSV file (every cell with digits only is read as a Telegram id)')}
              </Typography>
              <input
                type="file"
                accept=".csv,text/csv,text/plain"
                data-testid="newsletter-audience-csv"
                disabled={disabled}
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  if (file) void readCsv(file);
                  event.target.value = '';
                }}
              />
            </label>
            {csvNote && <Typography variant="pi" textColor="success600">{csvNote}</Typography>}
          </Flex>
          <Box>
            <Field.Root name="memberSearch">
              <Field.Label>{t('audience.members.search', 'Add members by name, e-mail or Telegram id')}</Field.Label>
              <TextInput
                data-testid="newsletter-audience-member-search"
                value={query}
                disabled={disabled}
                placeholder={t('audience.members.placeholder', 'At least 2 characters')}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => setQuery(event.target.value)}
              />
            </Field.Root>
            {searchError && <Typography textColor="danger600">{searchError}</Typography>}
            {found && (
              <Flex direction="column" alignItems="stretch" gap={1} paddingTop={2}>
                {found.length === 0 && <Typography textColor="neutral600">{t('audience.members.none', 'Nobody found.')}</Typography>}
                {found.map((member) => {
                  const picked = form.members.some((item) => item.documentId === member.documentId);
                  return (
                    <Flex key={member.documentId} gap={2} justifyContent="space-between" data-testid="newsletter-audience-member-found">
                      <Typography>
                        {member.fullName ?? '—'} {member.telegramId ? `· ${member.telegramId}` : ''} {member.email ? `· ${member.email}` : ''}
                      </Typography>
                      <Button size="S" variant="secondary" disabled={picked || disabled} onClick={() => set({ members: [...form.members, member] })}>
                        {picked ? t('audience.members.added', 'Added') : t('audience.members.add', 'Add')}
                      </Button>
                    </Flex>
                  );
                })}
              </Flex>
            )}
          </Box>
          {form.members.length > 0 && (
            <Flex gap={2} wrap="wrap">
              {form.members.map((member) => (
                <Badge key={member.documentId}>
                  <Flex gap={1} alignItems="center">
                    {member.fullName ?? member.telegramId ?? member.documentId}
                    {!disabled && (
                      <button
                        type="button"
                        aria-label={t('audience.members.remove', 'Remove')}
                        style={{ border: 0, background: 'transparent', cursor: 'pointer', padding: 0, display: 'flex' }}
                        onClick={() => set({ members: form.members.filter((item) => item.documentId !== member.documentId) })}
                      >
                        <Cross width="0.75rem" height="0.75rem" />
                      </button>
                    )}
                  </Flex>
                </Badge>
              ))}
            </Flex>
          )}
        </Flex>
      )}

      {(problem || serverError) && (
        <Typography textColor="danger600" data-testid="newsletter-audience-error">
          {problem ? t(`audience.problem.${problem}`, PROBLEM_TEXT[problem]) : serverError}
        </Typography>
      )}

      <LabelledCheckbox
        testId="newsletter-service-notice"
        label={t('audience.serviceNotice', 'Service notice')}
        hint={t(
          'audience.serviceNotice.hint',
          'Goes to members without marketing consent too. Only for what members must know (closures, changes to their bookings), never for promotion. Banned members and those who blocked the bot never get it.',
        )}
        checked={serviceNotice}
        disabled={disabled}
        onChange={onServiceNotice}
      />

      <Box padding={4} background="primary100" hasRadius data-testid="newsletter-preview">
        {problem ? (
          <Typography textColor="neutral600">{t('audience.preview.incomplete', 'Finish the audience to see how many members get it.')}</Typography>
        ) : channels.length === 0 ? (
          <Typography textColor="neutral600">{t('audience.preview.noChannel', 'Choose a channel to see how many members get it.')}</Typography>
        ) : previewError ? (
          <Typography textColor="danger600">{previewError}</Typography>
        ) : preview ? (
          <Flex gap={3} alignItems="center">
            <Typography variant="beta" data-testid="newsletter-preview-count" data-count={preview.count} data-loading={previewLoading ? 'true' : 'false'}>
              {t('audience.preview.count', '{count, plural, one {# recipient} other {# recipients}}', { count: preview.count })}
            </Typography>
            {preview.byChannel && channels.length > 1 && (
              <Typography textColor="neutral600">
                {t('audience.preview.byChannel', 'Telegram: {telegram}, e-mail: {email}', {
                  telegram: preview.byChannel.telegram ?? 0,
                  email: preview.byChannel.email ?? 0,
                })}
              </Typography>
            )}
            {previewLoading && <Loader small>{t('audience.preview.counting', 'Counting…')}</Loader>}
          </Flex>
        ) : (
          <Loader small>{t('audience.preview.counting', 'Counting…')}</Loader>
        )}
        <Typography variant="pi" textColor="neutral600" display="block">
          {t('audience.preview.excluded', 'Banned members, members who blocked the bot and, unless it is a service notice, members without marketing consent are left out.')}
        </Typography>
      </Box>
    </Flex>
  );
};
