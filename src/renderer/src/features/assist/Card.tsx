import type { ReactNode } from 'react';

/** The Assist column's card: a small title, an optional aside on the right, then the content. */
export function Card({
  title,
  children,
  aside,
  testId,
}: {
  title: string;
  children: ReactNode;
  aside?: ReactNode;
  testId?: string;
}) {
  return (
    <section className="rounded-lg border border-slate-800/80 bg-slate-900/40" data-testid={testId}>
      <header className="flex items-center justify-between gap-2 px-3 pt-2.5 pb-1.5">
        <h3 className="text-[12px] font-medium text-slate-400">{title}</h3>
        {aside}
      </header>
      <div className="px-3 pb-3">{children}</div>
    </section>
  );
}
