import { useState } from 'react';
import { useIntl } from 'react-intl';
import { Button, Field, Flex, Modal, Textarea, Typography } from '@strapi/design-system';
import { getTranslation } from '../../pluginId';

interface TextDialogProps {
  title: string;
  description?: string;
  label: string;
  hint?: string;
  submitLabel: string;
  /** Characters the server accepts at most (counted as people count them). */
  max: number;
  busy: boolean;
  danger?: boolean;
  testId: string;
  onClose: () => void;
  /** Resolves to an error message to show, or null when done (the dialog is then closed by the caller). */
  onSubmit: (text: string) => Promise<string | null>;
}

/** A dialog with one required text: the ban / unban reason, the message to the member. */
export const TextDialog = ({ title, description, label, hint, submitLabel, max, busy, danger, testId, onClose, onSubmit }: TextDialogProps) => {
  const { formatMessage } = useIntl();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const length = Array.from(text.trim()).length;
  const invalid =
    length === 0
      ? formatMessage({ id: getTranslation('members.dialog.required'), defaultMessage: 'This field is required.' })
      : length > max
        ? formatMessage({ id: getTranslation('members.dialog.tooLong'), defaultMessage: 'At most {max} characters.' }, { max })
        : null;

  const submit = async () => {
    setTouched(true);
    if (invalid) return;
    setServerError(await onSubmit(text.trim()));
  };

  return (
    <Modal.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Modal.Content data-testid={testId}>
        <Modal.Header>
          <Modal.Title>{title}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            {description && <Typography>{description}</Typography>}
            <Field.Root name="text" required hint={hint ?? `${length} / ${max}`} error={(touched && invalid) || serverError || undefined}>
              <Field.Label>{label}</Field.Label>
              <Textarea
                value={text}
                onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => {
                  setText(event.target.value);
                  setServerError(null);
                }}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="tertiary" onClick={onClose} disabled={busy}>
            {formatMessage({ id: getTranslation('members.dialog.cancel'), defaultMessage: 'Cancel' })}
          </Button>
          <Button variant={danger ? 'danger' : 'default'} loading={busy} onClick={() => void submit()}>
            {submitLabel}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
