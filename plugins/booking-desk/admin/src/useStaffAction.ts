import { useCallback, useState } from 'react';
import { useIntl } from 'react-intl';
import { useDispatch } from 'react-redux';
import { adminApi, isFetchError, useFetchClient, useNotification } from '@strapi/strapi/admin';
import type { BookingState } from '../../../../src/domain/booking-state';
import { serverMessage } from './serverMessage';
import { getTranslation, PLUGIN_ID } from './pluginId';
import { stateLabel } from './stateLabels';
import type { RefundChoice, StaffAction, StaffActionKey } from './staffActions';

/** The request bodies of the admin routes (docs/ADMIN.md). */
export interface StaffActionBody {
  reason?: string;
  refund?: RefundChoice;
  startAt?: string;
  /** The price correction (POST …/price): a new total in kopecks, or a re-price by the tariff. */
  priceTotal?: number;
  reprice?: true;
}

interface RefundDue {
  amount: number;
  currency: string;
  policy: 'full' | 'partial' | 'none';
  state: 'pending';
}

/** 200: the booking in the member booking shape (`status` is the stored `state`) and the refund, if any. */
interface StaffActionAnswer {
  data: { documentId: string; status: BookingState; startAt: string; endAt: string };
  meta: { refund: RefundDue | null };
}

/** The content manager caches documents in the admin's RTK Query store under these tags. */
const documentCache = adminApi.enhanceEndpoints({ addTagTypes: ['Document'] });

/**
 * Runs one staff action on a booking: posts to the plugin's admin route, tells the user what happened and makes
 * the content manager fetch the booking again so the edit view shows the new state.
 */
export function useStaffAction(model: string, documentId: string) {
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const { formatMessage, formatNumber } = useIntl();
  const dispatch = useDispatch();
  const [pending, setPending] = useState<StaffActionKey | null>(null);

  const refreshEditView = useCallback(() => {
    dispatch(
      documentCache.util.invalidateTags([
        { type: 'Document', id: `${model}_${documentId}` },
        { type: 'Document', id: `${model}_LIST` },
      ]),
    );
  }, [dispatch, model, documentId]);

  const run = useCallback(
    async (action: StaffAction, body: StaffActionBody = {}): Promise<boolean> => {
      setPending(action.key);
      try {
        const { data: answer } = await post<StaffActionAnswer, StaffActionBody>(
          `/${PLUGIN_ID}/bookings/${documentId}/${action.path}`,
          body,
        );
        const refund = answer.meta?.refund;
        const refundText =
          refund && refund.amount > 0
            ? formatMessage(
                {
                  id: getTranslation('notification.refund'),
                  defaultMessage: 'A refund of {amount} is recorded and pending.',
                },
                { amount: formatNumber(refund.amount / 100, { style: 'currency', currency: refund.currency }) },
              )
            : '';
        toggleNotification({
          type: 'success',
          title: formatMessage(action.label),
          message: [
            formatMessage(
              { id: getTranslation('notification.success'), defaultMessage: 'Done. The booking is now {state}.' },
              { state: stateLabel(formatMessage, answer.data.status).toLowerCase() },
            ),
            refundText,
          ]
            .filter(Boolean)
            .join(' '),
        });
        refreshEditView();
        return true;
      } catch (error) {
        toggleNotification({
          type: 'danger',
          title: formatMessage(action.label),
          message:
            serverMessage(error) ??
            formatMessage({ id: getTranslation('notification.error'), defaultMessage: 'The action failed.' }),
        });
        // A refusal usually means the booking changed meanwhile (someone else acted, the clock moved on).
        if (isFetchError(error) && (error.status === 404 || error.status === 409)) refreshEditView();
        return false;
      } finally {
        setPending(null);
      }
    },
    [post, documentId, toggleNotification, formatMessage, formatNumber, refreshEditView],
  );

  return { run, pending };
}
