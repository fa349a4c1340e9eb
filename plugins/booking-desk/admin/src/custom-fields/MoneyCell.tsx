import { Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { formatMoney, isKopecks } from './money-format';

/** A money amount in a content-manager list cell: 70000 → "700,00 ₽" (ru) / "RUB 700.00" (en); "-" when empty. */
export function MoneyCell({ value }: { value: unknown }) {
  const { locale } = useIntl();
  return (
    <Typography textColor="neutral800" style={{ whiteSpace: 'nowrap' }}>
      {isKopecks(value) ? formatMoney(value, locale) : '-'}
    </Typography>
  );
}
