/**
 * The campaign form's pieces: a titled section, a labelled field with its hint and its
 * problem (announced, and tied to the control with aria-describedby), and the console's
 * input, textarea and select looks. They only take props.
 */
import type { ReactNode, SelectHTMLAttributes } from 'react';
import { FieldError } from '../../components/ui/fields';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';

export const controlClass =
  'focus-ring min-w-0 rounded-md border border-slate-700/80 bg-slate-900 px-2.5 text-[12.5px] text-slate-200 placeholder:text-faint hover:border-slate-600 disabled:opacity-60 aria-[invalid=true]:border-rose-400/70';

export function FormSection({ title, hint, children, testId }: { title: string; hint?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded-lg border border-slate-800 bg-slate-900/30" data-testid={testId} aria-label={title}>
      <header className="border-b border-slate-800/80 px-4 py-2.5">
        <h2 className="text-[13px] font-semibold text-slate-100">{title}</h2>
        {hint ? <p className="mt-0.5 text-[12px] text-faint">{hint}</p> : null}
      </header>
      <div className="flex flex-col gap-4 px-4 py-3.5">{children}</div>
    </section>
  );
}

/** The ids a field's control points at: its hint and its problem. */
export function describedBy(id: string, hint: boolean, problem: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, problem ? `${id}-problem` : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function Field({
  id,
  label,
  optional,
  hint,
  problem,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  optional?: boolean;
  hint?: ReactNode;
  problem?: string | undefined;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={cn('flex min-w-0 flex-col gap-1.5', className)} data-field={id}>
      <label htmlFor={id} className="flex items-baseline gap-2 text-[12px] font-medium text-slate-300">
        {label}
        {optional ? <span className="text-[11px] font-normal text-faint">Optional</span> : null}
      </label>
      {children}
      {problem ? <FieldError id={`${id}-problem`} testId="field-problem">{problem}</FieldError> : null}
      {hint ? (
        <p id={`${id}-hint`} className="text-[11.5px] leading-snug text-faint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A native select in the form's look. */
export function FormSelect({ className, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <span className={cn('relative flex items-center', className)}>
      <select {...rest} className={cn(controlClass, 'h-8 w-full appearance-none truncate pr-7 [color-scheme:dark]')}>
        {children}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
    </span>
  );
}
