/** Analytics: how the matching calls were wrapped up, by disposition (issue 8). */
import { dispositionLabel } from '@shared/wrapup';

export function DispositionsCard({ dispositions, calls }: { dispositions: Array<{ disposition: string; calls: number }>; calls: number }) {
  const wrapped = dispositions.reduce((n, d) => n + d.calls, 0);
  const top = Math.max(1, ...dispositions.map((d) => d.calls));
  return (
    <section className="flex flex-col rounded-lg border border-slate-800/80 bg-slate-900/40 px-4 py-3" data-testid="dispositions" aria-label="Wrap-up dispositions">
      <h2 className="flex items-baseline gap-2 text-[13px] font-medium text-slate-200">
        Wrap-up dispositions
        <span className="ml-auto text-[11.5px] font-normal text-slate-400 tabular-nums">
          {wrapped} of {calls} calls wrapped up
        </span>
      </h2>
      <ul className="mt-2 flex flex-col gap-1.5 text-[12.5px]">
        {dispositions.map((d) => (
          <li key={d.disposition} className="grid grid-cols-[8rem_minmax(0,1fr)_auto] items-center gap-2">
            <span className="truncate text-slate-300">{dispositionLabel(d.disposition)}</span>
            <span className="h-1.5 rounded-full bg-slate-800">
              <span className="block h-full rounded-full bg-indigo-400/70" style={{ width: `${(d.calls / top) * 100}%` }} />
            </span>
            <span className="font-mono text-slate-100 tabular-nums">{d.calls}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
