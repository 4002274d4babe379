/**
 * Form pieces for the Telephony settings, matching the Settings dialog's look: a setting row
 * that saves on blur / Enter, a write-only secret field, and an E.164 number adder.
 * They only take props.
 */
import { useId, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { SecretStatus } from '@shared/domain';
import { Button, Spinner } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { errorInWords } from '../../lib/format';
import { e164Problem, normalizePhone } from './phone';

export const inputClass =
  'focus-ring h-8 min-w-0 rounded-md border bg-slate-900 px-2.5 text-[12px] text-slate-200 placeholder:text-faint hover:border-slate-600 disabled:opacity-60';

export function SectionTitle({ children, hint }: { children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="mb-2.5">
      <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{children}</h3>
      {hint ? <p className="mt-0.5 text-[12px] text-faint">{hint}</p> : null}
    </div>
  );
}

export function Card({ children, className, ...rest }: { children: ReactNode; className?: string; 'data-testid'?: string }) {
  return (
    <div className={cn('divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40', className)} {...rest}>
      {children}
    </div>
  );
}

/** A row: label on the left, the control and its notes on the right. */
export function Row({ label, htmlFor, optional, children }: { label: string; htmlFor?: string; optional?: boolean; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9.5rem_minmax(0,1fr)] items-start gap-3 px-3 py-2.5">
      <label htmlFor={htmlFor} className="flex flex-col pt-1.5 text-[13px] leading-tight text-slate-300">
        {label}
        {optional ? <span className="mt-0.5 text-[11px] text-faint">Optional</span> : null}
      </label>
      <div className="flex min-w-0 flex-col gap-1">{children}</div>
    </div>
  );
}

export function FieldNote({ tone = 'muted', children, ...rest }: { tone?: 'muted' | 'error' | 'ok'; children: ReactNode; 'data-testid'?: string }) {
  return (
    <p
      role={tone === 'error' ? 'alert' : undefined}
      className={cn(
        'text-[11.5px] leading-snug',
        tone === 'muted' && 'text-faint',
        tone === 'error' && 'text-rose-300',
        tone === 'ok' && 'text-emerald-300/90',
      )}
      {...rest}
    >
      {children}
    </p>
  );
}

/**
 * A text setting that saves when it loses focus or on Enter, if it changed and is valid.
 * `validate` says what is wrong with the text (null when fine); `coreError` is the core's
 * refusal of the last save. Remount (key) it when the saved value changes.
 */
export function TextSetting({
  id,
  label,
  saved,
  placeholder,
  optional,
  mono = true,
  type = 'text',
  validate,
  onSave,
  busy,
  coreError,
  hint,
}: {
  id: string;
  label: string;
  saved: string;
  placeholder?: string;
  optional?: boolean;
  mono?: boolean;
  type?: 'text' | 'number' | 'url';
  validate: (text: string) => string | null;
  onSave: (text: string) => Promise<boolean>;
  busy: boolean;
  coreError: string | undefined;
  hint?: ReactNode;
}) {
  const [text, setText] = useState(saved);
  const [touched, setTouched] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const problem = validate(text.trim());
  const showProblem = touched && problem !== null;

  const commit = () => {
    setTouched(true);
    if (problem !== null || text.trim() === saved) return;
    void onSave(text.trim()).then(setJustSaved);
  };

  return (
    <Row label={label} htmlFor={id} optional={optional}>
      <span className="relative flex items-center">
        <input
          id={id}
          type={type}
          value={text}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={showProblem || Boolean(coreError) || undefined}
          onChange={(e) => {
            setText(e.target.value);
            setJustSaved(false);
          }}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              commit();
            }
          }}
          className={cn(
            inputClass,
            'w-full pr-16',
            mono && 'font-mono placeholder:font-sans',
            showProblem || coreError ? 'border-rose-500/50' : 'border-slate-700/80',
          )}
        />
        <span className="pointer-events-none absolute right-2.5 flex items-center text-[11px]">
          {busy ? <Spinner className="size-3 text-slate-400" /> : justSaved ? <span className="text-emerald-300/90">Saved</span> : null}
        </span>
      </span>
      {showProblem ? (
        <FieldNote tone="error">{problem}</FieldNote>
      ) : coreError ? (
        // The core's refusal can carry a network code: in words here, the original on hover.
        <FieldNote tone="error">
          <span title={errorInWords(coreError).detail ?? undefined}>{errorInWords(coreError).text}</span>
        </FieldNote>
      ) : null}
      {hint ? <FieldNote>{hint}</FieldNote> : null}
    </Row>
  );
}

function secretCopy(status: SecretStatus): { label: string; className: string } {
  if (!status.configured) return { label: 'Not set', className: 'bg-slate-800/70 text-slate-400 ring-slate-700' };
  if (status.source === 'environment') return { label: 'From environment', className: 'bg-sky-400/10 text-sky-200 ring-sky-400/25' };
  if (status.source === 'keychain') return { label: 'In system keychain', className: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/25' };
  return { label: 'Saved', className: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/25' };
}

/** A write-only secret: shows whether it is set, never its value. */
export function SecretSetting({
  label,
  placeholder,
  optional,
  status,
  envVar,
  busy,
  note,
  onSave,
  onClear,
}: {
  label: string;
  placeholder: string;
  optional?: boolean;
  status: SecretStatus;
  envVar: string;
  busy: boolean;
  note?: ReactNode;
  onSave: (value: string) => Promise<boolean>;
  onClear: () => void;
}) {
  const [value, setValue] = useState('');
  const id = useId();
  const copy = secretCopy(status);
  const canSave = status.editable && value.trim().length >= 8 && !busy;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave) return;
    void onSave(value.trim()).then((saved) => saved && setValue(''));
  };

  return (
    <Row label={label} htmlFor={id} optional={optional}>
      <div data-testid="twilio-secret" data-secret={status.name} className="flex min-w-0 flex-col gap-1">
        {status.editable ? (
          <form className="flex items-center gap-2" onSubmit={onSubmit} autoComplete="off">
            <input
              id={id}
              type="password"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={status.configured ? 'Paste a new value to replace it' : placeholder}
              autoComplete="new-password"
              spellCheck={false}
              maxLength={512}
              className={cn(inputClass, 'flex-1 border-slate-700/80 font-mono placeholder:font-sans')}
            />
            <Button type="submit" size="sm" variant="primary" disabled={!canSave} busy={busy}>
              Save
            </Button>
            <Button size="sm" variant="danger" disabled={!status.configured || busy} onClick={onClear}>
              Clear
            </Button>
          </form>
        ) : (
          <p className="pt-1.5 text-[12px] text-slate-400">
            Set by <code className="rounded bg-slate-800 px-1 py-px font-mono text-[11px] text-slate-300">{envVar}</code>; unset it to manage
            it here.
          </p>
        )}
        <span className="flex items-center gap-2">
          <span
            data-testid="secret-status"
            data-configured={status.configured}
            className={cn('inline-flex h-[18px] items-center rounded-full px-1.5 text-[10.5px] font-medium ring-1 ring-inset', copy.className)}
          >
            {copy.label}
          </span>
          {note ? <span className="text-[11.5px] text-faint">{note}</span> : null}
        </span>
      </div>
    </Row>
  );
}

/**
 * An input that adds E.164 numbers to a list, checked as you type (spaces, dashes and
 * brackets are dropped). Several numbers can be pasted at once, separated by commas or lines.
 */
export function NumberAdder({
  label,
  existing,
  busy,
  placeholder = '+14155550100',
  onAdd,
  testId,
}: {
  label: string;
  existing: readonly string[];
  busy: boolean;
  placeholder?: string;
  onAdd: (numbers: string[]) => Promise<boolean>;
  testId?: string;
}) {
  const [text, setText] = useState('');
  const [tried, setTried] = useState(false);
  const entries = text
    .split(/[,;\n]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const numbers = entries.map(normalizePhone);
  const bad = entries.find((t) => e164Problem(t) !== null);
  const problem = bad !== undefined ? (entries.length > 1 ? `${bad}: ` : '') + e164Problem(bad)! : null;
  const fresh = [...new Set(numbers)].filter((n) => !existing.includes(n));
  const duplicate = entries.length > 0 && problem === null && fresh.length === 0;
  const valid = entries.length > 0 && problem === null && !duplicate;

  const add = () => {
    setTried(true);
    if (!valid || busy) return;
    void onAdd(fresh).then((ok) => {
      if (ok) {
        setText('');
        setTried(false);
      }
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  };

  return (
    <div className="flex min-w-0 flex-col gap-1" data-testid={testId}>
      <div className="flex items-center gap-2">
        <input
          aria-label={label}
          value={text}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          inputMode="tel"
          aria-invalid={(entries.length > 0 && problem !== null) || undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          className={cn(
            inputClass,
            'flex-1 font-mono placeholder:font-sans',
            entries.length > 0 && problem !== null ? 'border-rose-500/50' : valid ? 'border-emerald-500/40' : 'border-slate-700/80',
          )}
        />
        <Button size="sm" onClick={add} disabled={!valid || busy} busy={busy}>
          Add
        </Button>
      </div>
      {entries.length > 0 && problem !== null ? (
        <FieldNote tone={tried ? 'error' : 'muted'} data-testid="number-problem">
          <span className={tried ? undefined : 'text-rose-300/80'}>{problem}</span>
        </FieldNote>
      ) : duplicate ? (
        <FieldNote>Already on the list.</FieldNote>
      ) : null}
    </div>
  );
}

/** A removable number chip. */
export function NumberChip({ number, label, onRemove, disabled }: { number: string; label: string; onRemove: () => void; disabled?: boolean }) {
  return (
    <span
      data-testid="number-chip"
      data-number={number}
      className="inline-flex h-6 items-center gap-1 rounded-full border border-slate-700/80 bg-slate-800/70 pr-0.5 pl-2.5 font-mono text-[11.5px] text-slate-200 tabular-nums"
    >
      {label}
      <button
        type="button"
        aria-label={`Remove ${number}`}
        disabled={disabled}
        onClick={onRemove}
        className="focus-ring flex size-5 items-center justify-center rounded-full text-faint hover:bg-slate-700 hover:text-slate-200 disabled:opacity-50"
      >
        <svg viewBox="0 0 16 16" className="size-3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" aria-hidden>
          <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />
        </svg>
      </button>
    </span>
  );
}
