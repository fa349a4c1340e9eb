import * as React from 'react';
import { Field, TextInput, Typography } from '@strapi/design-system';
import { useField } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { formatMoney, formatRubles, isKopecks, parseRubles, type MoneyParseError } from './money-format';

/**
 * The money field's input: shows and accepts rubles ("700,00" in ru, "700.00" in en), keeps integer kopecks
 * in the form. While the text does not read as an amount, the form holds the text itself, so the content
 * manager's own integer validation refuses to save it, and the field explains why.
 */

/** What the content manager's InputRenderer passes to a custom field's Input (the parts we use). */
export interface MoneyInputProps {
  name: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  labelAction?: React.ReactNode;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  attribute?: { min?: number | string; max?: number | string };
}

type LocalError = MoneyParseError | 'negative' | 'belowMin' | 'aboveMax';

const ERROR_MESSAGES: Record<LocalError, { id: string; defaultMessage: string }> = {
  invalid: {
    id: 'booking-desk.money.error.invalid',
    defaultMessage: 'Enter an amount in rubles, e.g. 700 or 700.50',
  },
  tooManyDecimals: {
    id: 'booking-desk.money.error.tooManyDecimals',
    defaultMessage: 'At most two digits after the decimal point (kopecks)',
  },
  tooLarge: {
    id: 'booking-desk.money.error.tooLarge',
    defaultMessage: 'The amount is too large',
  },
  negative: {
    id: 'booking-desk.money.error.negative',
    defaultMessage: 'The amount cannot be negative',
  },
  belowMin: {
    id: 'booking-desk.money.error.belowMin',
    defaultMessage: 'At least {min}',
  },
  aboveMax: {
    id: 'booking-desk.money.error.aboveMax',
    defaultMessage: 'At most {max}',
  },
};

const textOf = (value: unknown, locale: string) => (isKopecks(value) ? formatRubles(value, locale) : '');

const limitOf = (value: number | string | undefined) =>
  value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);

/**
 * The content manager writes the attribute's min / max into the hint ("min. 0 / max. 100000000", then a line
 * break and the field's description): as raw kopecks. This writes the same hint with the limits in rubles,
 * keeping the description after the break. Any other shape of hint is left as it came.
 */
function useRublesHint(hint: React.ReactNode, attribute: MoneyInputProps['attribute']): React.ReactNode {
  const { formatMessage, locale } = useIntl();
  const minimum = limitOf(attribute?.min);
  const maximum = limitOf(attribute?.max);
  if ((minimum === undefined && maximum === undefined) || !Array.isArray(hint)) return hint;
  const lineBreak = hint.findIndex((part) => React.isValidElement(part) && part.type === 'br');
  if (lineBreak === -1) return hint;
  return formatMessage(
    {
      id: 'content-manager.form.Input.hint.text',
      defaultMessage:
        '{min, select, undefined {} other {min. {min}}}{divider}{max, select, undefined {} other {max. {max}}}{unit}{br}{description}',
    },
    {
      min: minimum === undefined ? undefined : formatMoney(minimum, locale),
      max: maximum === undefined ? undefined : formatMoney(maximum, locale),
      unit: null,
      divider:
        minimum !== undefined && maximum !== undefined
          ? formatMessage({ id: 'content-manager.form.Input.hint.minMaxDivider', defaultMessage: ' / ' })
          : null,
      br: <br />,
      description: hint.slice(lineBreak + 1),
    },
  );
}

const MoneyInputImpl = React.forwardRef<HTMLInputElement, MoneyInputProps>(
  ({ name, label, hint, labelAction, required, disabled, placeholder, attribute }, ref) => {
    const { formatMessage, locale } = useIntl();
    const field = useField<number | string | null>(name);
    const rublesHint = useRublesHint(hint, attribute);
    const [text, setText] = React.useState(() => textOf(field.value, locale));
    const [localError, setLocalError] = React.useState<LocalError | null>(null);
    // The value this input last put into the form: anything else came from outside (load, discard, another tab).
    const emitted = React.useRef<unknown>(field.value);

    React.useEffect(() => {
      if (field.value !== emitted.current) {
        emitted.current = field.value;
        setText(textOf(field.value, locale));
        setLocalError(null);
      }
    }, [field.value, locale]);

    const emit = (value: number | string | null) => {
      emitted.current = value;
      field.onChange(name, value);
    };

    const minimum = limitOf(attribute?.min);
    const maximum = limitOf(attribute?.max);

    const handleChange = (event: React.ChangeEvent<HTMLInputElement>) => {
      const next = event.target.value;
      setText(next);
      const parsed = parseRubles(next, locale);
      if (!parsed.ok) {
        // The form holds the text: the content manager's integer validation will not let it be saved.
        setLocalError(parsed.error);
        emit(next);
        return;
      }
      const { kopecks } = parsed;
      // The limits are checked here too, so the message names them in rubles rather than in kopecks.
      if (kopecks !== null && minimum !== undefined && kopecks < minimum) setLocalError(kopecks < 0 && minimum >= 0 ? 'negative' : 'belowMin');
      else if (kopecks !== null && maximum !== undefined && kopecks > maximum) setLocalError('aboveMax');
      else setLocalError(null);
      emit(kopecks);
    };

    // Once the person leaves the field, a readable amount is shown the way the admin writes it ("700,00").
    const handleBlur = () => {
      if (localError === null && isKopecks(emitted.current)) setText(formatRubles(emitted.current, locale));
    };

    const error = localError
      ? formatMessage(ERROR_MESSAGES[localError], {
          min: minimum === undefined ? '' : formatMoney(minimum, locale),
          max: maximum === undefined ? '' : formatMoney(maximum, locale),
        })
      : field.error;

    return (
      <Field.Root name={name} error={error} hint={rublesHint} required={required}>
        <Field.Label action={labelAction}>{label}</Field.Label>
        <TextInput
          ref={ref}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={text}
          onChange={handleChange}
          onBlur={handleBlur}
          disabled={disabled}
          readOnly={disabled}
          placeholder={placeholder ?? formatRubles(0, locale)}
          endAction={
            <Typography variant="omega" textColor="neutral600" aria-hidden>
              ₽
            </Typography>
          }
        />
        <Field.Hint />
        <Field.Error />
      </Field.Root>
    );
  },
);

export const MoneyInput = React.memo(MoneyInputImpl);

export default MoneyInput;
