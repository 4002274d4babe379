/** Compact form controls for filter bars: the console's dark inputs and selects. */
import { useEffect, useId, useRef, useState, type ReactNode, type SelectHTMLAttributes } from 'react';
import { cn } from '../../lib/cn';
import { ChevronDownIcon } from './icons';

export const fieldClass =
  'focus-ring h-8 min-w-0 rounded-md border border-slate-700/80 bg-slate-900 px-2.5 text-[12.5px] text-slate-200 placeholder:text-faint hover:border-slate-600 disabled:opacity-60 aria-[invalid=true]:border-rose-400/70';

/** A native select with the console's look; `active` tints it when it filters something. */
export function Select({
  label,
  active,
  className,
  children,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { label: string; active?: boolean }) {
  return (
    <label className={cn('relative flex items-center', className)}>
      <span className="sr-only">{label}</span>
      <select
        {...rest}
        className={cn(
          fieldClass,
          'w-full appearance-none truncate pr-7',
          active && 'border-indigo-400/40 bg-indigo-400/[0.07] text-indigo-100',
        )}
      >
        {children}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
    </label>
  );
}

/** A button that opens a small panel below it; Esc or a click elsewhere closes it. */
export function Popover({
  label,
  active,
  children,
  testId,
  align = 'start',
}: {
  label: ReactNode;
  active?: boolean;
  children: ReactNode;
  testId?: string;
  align?: 'start' | 'end';
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div ref={ref} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
        className={cn(
          fieldClass,
          'flex items-center gap-1.5 pr-2 whitespace-nowrap',
          active && 'border-indigo-400/40 bg-indigo-400/[0.07] text-indigo-100',
        )}
      >
        {label}
        <ChevronDownIcon className={cn('size-3.5 text-faint transition-transform', open && 'rotate-180')} />
      </button>
      {open ? (
        <div
          id={panelId}
          className={cn(
            'absolute top-full z-30 mt-1.5 min-w-56 rounded-lg border border-slate-700 bg-slate-900 p-2 shadow-xl shadow-black/50',
            align === 'start' ? 'left-0' : 'right-0',
          )}
        >
          {children}
        </div>
      ) : null}
    </div>
  );
}

/** A problem with an input, shown beside it and announced. */
export function FieldError({ id, children, testId }: { id?: string; children: ReactNode; testId?: string }) {
  return (
    <p id={id} role="alert" data-testid={testId} className="text-[12px] leading-snug text-rose-300">
      {children}
    </p>
  );
}

/** Segmented buttons for a small set of choices (radio group semantics). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: Array<{ value: T; label: string }>;
  onChange: (value: T) => void;
  testId?: string;
}) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={testId} className="flex h-8 items-center rounded-md border border-slate-700/80 bg-slate-900 p-0.5">
      {options.map((o) => {
        const on = o.value === value;
        return (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={on}
            onClick={() => onChange(o.value)}
            onKeyDown={(e) => {
              const i = options.findIndex((x) => x.value === value);
              const step = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
              if (step === 0) return;
              e.preventDefault();
              const next = options[(i + step + options.length) % options.length]!;
              onChange(next.value);
              const buttons = e.currentTarget.parentElement?.querySelectorAll<HTMLButtonElement>('button');
              buttons?.[options.indexOf(next)]?.focus();
            }}
            tabIndex={on ? 0 : -1}
            className={cn(
              'focus-ring h-full rounded px-2.5 text-[12px] font-medium transition-colors',
              on ? 'bg-slate-700/80 text-slate-50' : 'text-slate-400 hover:text-slate-200',
            )}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}
