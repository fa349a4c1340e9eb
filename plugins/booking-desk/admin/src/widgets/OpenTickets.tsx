import { Badge } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { inbox, inboxTicket } from './links';
import { Figure, HomeWidget, Rows, t } from './parts';

const STATE_MESSAGES: Record<string, string> = { open: 'New', in_progress: 'In progress' };

/** Tickets not yet resolved: how many (new and in progress) and the most recently active ones. */
export function OpenTicketsWidget() {
  const { formatMessage } = useIntl();
  return (
    <HomeWidget name="open-tickets" section="openTickets">
      {(tickets) => (
        <>
          <Figure
            value={String(tickets.count)}
            href={inbox()}
            caption={formatMessage(
              { id: t('open-tickets.caption'), defaultMessage: '{open} new, {inProgress} in progress' },
              { open: tickets.byState.open ?? 0, inProgress: tickets.byState.in_progress ?? 0 },
            )}
          />
          <Rows
            empty={formatMessage({ id: t('open-tickets.empty'), defaultMessage: 'No open tickets' })}
            rows={tickets.next.map((ticket) => ({
              key: ticket.documentId,
              href: inboxTicket(ticket.documentId),
              primary: ticket.subject,
              secondary: ticket.member?.name,
              aside: (
                <Badge variant={ticket.state === 'open' ? 'warning' : 'secondary'}>
                  {formatMessage({ id: t(`open-tickets.state.${ticket.state}`), defaultMessage: STATE_MESSAGES[ticket.state] ?? ticket.state })}
                </Badge>
              ),
            }))}
          />
        </>
      )}
    </HomeWidget>
  );
}

export default OpenTicketsWidget;
