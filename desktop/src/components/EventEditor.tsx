import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, type Api, type NudgeEvent } from '../lib/api';
import { formatDay } from '../lib/dates';
import { alignStartToRule, draftForm, eventToForm, formToBody, toggleAllDay, type EventForm, type StartMove } from '../lib/eventForm';
import { PRESETS, checkCustomRule, type Preset } from '../lib/rrule';
import { FieldError, errorProps } from './common';
import { ReminderRows } from './ReminderRows';

export type EditorTarget =
  | { mode: 'new'; day?: string; draft?: Partial<NudgeEvent> & { title: string; start_time: string } }
  | { mode: 'edit'; id: number };

interface Props {
  api: Api;
  timezone: string;
  target: EditorTarget;
  onClose: () => void;
  /** After a save, done or delete; the message is announced. */
  onChanged: (message: string) => void;
}

/** Fields the form shows errors beside; anything else is listed at the top. */
const KNOWN_FIELDS = ['title', 'description', 'location', 'start_time', 'end_time', 'timezone', 'all_day', 'rrule', 'reminders'];

/** The note beside the start field after it was moved to match the recurrence. */
export function startMoveNote(m: StartMove): string {
  return `Moved from ${formatDay(m.from, undefined, 'short')} to ${formatDay(m.to, undefined, 'short')}, the first day it repeats on (a start on another day would add an extra occurrence).`;
}

/** The event editor, as a modal dialog (Esc closes it, focus stays inside). */
export function EventEditor({ api, timezone, target, onClose, onChanged }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [event, setEvent] = useState<NudgeEvent | null>(null);
  const [form, setForm] = useState<EventForm | null>(() => {
    if (target.mode === 'edit') return null;
    return target.draft ? eventToForm(target.draft, timezone) : draftForm(timezone, target.day);
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [startNote, setStartNote] = useState<string | null>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    if (target.mode !== 'edit') return;
    let live = true;
    api
      .getEvent(target.id)
      .then((ev) => {
        if (!live) return;
        setEvent(ev);
        setForm(eventToForm(ev, timezone));
      })
      .catch((e) => live && setGeneral(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [api, target, timezone]);

  const update = (patch: Partial<EventForm>) => setForm((f) => (f ? { ...f, ...patch } : f));

  /** Apply `patch`, then move the start to the first day the recurrence falls on. */
  function updateAligned(patch: Partial<EventForm> = {}) {
    if (!form) return;
    const { form: next, moved } = alignStartToRule({ ...form, ...patch });
    setForm(next);
    if (moved) setStartNote(startMoveNote(moved));
  }

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setGeneral(null);
    try {
      const message = await action();
      onChanged(message);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        setErrors(e.fields);
        const unplaced = Object.entries(e.fields).filter(([k]) => !KNOWN_FIELDS.includes(k.split('.')[0]));
        setGeneral(unplaced.length ? unplaced.map(([k, v]) => `${k}: ${v}`).join('; ') : 'Please fix the marked fields.');
      } else {
        setErrors({});
        setGeneral(errorMessage(e));
      }
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    if (form.preset === 'custom') {
      const problem = checkCustomRule(form.customRule);
      if (problem) {
        setErrors({ rrule: problem });
        return;
      }
    }
    setErrors({});
    const { form: aligned, moved } = alignStartToRule(form);
    if (moved) {
      setForm(aligned);
      setStartNote(startMoveNote(moved));
    }
    const body = formToBody(aligned);
    const note = moved ? ` It starts on ${formatDay(moved.to, undefined, 'short')}, the first day it repeats on.` : '';
    void run(async () => {
      if (target.mode === 'edit') {
        await api.updateEvent(target.id, body);
        return `Saved “${body.title}”.${note}`;
      }
      await api.createEvent(body);
      return `Added “${body.title}”.${note}`;
    });
  }

  const title = target.mode === 'edit' ? 'Edit event' : 'New event';
  const err = (f: string) => errors[f];
  const timed = !form?.allDay;

  return (
    <dialog
      ref={dialog}
      className="editor"
      aria-labelledby="editor-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={onSubmit} noValidate>
        <header className="editor-head">
          <h2 id="editor-title">{title}</h2>
          <button type="button" className="btn btn-ghost" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        {general && (
          <div className="banner banner-error" role="alert" id="editor-error">
            {general}
          </div>
        )}
        {!form ? (
          <p className="muted">{general ? '' : 'Loading…'}</p>
        ) : (
          <div className="editor-body">
            <div className="field">
              <label htmlFor="ev-title">Title</label>
              <input
                id="ev-title"
                name="title"
                autoFocus
                value={form.title}
                onChange={(e) => update({ title: e.target.value })}
                {...errorProps('ev-title', err('title'))}
              />
              <FieldError id="ev-title-error" message={err('title')} />
            </div>
            <div className="field-row">
              <label className="check">
                <input
                  type="checkbox"
                  name="all_day"
                  checked={form.allDay}
                  onChange={(e) => setForm((f) => (f ? toggleAllDay(f, e.target.checked) : f))}
                />{' '}
                All day
              </label>
            </div>
            <div className="field-row two">
              <div className="field">
                <label htmlFor="ev-start">Starts</label>
                <input
                  id="ev-start"
                  name="start"
                  type={timed ? 'datetime-local' : 'date'}
                  value={form.start}
                  onChange={(e) => {
                    setStartNote(null);
                    update({ start: e.target.value });
                  }}
                  onBlur={() => updateAligned()}
                  {...errorProps('ev-start', err('start_time'))}
                />
                <FieldError id="ev-start-error" message={err('start_time')} />
                {startNote && (
                  <p className="field-note" id="ev-start-note" role="status">
                    {startNote}
                  </p>
                )}
              </div>
              <div className="field">
                <label htmlFor="ev-end">Ends (optional)</label>
                <input
                  id="ev-end"
                  name="end"
                  type={timed ? 'datetime-local' : 'date'}
                  value={form.end}
                  onChange={(e) => update({ end: e.target.value })}
                  {...errorProps('ev-end', err('end_time'))}
                />
                <FieldError id="ev-end-error" message={err('end_time')} />
              </div>
            </div>
            <div className="field">
              <label htmlFor="ev-tz">Time zone</label>
              <input
                id="ev-tz"
                name="timezone"
                list="tz-list"
                value={form.timezone}
                onChange={(e) => update({ timezone: e.target.value })}
                {...errorProps('ev-tz', err('timezone'))}
              />
              <FieldError id="ev-tz-error" message={err('timezone')} />
            </div>
            <div className="field">
              <label htmlFor="ev-location">Location</label>
              <input
                id="ev-location"
                name="location"
                value={form.location}
                onChange={(e) => update({ location: e.target.value })}
                {...errorProps('ev-location', err('location'))}
              />
              <FieldError id="ev-location-error" message={err('location')} />
            </div>
            <div className="field">
              <label htmlFor="ev-description">Description</label>
              <textarea
                id="ev-description"
                name="description"
                rows={3}
                value={form.description}
                onChange={(e) => update({ description: e.target.value })}
                {...errorProps('ev-description', err('description'))}
              />
              <FieldError id="ev-description-error" message={err('description')} />
            </div>
            <div className="field">
              <label htmlFor="ev-repeat">Repeats</label>
              <select
                id="ev-repeat"
                name="repeat"
                value={form.preset}
                onChange={(e) => updateAligned({ preset: e.target.value as Preset })}
                {...errorProps('ev-repeat', form.preset === 'custom' ? undefined : err('rrule'))}
              >
                {PRESETS.map((p) => (
                  <option key={p.value} value={p.value}>
                    {p.label}
                  </option>
                ))}
              </select>
              {form.preset === 'custom' && (
                <input
                  id="ev-rrule"
                  name="rrule"
                  aria-label="Custom recurrence rule (RRULE)"
                  placeholder="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
                  value={form.customRule}
                  onChange={(e) => update({ customRule: e.target.value })}
                  onBlur={() => updateAligned()}
                  {...errorProps('ev-rrule', err('rrule'))}
                />
              )}
              <FieldError id={form.preset === 'custom' ? 'ev-rrule-error' : 'ev-repeat-error'} message={err('rrule')} />
            </div>
            <fieldset className="field">
              <legend>Reminders</legend>
              <label className="check">
                <input
                  type="radio"
                  name="reminder-mode"
                  checked={form.useDefaultReminders}
                  onChange={() => update({ useDefaultReminders: true })}
                />{' '}
                Use my default reminders
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="reminder-mode"
                  checked={!form.useDefaultReminders}
                  onChange={() => update({ useDefaultReminders: false })}
                />{' '}
                Custom reminders for this event
              </label>
              {!form.useDefaultReminders && (
                <ReminderRows
                  idPrefix="ev-rem"
                  field="reminders"
                  rows={form.reminders}
                  errors={errors}
                  onChange={(reminders) => update({ reminders })}
                />
              )}
              {form.useDefaultReminders && <FieldError id="ev-rem-error" message={err('reminders')} />}
            </fieldset>
          </div>
        )}
        <footer className="editor-foot">
          {target.mode === 'edit' && event && (
            <div className="editor-danger">
              {!event.is_completed && (
                <button
                  type="button"
                  className="btn"
                  disabled={busy}
                  onClick={() =>
                    run(async () => {
                      await api.markDone(event.id);
                      return `Marked “${event.title}” done.`;
                    })
                  }
                >
                  Mark done
                </button>
              )}
              {confirmDelete ? (
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={busy}
                  autoFocus
                  onClick={() =>
                    run(async () => {
                      await api.deleteEvent(event.id);
                      return `Deleted “${event.title}”.`;
                    })
                  }
                >
                  Really delete
                </button>
              ) : (
                <button type="button" className="btn btn-danger-outline" disabled={busy} onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              )}
            </div>
          )}
          <div className="editor-actions">
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || !form}>
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        </footer>
      </form>
    </dialog>
  );
}
