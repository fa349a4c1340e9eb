import { Typography } from '@strapi/design-system';

// A native select: the browser tests pick values with Playwright's selectOption, and it stays keyboard-friendly.
const selectStyle = { padding: '0.5rem', borderRadius: 4, border: '1px solid #dcdce4', minWidth: '12rem', background: 'inherit', color: 'inherit' };

export interface SelectOption {
  value: string;
  label: string;
}

/** A labelled select of the inbox's filters and ticket controls. */
export const LabelledSelect = ({
  label,
  testId,
  value,
  options,
  disabled,
  onChange,
}: {
  label: string;
  testId: string;
  value: string;
  options: SelectOption[];
  disabled?: boolean;
  onChange: (value: string) => void;
}) => (
  <label>
    <Typography variant="pi" fontWeight="bold" display="block">
      {label}
    </Typography>
    <select style={selectStyle} data-testid={testId} value={value} disabled={disabled} onChange={(event) => onChange(event.target.value)}>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  </label>
);
