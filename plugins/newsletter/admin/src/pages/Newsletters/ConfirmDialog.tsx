import { Button, Flex, Modal, Typography } from '@strapi/design-system';
import { useT } from './labels';

/** A yes / no question before something that cannot be taken back (send now, cancel, delete, resend). */
export const ConfirmDialog = ({
  title,
  text,
  confirmLabel,
  busy,
  danger,
  error,
  testId,
  onClose,
  onConfirm,
  children,
}: {
  title: string;
  text: string;
  confirmLabel: string;
  busy: boolean;
  danger?: boolean;
  error?: string | null;
  testId: string;
  onClose: () => void;
  onConfirm: () => void;
  children?: React.ReactNode;
}) => {
  const { t } = useT();
  return (
    <Modal.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Modal.Content data-testid={testId}>
        <Modal.Header>
          <Modal.Title>{title}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={3}>
            <Typography>{text}</Typography>
            {children}
            {error && (
              <Typography textColor="danger600" role="alert">
                {error}
              </Typography>
            )}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Button variant="tertiary" onClick={onClose} disabled={busy}>
            {t('dialog.back', 'Back')}
          </Button>
          <Button variant={danger ? 'danger' : 'default'} loading={busy} onClick={onConfirm} data-testid={`${testId}-confirm`}>
            {confirmLabel}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
