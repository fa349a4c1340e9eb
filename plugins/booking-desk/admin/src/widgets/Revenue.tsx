import { useIntl } from 'react-intl';
import { formatMoney } from './format';
import { Figure, HomeWidget, Rows, t } from './parts';

/** Money received less money returned, today and this month (the space's calendar), in rubles. */
export function RevenueWidget() {
  const { formatMessage, locale } = useIntl();
  return (
    <HomeWidget name="revenue" section="revenue">
      {(revenue) => (
        <>
          <Figure
            value={formatMoney(revenue.today.net, locale)}
            caption={formatMessage({ id: t('revenue.caption'), defaultMessage: 'today, payments less refunds' })}
          />
          <Rows
            empty=""
            rows={[
              {
                key: 'today',
                primary: formatMessage({ id: t('revenue.today'), defaultMessage: 'Today' }),
                secondary: formatMessage(
                  { id: t('revenue.breakdown'), defaultMessage: 'received {payments}, refunded {refunds}' },
                  { payments: formatMoney(revenue.today.payments, locale), refunds: formatMoney(revenue.today.refunds, locale) },
                ),
              },
              {
                key: 'month',
                primary: `${formatMessage({ id: t('revenue.month'), defaultMessage: 'This month' })}: ${formatMoney(revenue.month.net, locale)}`,
                secondary: formatMessage(
                  { id: t('revenue.breakdown'), defaultMessage: 'received {payments}, refunded {refunds}' },
                  { payments: formatMoney(revenue.month.payments, locale), refunds: formatMoney(revenue.month.refunds, locale) },
                ),
              },
            ]}
          />
        </>
      )}
    </HomeWidget>
  );
}

export default RevenueWidget;
