/** Form pieces the profile editor and the knowledge-base editor share. They only take props. */
import type { ReactNode } from 'react';
import { FieldError } from '../../components/ui/fields';
import { cn } from '../../lib/cn';

export const textareaClass =
  'focus-ring w-full resize-y rounded-md border border-slate-700/80 bg-slate-900 px-2.5 py-2 text-[12.5px] leading-relaxed text-slate-200 placeholder:text-faint hover:border-slate-600 disabled:opacity-60 aria-[invalid=true]:border-rose-400/70';

export const labelClass = 'text-[12px] font-medium text-slate-300';

/** A labelled control with its problem (announced) or hint under it, and an optional count. */
export function Field({
  id,
  label,
  optional,
  problem,
  hint,
  count,
  children,
}: {
  id: string;
  label: ReactNode;
  optional?: boolean;
  problem?: string | undefined;
  hint?: ReactNode;
  /** Characters used and allowed, shown at the label's end. */
  count?: { used: number; max: number };
  children: ReactNode;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <div className="flex items-baseline gap-2">
        <label htmlFor={id} className={labelClass}>
          {label}
        </label>
        {optional ? <span className="text-[11px] text-faint">Optional</span> : null}
        {count ? (
          <span className={cn('ml-auto text-[11px] tabular-nums', count.used > count.max ? 'text-rose-300' : 'text-faint')} aria-hidden>
            {count.used.toLocaleString('en')} / {count.max.toLocaleString('en')}
          </span>
        ) : null}
      </div>
      {children}
      {problem ? (
        <FieldError id={`${id}-problem`} testId="field-problem">
          {problem}
        </FieldError>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-[11.5px] leading-snug text-faint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** aria props tying a control to its Field's problem or hint. */
export function describedBy(id: string, problem: string | undefined, hasHint: boolean) {
  return {
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': problem ? `${id}-problem` : hasHint ? `${id}-hint` : undefined,
  } as const;
}

export function Group({ title, hint, children, testId }: { title: string; hint?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section aria-label={title} className="flex flex-col gap-3" data-testid={testId}>
      <div>
        <h4 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{title}</h4>
        {hint ? <p className="mt-0.5 text-[12px] text-faint">{hint}</p> : null}
      </div>
      {children}
    </section>
  );
}

/** A notice in a tinted box: what a change does, or a refusal (role alert). */
export function Notice({
  tone,
  children,
  testId,
  role = tone === 'error' ? 'alert' : undefined,
}: {
  tone: 'info' | 'error' | 'ok';
  children: ReactNode;
  testId?: string;
  /** Announce it: 'alert' (the default for errors) or 'status'. */
  role?: 'alert' | 'status' | undefined;
}) {
  return (
    <div
      role={role}
      data-testid={testId}
      className={cn(
        'flex items-start gap-2 rounded-md border px-3 py-2 text-[12px] leading-snug',
        tone === 'info' && 'border-sky-400/20 bg-sky-400/[0.06] text-sky-100/90',
        tone === 'error' && 'border-rose-500/25 bg-rose-500/10 text-rose-200',
        tone === 'ok' && 'border-emerald-400/20 bg-emerald-400/[0.06] text-emerald-100/90',
      )}
    >
      <span
        aria-hidden
        className={cn('mt-[5px] size-1.5 shrink-0 rounded-full', tone === 'info' ? 'bg-sky-400' : tone === 'error' ? 'bg-rose-400' : 'bg-emerald-400')}
      />
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
