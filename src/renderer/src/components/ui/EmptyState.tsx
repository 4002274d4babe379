import type { ReactNode } from 'react';
import { cn } from '../../lib/cn';

export function EmptyState({
  icon,
  title,
  children,
  className,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn('flex flex-col items-center justify-center px-6 py-8 text-center', className)}>
      {icon ? (
        <div className="mb-3 flex size-10 items-center justify-center rounded-xl border border-slate-800 bg-slate-900 text-faint">
          {icon}
        </div>
      ) : null}
      <p className="text-[13px] font-medium text-slate-300">{title}</p>
      {children ? <div className="mt-1 max-w-72 text-[12px] leading-relaxed text-faint">{children}</div> : null}
    </div>
  );
}
