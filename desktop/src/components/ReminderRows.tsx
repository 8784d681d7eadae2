import type { ReminderRow, Unit } from '../lib/eventForm';
import { newReminderRow } from '../lib/eventForm';
import { FieldError, errorProps } from './common';

interface Props {
  idPrefix: string;
  rows: ReminderRow[];
  onChange: (rows: ReminderRow[]) => void;
  /** API field errors, keyed as the API names them ("reminders.0.offset_minutes"). */
  errors: Record<string, string>;
  /** API field prefix of the list ("reminders" or "default_reminders"). */
  field: string;
}

/** Editable list of reminders: how long before the start, and on which channels. */
export function ReminderRows({ idPrefix, rows, onChange, errors, field }: Props) {
  const set = (i: number, patch: Partial<ReminderRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const rowError = (i: number) =>
    Object.entries(errors)
      .filter(([k]) => k === `${field}.${i}` || k.startsWith(`${field}.${i}.`))
      .map(([, v]) => v)
      .join('; ');
  return (
    <div className="reminder-rows">
      {rows.length === 0 && <p className="muted">No reminders.</p>}
      {rows.map((row, i) => {
        const id = `${idPrefix}-${i}`;
        const err = rowError(i);
        return (
          <div key={i} className="reminder-row" data-row={i}>
            <input
              id={`${id}-amount`}
              type="number"
              min={0}
              inputMode="numeric"
              aria-label={`Reminder ${i + 1}: how long before`}
              value={row.amount}
              onChange={(e) => set(i, { amount: e.target.value })}
              {...errorProps(id, err)}
            />
            <select aria-label={`Reminder ${i + 1}: unit`} value={row.unit} onChange={(e) => set(i, { unit: e.target.value as Unit })}>
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
            <span className="muted">before, on</span>
            <label className="check">
              <input type="checkbox" checked={row.desktop} onChange={(e) => set(i, { desktop: e.target.checked })} /> desktop
            </label>
            <label className="check">
              <input type="checkbox" checked={row.telegram} onChange={(e) => set(i, { telegram: e.target.checked })} /> Telegram
            </label>
            <button
              type="button"
              className="btn btn-small btn-ghost"
              aria-label={`Remove reminder ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ✕
            </button>
            <FieldError id={`${id}-error`} message={err} />
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newReminderRow()])}>
        + Add reminder
      </button>
      <FieldError id={`${idPrefix}-list-error`} message={errors[field]} />
    </div>
  );
}
