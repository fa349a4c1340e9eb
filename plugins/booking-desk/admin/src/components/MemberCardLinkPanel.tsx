import { useIntl } from 'react-intl';
import { Link as RouterLink } from 'react-router-dom';
import { LinkButton } from '@strapi/design-system';
import type { PanelComponent } from '@strapi/content-manager/strapi-admin';
import { useAuth } from '@strapi/strapi/admin';
import { getTranslation, PLUGIN_ID } from '../pluginId';

export const MEMBER_UID = 'plugin::users-permissions.user';

/**
 * A side panel on a member's edit view in the content manager: "Open the member card" (the booking desk's card
 * with bookings, money, tickets, notes and the ban / message actions). Shown to staff who may read member cards.
 */
export const MemberCardLinkPanel: PanelComponent = ({ model, documentId }) => {
  const { formatMessage } = useIntl();
  const permissions = useAuth('MemberCardLinkPanel', (state) => state.permissions);
  if (model !== MEMBER_UID || !documentId) return null;
  if (!permissions.some((permission) => permission.action === `plugin::${PLUGIN_ID}.members.read`)) return null;
  return {
    title: formatMessage({ id: getTranslation('members.panel.title'), defaultMessage: 'Member card' }),
    content: (
      <LinkButton tag={RouterLink} to={`/plugins/${PLUGIN_ID}/members/${documentId}`} variant="secondary" fullWidth data-testid="member-card-link">
        {formatMessage({ id: getTranslation('members.panel.open'), defaultMessage: 'Open the member card' })}
      </LinkButton>
    ),
  };
};
