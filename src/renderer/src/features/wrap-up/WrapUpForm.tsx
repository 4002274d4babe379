/**
 * The wrap-up form: the proposed summary in sections (editable), the disposition (the
 * proposal preselected), notes, a running wrap-up timer, Save. Errors are shown where they
 * happened, in plain words, and nothing typed is lost.
 */
import { useId, useState, type ReactNode } from 'react';
import { dispositionLabel, MAX_NOTES_CHARS, type Resolution, type WrapUp, type WrapUpSaveInput } from '@shared/wrapup';
import { Button, Spinner } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { formatDuration } from '../../lib/format';
import { useNow } from '../calls/useNow';

const RESOLUTIONS: { value: Resolution; label: string; tone: string }[] = [
  { value: 'yes', label: 'Yes', tone: 'data-[on=true]:border-emerald-400/50 data-[on=true]:bg-emerald-400/15 data-[on=true]:text-emerald-100' },
  { value: 'partial', label: 'Partly', tone: 'data-[on=true]:border-amber-400/50 data-[on=true]:bg-amber-400/15 data-[on=true]:text-amber-100' },
  { value: 'no', label: 'No', tone: 'data-[on=true]:border-rose-400/50 data-[on=true]:bg-rose-400/15 data-[on=true]:text-rose-100' },
];

export const RESOLUTION_LABEL: Record<Resolution, string> = { yes: 'problem solved', partial: 'partly solved', no: 'not solved' };

const areaClass =
  'focus-ring w-full resize-y rounded-md border border-slate-700/80 bg-slate-900 px-2.5 py-1.5 text-[12.5px] leading-relaxed text-slate-100 placeholder:text-faint hover:border-slate-600';

function Field({ label, children, hint }: { label: string; children: (id: string) => ReactNode; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-[11.5px] font-medium text-slate-400">
          {label}
        </label>
        {hint}
      </div>
      {children(id)}
    </div>
  );
}

/** The running wrap-up clock, or the time it took once saved. */
export function WrapUpTimer({ wrapUp }: { wrapUp: WrapUp }) {
  const running = wrapUp.savedAt === null;
  const now = useNow(1000, running);
  const ms = running ? Math.max(0, now - wrapUp.startedAt) : (wrapUp.wrapUpMs ?? 0);
  return (
    <span
      className={cn('font-mono text-[12px] tabular-nums', running ? 'text-amber-200' : 'text-slate-400')}
      data-testid="wrap-up-timer"
      title={running ? 'Time spent on this wrap-up so far' : 'Time the wrap-up took'}
    >
      {running ? '' : 'took '}
      {formatDuration(ms)}
    </span>
  );
}

export function WrapUpForm({
  wrapUp,
  dispositions,
  saving,
  saveError,
  onSave,
  onLater,
}: {
  wrapUp: WrapUp;
  dispositions: string[];
  saving: boolean;
  saveError: string | null;
  onSave: (input: Omit<WrapUpSaveInput, 'callId'>) => void;
  onLater: (() => void) | null;
}) {
  const [reason, setReason] = useState(wrapUp.summary.reason);
  const [actions, setActions] = useState(wrapUp.summary.actions);
  const [resolution, setResolution] = useState<Resolution>(wrapUp.summary.resolution);
  const [followUps, setFollowUps] = useState(wrapUp.summary.followUps.join('\n'));
  const [disposition, setDisposition] = useState(wrapUp.disposition ?? wrapUp.proposedDisposition ?? '');
  const [notes, setNotes] = useState(wrapUp.notes);
  const [missing, setMissing] = useState(false);
  // A fresher proposal (the call ended while the form was open) replaces what the agent has
  // not touched yet; once they type, their words stay.
  const [touched, setTouched] = useState(false);
  const [basis, setBasis] = useState(wrapUp);
  if (basis !== wrapUp && !touched) {
    setBasis(wrapUp);
    setReason(wrapUp.summary.reason);
    setActions(wrapUp.summary.actions);
    setResolution(wrapUp.summary.resolution);
    setFollowUps(wrapUp.summary.followUps.join('\n'));
    setDisposition(wrapUp.disposition ?? wrapUp.proposedDisposition ?? '');
    setNotes(wrapUp.notes);
  }

  const tooLong = notes.length > MAX_NOTES_CHARS;
  const submit = () => {
    if (!disposition) {
      setMissing(true);
      return;
    }
    onSave({
      disposition,
      notes,
      summary: {
        reason,
        actions,
        resolution,
        followUps: followUps
          .split('\n')
          .map((f) => f.trim())
          .filter((f) => f !== '')
          .slice(0, 10),
      },
    });
  };
  const listed = disposition === '' || dispositions.includes(disposition) ? dispositions : [disposition, ...dispositions];

  return (
    <form
      className="@container flex flex-col gap-3"
      onChange={() => setTouched(true)}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="Wrap-up"
    >
      {wrapUp.notice ? (
        <p className="rounded-md border border-amber-400/25 bg-amber-400/10 px-2.5 py-1.5 text-[12px] text-amber-100" data-testid="wrap-up-notice">
          {wrapUp.notice}
        </p>
      ) : null}
      <div className="grid gap-3 @2xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="flex min-w-0 flex-col gap-3">
          <Field label="Reason for the call">
            {(id) => <textarea id={id} rows={2} className={areaClass} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="wrap-up-reason" />}
          </Field>
          <Field label="What was done">
            {(id) => <textarea id={id} rows={3} className={areaClass} value={actions} maxLength={2000} onChange={(e) => setActions(e.target.value)} data-testid="wrap-up-actions" />}
          </Field>
          <Field label="Follow-ups" hint={<span className="text-[11px] text-faint">one per line</span>}>
            {(id) => (
              <textarea
                id={id}
                rows={2}
                className={areaClass}
                value={followUps}
                placeholder="Nothing to follow up"
                onChange={(e) => setFollowUps(e.target.value)}
                data-testid="wrap-up-followups"
              />
            )}
          </Field>
        </div>
        <div className="flex min-w-0 flex-col gap-3">
          <fieldset className="flex flex-col gap-1">
            <legend className="mb-1 text-[11.5px] font-medium text-slate-400">Resolved?</legend>
            <div className="grid grid-cols-3 gap-1.5" role="radiogroup" aria-label="Resolved?">
              {RESOLUTIONS.map((r) => (
                <button
                  key={r.value}
                  type="button"
                  role="radio"
                  aria-checked={resolution === r.value}
                  data-on={resolution === r.value}
                  onClick={() => {
                    setResolution(r.value);
                    setTouched(true);
                  }}
                  className={cn(
                    'focus-ring h-7 rounded-md border border-slate-700/80 bg-slate-900 text-[12px] text-slate-300 hover:border-slate-600',
                    r.tone,
                  )}
                  data-testid={`wrap-up-resolution-${r.value}`}
                >
                  {r.label}
                </button>
              ))}
            </div>
          </fieldset>
          <Field
            label="Disposition"
            hint={
              wrapUp.proposedDisposition ? (
                <span className="truncate text-[11px] text-faint" data-testid="wrap-up-proposed">
                  proposed: {dispositionLabel(wrapUp.proposedDisposition)}
                </span>
              ) : null
            }
          >
            {(id) => (
              <select
                id={id}
                value={disposition}
                onChange={(e) => {
                  setDisposition(e.target.value);
                  setMissing(false);
                }}
                aria-invalid={missing || undefined}
                className="focus-ring h-8 w-full rounded-md border border-slate-700/80 bg-slate-900 px-2 text-[12.5px] text-slate-100 hover:border-slate-600 aria-[invalid=true]:border-rose-400/70"
                data-testid="wrap-up-disposition"
              >
                <option value="" disabled>
                  Choose…
                </option>
                {listed.map((d) => (
                  <option key={d} value={d}>
                    {dispositionLabel(d)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Notes"
            hint={
              <span className={cn('text-[11px] tabular-nums', tooLong ? 'text-rose-300' : 'text-faint')} data-testid="wrap-up-notes-count">
                {notes.length}/{MAX_NOTES_CHARS}
              </span>
            }
          >
            {(id) => (
              <textarea
                id={id}
                rows={3}
                className={areaClass}
                value={notes}
                placeholder="Anything the next person should know"
                aria-invalid={tooLong || undefined}
                onChange={(e) => setNotes(e.target.value)}
                data-testid="wrap-up-notes"
              />
            )}
          </Field>
        </div>
      </div>
      <div className="sticky bottom-0 -mx-1 flex flex-wrap items-center gap-2 border-t border-slate-800/80 bg-slate-950 px-1 pt-2 pb-1">
        {missing ? (
          <p role="alert" className="text-[12px] text-rose-300" data-testid="wrap-up-error">
            Choose a disposition first.
          </p>
        ) : tooLong ? (
          <p role="alert" className="text-[12px] text-rose-300" data-testid="wrap-up-error">
            Notes can be at most {MAX_NOTES_CHARS} characters.
          </p>
        ) : saveError ? (
          <p role="alert" className="min-w-0 text-[12px] text-rose-300" data-testid="wrap-up-error">
            Not saved: {saveError}
          </p>
        ) : null}
        <div className="ml-auto flex items-center gap-2">
          {onLater ? (
            <Button variant="ghost" size="sm" onClick={onLater} data-testid="wrap-up-later">
              Later
            </Button>
          ) : null}
          <Button type="submit" variant="primary" size="sm" busy={saving} disabled={saving || tooLong} data-testid="wrap-up-save">
            {wrapUp.savedAt === null ? 'Save wrap-up' : 'Save changes'}
          </Button>
        </div>
      </div>
    </form>
  );
}

/** A saved wrap-up, read-only: the disposition, how it went, the summary, notes. */
export function SavedWrapUp({ wrapUp, compact = false }: { wrapUp: WrapUp; compact?: boolean }) {
  const { summary } = wrapUp;
  return (
    <div className="flex flex-col gap-2 text-[12.5px]" data-testid="wrap-up-saved">
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="rounded bg-indigo-400/15 px-1.5 py-0.5 text-[12px] font-medium text-indigo-100" data-testid="wrap-up-saved-disposition">
          {dispositionLabel(wrapUp.disposition ?? '')}
        </span>
        <span
          className={cn(
            summary.resolution === 'yes' ? 'text-emerald-200' : summary.resolution === 'partial' ? 'text-amber-200' : 'text-rose-200',
          )}
        >
          {RESOLUTION_LABEL[summary.resolution]}
        </span>
        <span className="text-faint">·</span>
        <WrapUpTimer wrapUp={wrapUp} />
        <span className="text-faint">· {wrapUp.source === 'gemini' ? 'summary by Gemini' : 'offline summary'}</span>
      </p>
      {compact ? null : (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1.5">
          <dt className="text-slate-400">Reason</dt>
          <dd className="text-slate-200">{summary.reason || '—'}</dd>
          <dt className="text-slate-400">Done</dt>
          <dd className="text-slate-200">{summary.actions || '—'}</dd>
          {summary.followUps.length > 0 ? (
            <>
              <dt className="text-slate-400">Follow-ups</dt>
              <dd>
                <ul className="list-disc pl-4 text-slate-200">
                  {summary.followUps.map((f, i) => (
                    <li key={i}>{f}</li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          {wrapUp.notes ? (
            <>
              <dt className="text-slate-400">Notes</dt>
              <dd className="whitespace-pre-wrap text-slate-200" data-testid="wrap-up-saved-notes">
                {wrapUp.notes}
              </dd>
            </>
          ) : null}
        </dl>
      )}
    </div>
  );
}

export function WrapUpLoading() {
  return (
    <p className="flex items-center gap-2 py-2 text-[12px] text-slate-400">
      <Spinner /> Writing the summary…
    </p>
  );
}
