import type { ReactNode } from 'react';
import { CloseIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { useProfileList } from '../profiles/store';
import type { FilterChip, FilterState } from './filter-query';

/** A chip's words; an AI profile chip names the profile (or says it is gone). */
function chipLabel(chip: FilterChip, profiles: ReturnType<typeof useProfileList>['list']): string {
  if (chip.profileId === undefined) return chip.label;
  if (profiles === null) return chip.label;
  const profile = profiles.find((p) => p.id === chip.profileId);
  return profile ? `AI profile: ${profile.name}` : 'AI profile: one since deleted';
}

/** The active filters as removable chips, with "Clear all". Read-only when `onChange` is absent. */
export function FilterChips({
  filter,
  chips,
  onChange,
  trailing,
  className,
}: {
  filter: FilterState;
  chips: FilterChip[];
  onChange?: (next: FilterState) => void;
  trailing?: ReactNode;
  className?: string;
}) {
  const profiles = useProfileList().list;
  return (
    <div className={cn('flex min-h-7 flex-wrap items-center gap-1.5', className)} data-testid="filter-chips">
      {chips.length === 0 ? (
        <span className="text-[12px] text-slate-400">All calls · no filters</span>
      ) : (
        <ul className="contents" aria-label="Active filters">
          {chips.map((chip) => ({ ...chip, label: chipLabel(chip, profiles) })).map((chip) => (
            <li
              key={chip.key}
              data-testid="filter-chip"
              data-chip={chip.key}
              className="inline-flex h-6 max-w-80 items-center gap-1 rounded-full bg-indigo-400/10 pr-1 pl-2.5 text-[12px] text-indigo-100 ring-1 ring-indigo-400/25 ring-inset"
            >
              <span className="truncate">{chip.label}</span>
              {onChange ? (
                <button
                  type="button"
                  onClick={() => onChange(chip.without(filter))}
                  aria-label={`Remove filter: ${chip.label}`}
                  className="focus-ring rounded-full p-0.5 text-indigo-200/70 hover:bg-indigo-400/20 hover:text-indigo-50"
                >
                  <CloseIcon className="size-3" />
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {chips.length > 0 && onChange ? (
        <button
          type="button"
          onClick={() => onChange(chips.reduce((s, c) => c.without(s), filter))}
          className="focus-ring ml-1 rounded px-1.5 text-[12px] font-medium text-slate-300 underline-offset-2 hover:text-white hover:underline"
        >
          Clear all
        </button>
      ) : null}
      {trailing ? <span className="ml-auto text-[12px] text-slate-400 tabular-nums">{trailing}</span> : null}
    </div>
  );
}
