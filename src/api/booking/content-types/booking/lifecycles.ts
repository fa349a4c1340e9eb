/**
 * Keeps the booking's staff title (`label`, ../../services/label.ts) in step with its number, member and start:
 * on every create, and on every update that touches the member or the start (a reschedule, a content-manager
 * edit). These run inside the caller's transaction, so the label commits or rolls back with the change itself.
 */
import type { BookingLabelService } from '../../services/label';

interface LifecycleEvent {
  params: { data?: Record<string, unknown> };
  result?: { id?: number } | null;
}

const labels = () => strapi.service('api::booking.label') as unknown as BookingLabelService;

const touchesLabel = (data: Record<string, unknown> | undefined) => !!data && ('member' in data || 'startAt' in data);

export default {
  async afterCreate(event: LifecycleEvent) {
    if (event.result?.id) await labels().refresh(event.result.id);
  },
  async afterUpdate(event: LifecycleEvent) {
    if (event.result?.id && touchesLabel(event.params.data)) await labels().refresh(event.result.id);
  },
};
