import { Typography } from '@strapi/design-system';

// A native select, as the booking desk's: Playwright picks values with selectOption, and it stays keyboard-friendly.
const selectStyle = { padding: '0.5rem', borderRadius: 4, border: '1px solid #dcdce4', minWidth: '12rem', background: 'inherit', color: 'inherit' };

export interface SelectOption {
  value: string;
  label: string;
  disabled?: boolean;
}

export const LabelledSelect = ({
  label,
  testId,
  value,
  options,
  disabled,
  multiple,
  onChange,
}: {
  label: string;
  testId: string;
  value: string;
  options: SelectOption[];
  disabled?: boolean;
  multiple?: false;
  onChange: (value: string) => void;
}) => (
  <label>
    <Typography variant="pi" fontWeight="bold" display="block">
      {label}
    </Typography>
    <select style={selectStyle} data-testid={testId} value={value} disabled={disabled} multiple={multiple} onChange={(event) => onChange(event.target.value)}>
      {options.map((option) => (
        <option key={option.value} value={option.value} disabled={option.disabled}>
          {option.label}
        </option>
      ))}
    </select>
  </label>
);

/** A labelled native multi-select (tariffs). */
export const LabelledMultiSelect = ({
  label,
  testId,
  values,
  options,
  disabled,
  onChange,
}: {
  label: string;
  testId: string;
  values: string[];
  options: SelectOption[];
  disabled?: boolean;
  onChange: (values: string[]) => void;
}) => (
  <label>
    <Typography variant="pi" fontWeight="bold" display="block">
      {label}
    </Typography>
    <select
      style={{ ...selectStyle, minHeight: '6rem' }}
      data-testid={testId}
      multiple
      value={values}
      disabled={disabled}
      onChange={(event) => onChange(Array.from(event.target.selectedOptions).map((option) => option.value))}
    >
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  </label>
);

/** A native checkbox with its label (and an optional explanation under it). */
export const LabelledCheckbox = ({
  label,
  hint,
  testId,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  hint?: string | null;
  testId: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) => (
  <label style={{ display: 'flex', gap: '0.5rem', alignItems: 'flex-start', cursor: disabled ? 'not-allowed' : 'pointer' }}>
    <input type="checkbox" data-testid={testId} checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} style={{ marginTop: '0.2rem' }} />
    <span>
      <Typography textColor={disabled ? 'neutral500' : undefined}>{label}</Typography>
      {hint && (
        <Typography variant="pi" textColor="neutral600" display="block">
          {hint}
        </Typography>
      )}
    </span>
  </label>
);
