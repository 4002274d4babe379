/** Pieces of the console's virtualised grids (History's calls, a campaign's leads). */
import type { ReactNode } from 'react';
import { cn } from '../../lib/cn';
import { Spinner } from './Button';

export function ColumnHeader({ children, align, title }: { children: ReactNode; align?: 'end'; title?: string }) {
  return (
    <div
      role="columnheader"
      title={title}
      className={cn('truncate text-[11px] font-semibold tracking-[0.06em] text-slate-400 uppercase', align === 'end' && 'text-right')}
    >
      {children}
    </div>
  );
}

/** The row after the last loaded one while the next page is on its way. */
export function LoadingMoreRow({ size, start, testId, children }: { size: number; start: number; testId: string; children: ReactNode }) {
  return (
    <div
      role="row"
      className="absolute top-0 left-0 flex w-full items-center justify-center gap-2 text-[12px] text-slate-400"
      style={{ height: size, transform: `translateY(${start}px)` }}
      data-testid={testId}
    >
      <div role="gridcell" className="flex items-center gap-2">
        <Spinner /> {children}
      </div>
    </div>
  );
}
