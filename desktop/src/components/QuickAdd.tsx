import { forwardRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, type Api, type ParseResult } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { FieldError, errorProps } from './common';

interface Props {
  api: Api;
  timezone: string;
  onSaved: (message: string) => void;
  onEdit: (draft: ParseResult) => void;
}

/** One line of natural language → a preview from POST /parse → save or open in the editor. */
export const QuickAdd = forwardRef<HTMLInputElement, Props>(function QuickAdd({ api, timezone, onSaved, onEdit }, ref) {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<ParseResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    setPreview(null);
    try {
      setPreview(await api.parse(text.trim()));
    } catch (err) {
      setError(err instanceof ApiError && err.fields.text ? err.fields.text : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const ev = await api.createEvent({
        title: preview.title,
        start_time: preview.start_time,
        end_time: preview.end_time ?? null,
        timezone: preview.timezone,
        all_day: preview.all_day,
      });
      setPreview(null);
      setText('');
      onSaved(`Added “${ev.title}”.`);
    } catch (err) {
      setError(
        err instanceof ApiError && Object.keys(err.fields).length
          ? Object.entries(err.fields)
              .map(([k, v]) => `${k}: ${v}`)
              .join('; ')
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="quick-add">
      <form onSubmit={onSubmit} role="search" aria-label="Quick add">
        <label htmlFor="quick-add" className="visually-hidden">
          Quick add
        </label>
        <input
          id="quick-add"
          ref={ref}
          placeholder="Quick add: “dentist tomorrow 15:00”, “завтра в 9 созвон”"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setPreview(null);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setPreview(null);
              setError(null);
            }
          }}
          autoComplete="off"
          {...errorProps('quick-add', error ?? undefined)}
        />
        <button type="submit" className="btn" disabled={busy || !text.trim()}>
          Preview
        </button>
      </form>
      <FieldError id="quick-add-error" message={error ?? undefined} />
      {preview && (
        <div className="quick-preview" role="region" aria-label="Quick add preview">
          <div>
            <strong className="quick-title">{preview.title}</strong>
            <span className="muted">
              {' '}
              · {formatDateTime(preview.start_time, timezone)}
              {preview.all_day ? ' · all day' : ''}
              {preview.timezone && preview.timezone !== timezone ? ` (${preview.timezone})` : ''}
            </span>
          </div>
          <div className="quick-actions">
            <button type="button" className="btn btn-primary btn-small" onClick={save} disabled={busy} autoFocus>
              Save
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                onEdit(preview);
                setPreview(null);
                setText('');
              }}
            >
              Edit details…
            </button>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setPreview(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  );
});
