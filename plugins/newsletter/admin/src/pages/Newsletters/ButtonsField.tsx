import { Box, Button, Flex, IconButton, TextInput, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { useT } from './labels';
import { MAX_BUTTONS, type UrlButton } from './types';

/** Whether a button row is complete: a text and an http(s) or tg:// address. */
export const buttonProblem = (button: UrlButton): 'text' | 'url' | null =>
  button.text.trim() === '' ? 'text' : /^(https?|tg):\/\/\S+$/i.test(button.url.trim()) ? null : 'url';

/** Inline URL buttons under the Telegram message (links in the e-mail's footer): rows of text + address. */
export const ButtonsField = ({
  buttons,
  disabled,
  serverError,
  onChange,
}: {
  buttons: UrlButton[];
  disabled: boolean;
  serverError?: string;
  onChange: (buttons: UrlButton[]) => void;
}) => {
  const { t } = useT();
  const set = (index: number, changes: Partial<UrlButton>) => onChange(buttons.map((button, i) => (i === index ? { ...button, ...changes } : button)));
  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      {buttons.map((button, index) => {
        const problem = buttonProblem(button);
        return (
          <Flex key={index} gap={2} alignItems="flex-start" data-testid="newsletter-button-row">
            <Box flex="1">
              <TextInput
                aria-label={t('buttons.text', 'Button text')}
                placeholder={t('buttons.text', 'Button text')}
                value={button.text}
                disabled={disabled}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => set(index, { text: event.target.value })}
              />
            </Box>
            <Box flex="2">
              <TextInput
                aria-label={t('buttons.url', 'Address (https://…)')}
                placeholder="https://"
                value={button.url}
                disabled={disabled}
                onChange={(event: React.ChangeEvent<HTMLInputElement>) => set(index, { url: event.target.value })}
              />
              {problem && (button.text !== '' || button.url !== '') && (
                <Typography variant="pi" textColor="danger600">
                  {problem === 'text' ? t('buttons.problem.text', 'The button needs a text.') : t('buttons.problem.url', 'The address must start with https://, http:// or tg://.')}
                </Typography>
              )}
            </Box>
            {!disabled && (
              <IconButton label={t('buttons.remove', 'Remove button')} variant="ghost" onClick={() => onChange(buttons.filter((_, i) => i !== index))}>
                <Trash />
              </IconButton>
            )}
          </Flex>
        );
      })}
      {buttons.length === 0 && <Typography textColor="neutral600">{t('buttons.none', 'No buttons.')}</Typography>}
      {serverError && <Typography textColor="danger600">{serverError}</Typography>}
      {!disabled && (
        <Box>
          <Button variant="tertiary" startIcon={<Plus />} disabled={buttons.length >= MAX_BUTTONS} onClick={() => onChange([...buttons, { text: '', url: 'https://' }])}>
            {t('buttons.add', 'Add a button')}
          </Button>
        </Box>
      )}
    </Flex>
  );
};
