import { useState } from 'react';
import { useIntl } from 'react-intl';
import { Badge, Button, Flex, Typography } from '@strapi/design-system';
import { useAuth, useForm } from '@strapi/strapi/admin';
import { getTranslation, PLUGIN_ID } from '../pluginId';
import { availableActions, type BookingView, type StaffAction } from '../staffActions';
import { stateLabel, stateVariant } from '../stateLabels';
import { useStaffAction } from '../useStaffAction';
import { ActionDialog } from './ActionDialog';

interface BookingActionsProps {
  model: string;
  booking: BookingView;
}

/** The panel's content: the booking's state and the staff actions this user may take on it now. */
export const BookingActions = ({ model, booking }: BookingActionsProps) => {
  const { formatMessage } = useIntl();
  const permissions = useAuth('BookingActions', (state) => state.permissions);
  // An action reloads the booking into the form, which would drop unsaved edits.
  const modified = useForm('BookingActions', (state) => state.modified, false) ?? false;
  const { run, pending } = useStaffAction(model, booking.documentId);
  const [dialog, setDialog] = useState<StaffAction | null>(null);

  const granted = new Set(permissions.map((permission) => permission.action));
  const { offered, notes } = availableActions(booking, granted, new Date());
  const mayActAtAll = [...granted].some((action) => action.startsWith(`plugin::${PLUGIN_ID}.`));

  const start = (action: StaffAction) => {
    if (action.dialog) setDialog(action);
    else void run(action);
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={3} width="100%">
      <Flex gap={2} alignItems="center" wrap="wrap">
        <Typography variant="omega" textColor="neutral600">
          {formatMessage({ id: getTranslation('panel.state'), defaultMessage: 'State' })}
        </Typography>
        <Badge variant={stateVariant(booking.state)}>{stateLabel(formatMessage, booking.state)}</Badge>
      </Flex>

      {offered.map((action) => (
        <Button
          key={action.key}
          variant={action.variant}
          fullWidth
          loading={pending === action.key}
          disabled={pending !== null || modified}
          onClick={() => start(action)}
        >
          {formatMessage(action.label)}
        </Button>
      ))}

      {offered.length === 0 && (
        <Typography variant="pi" textColor="neutral600">
          {mayActAtAll
            ? formatMessage({
                id: getTranslation('panel.nothing'),
                defaultMessage: 'No staff action is possible on this booking now.',
              })
            : formatMessage({
                id: getTranslation('panel.noPermission'),
                defaultMessage: 'Your role has no booking desk actions.',
              })}
        </Typography>
      )}

      {notes.map((note) => (
        <Typography key={note} variant="pi" textColor="neutral600">
          {note}
        </Typography>
      ))}

      {modified && offered.length > 0 && (
        <Typography variant="pi" textColor="warning600">
          {formatMessage({
            id: getTranslation('panel.unsaved'),
            defaultMessage: 'Save or discard your changes first: an action reloads the booking.',
          })}
        </Typography>
      )}

      {dialog && (
        <ActionDialog
          action={dialog}
          booking={booking}
          busy={pending === dialog.key}
          onClose={() => setDialog(null)}
          onSubmit={async (body) => {
            if (await run(dialog, body)) setDialog(null);
          }}
        />
      )}
    </Flex>
  );
};
