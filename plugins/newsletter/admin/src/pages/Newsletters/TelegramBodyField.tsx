import { useRef, useState } from 'react';
import { Box, Button, Field, Flex, TextInput, Textarea, Typography } from '@strapi/design-system';
import { checkTelegramHtml, type HtmlProblem } from './telegramHtml';
import { useT, type Translate } from './labels';

/** A client-side problem of the markup in words (the same rules as the server's). */
export function htmlProblemText(t: Translate, problem: HtmlProblem): string {
  switch (problem.code) {
    case 'unknownTag':
      return t('html.unknownTag', 'Telegram does not support the tag {tag}. Use {allowed}.', { tag: `<${problem.tag}>`, allowed: 'b, i, u, s, a, code, pre, blockquote, tg-spoiler' });
    case 'unclosedTag':
      return t('html.unclosedTag', 'The tag {tag} is not closed.', { tag: `<${problem.tag}>` });
    case 'unexpectedClose':
      return t('html.unexpectedClose', 'The closing tag {tag} does not match an open tag.', { tag: `</${problem.tag}>` });
    case 'strayBracket':
      return t('html.strayBracket', 'A {bracket} that does not start a tag: write {escaped} instead.', { bracket: '<', escaped: '&lt;' });
    case 'linkWithoutHref':
      return t('html.linkWithoutHref', 'A link without an address: write {example}.', { example: '<a href="https://…">…</a>' });
    case 'badHref':
      return t('html.badHref', 'The link address "{href}" is not an http(s) or tg:// address.', { href: problem.href });
    case 'badSpan':
      return t('html.badSpan', 'Only {example} is allowed.', { example: '<span class="tg-spoiler">' });
    case 'badEntity':
      return t('html.badEntity', '{entity} is not an entity Telegram knows: use {allowed}, or the character itself.', { entity: problem.entity, allowed: '&lt; &gt; &amp; &quot;' });
    case 'tooLong':
      return t('html.tooLong', 'The text is {length} characters; Telegram accepts at most {max} here.', { length: problem.length, max: problem.max });
    default:
      return '';
  }
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The Telegram body (Telegram HTML): B / I / link buttons that wrap the selection in tags, a live character
 * counter against the limit (4,096, or 1,024 as a photo caption), the client-side markup check and the server's
 * message for the field.
 */
export const TelegramBodyField = ({
  name,
  label,
  value,
  max,
  required,
  disabled,
  serverError,
  onChange,
}: {
  name: 'body' | 'bodyEn';
  label: string;
  value: string;
  max: number;
  required?: boolean;
  disabled: boolean;
  serverError?: string;
  onChange: (value: string) => void;
}) => {
  const { t } = useT();
  const area = useRef<HTMLTextAreaElement>(null);
  const [linkOpen, setLinkOpen] = useState(false);
  const [linkUrl, setLinkUrl] = useState('https://');
  const check = checkTelegramHtml(value, max);
  const problems = check.problems.map((problem) => htmlProblemText(t, problem));
  const error = serverError ?? (problems.length > 0 ? problems.join(' ') : undefined);

  const wrap = (open: string, close: string, placeholder: string) => {
    const element = area.current;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    const selected = value.slice(start, end) || placeholder;
    const next = `${value.slice(0, start)}${open}${selected}${close}${value.slice(end)}`;
    onChange(next);
    requestAnimationFrame(() => {
      if (!element) return;
      element.focus();
      element.setSelectionRange(start + open.length, start + open.length + selected.length);
    });
  };

  return (
    <Field.Root name={name} required={required} error={error}>
      <Flex justifyContent="space-between" alignItems="flex-end">
        <Field.Label>{label}</Field.Label>
        <Flex gap={1}>
          <Button size="S" variant="tertiary" disabled={disabled} onClick={() => wrap('<b>', '</b>', t('editor.sample.bold', 'bold'))} aria-label={t('editor.bold', 'Bold')}>
            <b>B</b>
          </Button>
          <Button size="S" variant="tertiary" disabled={disabled} onClick={() => wrap('<i>', '</i>', t('editor.sample.italic', 'italic'))} aria-label={t('editor.italic', 'Italic')}>
            <i>I</i>
          </Button>
          <Button size="S" variant="tertiary" disabled={disabled} onClick={() => setLinkOpen((open) => !open)} data-testid={`newsletter-${name}-link`}>
            {t('editor.link', 'Link')}
          </Button>
        </Flex>
      </Flex>
      {linkOpen && (
        <Flex gap={2} alignItems="flex-end" paddingBottom={2}>
          <Box flex="1">
            <TextInput
              aria-label={t('editor.link.url', 'Link address')}
              value={linkUrl}
              onChange={(event: React.ChangeEvent<HTMLInputElement>) => setLinkUrl(event.target.value)}
            />
          </Box>
          <Button
            size="S"
            disabled={!/^(https?|tg):\/\/\S+$/i.test(linkUrl.trim())}
            onClick={() => {
              wrap(`<a href="${escapeAttribute(linkUrl.trim())}">`, '</a>', t('editor.sample.link', 'link text'));
              setLinkOpen(false);
            }}
          >
            {t('editor.link.insert', 'Insert link')}
          </Button>
        </Flex>
      )}
      <Textarea
        ref={area}
        data-testid={`newsletter-${name}`}
        value={value}
        disabled={disabled}
        rows={8}
        onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)}
      />
      <Flex justifyContent="space-between" paddingTop={1}>
        <Typography variant="pi" textColor="neutral600">
          {t('editor.body.hint', 'Telegram HTML: {tags}. Variables: {vars}.', {
            tags: '<b>, <i>, <u>, <s>, <a href="…">, <code>, <pre>, <blockquote>, <tg-spoiler>',
            vars: '{{firstName}}, {{fullName}}',
          })}
        </Typography>
        <Typography variant="pi" fontWeight="bold" textColor={check.length > max ? 'danger600' : 'neutral600'} data-testid={`newsletter-${name}-counter`}>
          {check.length} / {max}
        </Typography>
      </Flex>
      <Field.Error />
    </Field.Root>
  );
};
