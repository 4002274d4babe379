import { useId, type ReactNode } from 'react';
import { cn } from '../../lib/cn';

/**
 * CSS-only tooltip shown on hover and keyboard focus. The trigger is focusable and
 * described by the tooltip, so screen readers read it too.
 */
export function Tooltip({
  content,
  children,
  side = 'bottom',
  align = 'center',
  className,
}: {
  content: ReactNode;
  children: ReactNode;
  side?: 'top' | 'bottom';
  align?: 'start' | 'center' | 'end';
  className?: string;
}) {
  const id = useId();
  return (
    <span className={cn('group/tip relative inline-flex', className)}>
      <span tabIndex={0} aria-describedby={id} className="focus-ring inline-flex rounded-full">
        {children}
      </span>
      <span
        role="tooltip"
        id={id}
        className={cn(
          'pointer-events-none invisible absolute z-40 w-max max-w-96 rounded-md border border-slate-700 bg-slate-900 px-2.5 py-1.5 text-[12px] leading-relaxed font-normal text-slate-300 opacity-0 shadow-lg shadow-black/40 transition-opacity duration-100 group-focus-within/tip:visible group-focus-within/tip:opacity-100 group-hover/tip:visible group-hover/tip:opacity-100',
          side === 'bottom' ? 'top-full mt-2' : 'bottom-full mb-2',
          align === 'center' && 'left-1/2 -translate-x-1/2',
          align === 'start' && 'left-0',
          align === 'end' && 'right-0',
        )}
      >
        {content}
      </span>
    </span>
  );
}
