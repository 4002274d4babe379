import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { cn } from '../../lib/cn';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger' | 'warning';
type Size = 'sm' | 'md';

const variants: Record<Variant, string> = {
  primary:
    'bg-indigo-500 text-white shadow-sm shadow-indigo-950/50 hover:bg-indigo-600 disabled:bg-indigo-500/50 disabled:text-white/60',
  secondary:
    'border border-slate-700/80 bg-slate-800/70 text-slate-200 hover:border-slate-600 hover:bg-slate-800 disabled:border-slate-800 disabled:bg-slate-900 disabled:text-faint',
  ghost: 'text-slate-400 hover:bg-slate-800/70 hover:text-slate-200 disabled:text-faint',
  danger:
    'border border-rose-500/25 bg-rose-500/10 text-rose-300 hover:border-rose-400/40 hover:bg-rose-500/20 disabled:opacity-50',
  warning:
    'border border-amber-400/30 bg-amber-400/10 text-amber-200 hover:border-amber-300/50 hover:bg-amber-400/20 disabled:opacity-50',
};

const sizes: Record<Size, string> = {
  sm: 'h-7 gap-1.5 px-2.5 text-[12px]',
  md: 'h-8 gap-2 px-3 text-[13px]',
};

export function Button({
  variant = 'secondary',
  size = 'md',
  icon,
  busy,
  className,
  children,
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
  size?: Size;
  icon?: ReactNode;
  busy?: boolean;
}) {
  return (
    <button
      type={type}
      className={cn(
        'focus-ring inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed',
        variants[variant],
        sizes[size],
        className,
      )}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <Spinner /> : icon}
      {children}
    </button>
  );
}

export function Spinner({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 16 16" className={cn('size-3.5 animate-spin', className)} aria-hidden fill="none">
      <circle cx="8" cy="8" r="6" stroke="currentColor" strokeOpacity="0.25" strokeWidth="2" />
      <path d="M14 8a6 6 0 0 0-6-6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
