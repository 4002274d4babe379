/**
 * The filter bar History and Analytics share: transcript search, date range with presets,
 * and every other CallFilter field. It only takes props; the view owns the URL.
 */
import { useId, type ReactNode } from 'react';
import { MAX_SEARCH_CHARS } from '@shared/history';
import { FieldError, Popover, Select, fieldClass } from '../../components/ui/fields';
import { CloseIcon, SearchIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { dispositionLabel } from '@shared/wrapup';
import { endReasonLabel } from '../../lib/format';
import { DraftInput } from './DraftInput';
import { useDispositions } from './useFacets';
import { useProfileList } from '../profiles/store';
import { rangeLabels, type FilterProblems, type FilterState, type RangePreset } from './filter-query';

const numberText = (n: number | null) => (n === null ? '' : String(n));
const normalizeNumber = (s: string) => (s.trim() === '' ? '' : String(Number(s)));
function parseNumber(s: string): number | null {
  if (s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function FilterBar({
  filter,
  onChange,
  endReasons,
  problems,
  searchPlaceholder = 'Search what was said…',
  actions,
}: {
  filter: FilterState;
  onChange: (next: FilterState | ((current: FilterState) => FilterState)) => void;
  /** End reasons seen in the store (history.facets). */
  endReasons: string[];
  problems: FilterProblems;
  searchPlaceholder?: string;
  /** The view's own controls, at the end of the first row (Export, grouping). */
  actions?: ReactNode;
}) {
  const ids = {
    search: useId(),
    searchError: useId(),
    from: useId(),
    to: useId(),
    rangeError: useId(),
    minDur: useId(),
    maxDur: useId(),
    durationError: useId(),
    below: useId(),
    sentimentError: useId(),
    number: useId(),
    numberError: useId(),
  };
  const set = (patch: Partial<FilterState>) => onChange((current) => ({ ...current, ...patch }));

  return (
    <div className="flex flex-col gap-2" data-testid="filter-bar" role="search" aria-label="Filter calls">
      <div className="flex flex-wrap items-start gap-2">
        <div className="flex min-w-64 flex-1 flex-col gap-1">
          <div className="relative flex items-center">
            <label htmlFor={ids.search} className="sr-only">
              Search transcripts
            </label>
            <SearchIcon className="pointer-events-none absolute left-2.5 size-4 text-faint" />
            <DraftInput
              id={ids.search}
              type="search"
              data-testid="search-input"
              value={filter.search}
              onCommit={(search) => set({ search })}
              placeholder={searchPlaceholder}
              aria-invalid={problems.search ? true : undefined}
              aria-describedby={problems.search ? ids.searchError : undefined}
              autoComplete="off"
              spellCheck={false}
              className={cn(fieldClass, 'w-full pr-8 pl-8 [&::-webkit-search-cancel-button]:hidden')}
            />
            {filter.search ? (
              <button
                type="button"
                onClick={() => set({ search: '' })}
                className="focus-ring absolute right-1.5 rounded p-0.5 text-faint hover:text-slate-200"
                aria-label="Clear search"
              >
                <CloseIcon className="size-3.5" />
              </button>
            ) : null}
          </div>
          {problems.search ? (
            <FieldError id={ids.searchError} testId="search-error">
              {problems.search}
            </FieldError>
          ) : null}
        </div>

        <div className="flex flex-col gap-1">
          <div className="flex items-center gap-2">
            <Select
              label="Date range"
              data-testid="range-select"
              value={filter.range ?? ''}
              active={filter.range !== null}
              onChange={(e) => {
                const range = (e.target.value || null) as RangePreset | null;
                if (range === 'custom') {
                  const today = localIsoDate(new Date());
                  set({ range, fromDate: filter.fromDate ?? today, toDate: filter.toDate ?? today });
                } else {
                  set({ range, fromDate: null, toDate: null });
                }
              }}
              className="w-36"
            >
              <option value="">All time</option>
              {(['today', '7d', '30d', 'custom'] as const).map((r) => (
                <option key={r} value={r}>
                  {rangeLabels[r]}
                </option>
              ))}
            </Select>
            {filter.range === 'custom' ? (
              <>
                <label htmlFor={ids.from} className="sr-only">
                  From (first day)
                </label>
                <input
                  id={ids.from}
                  type="date"
                  data-testid="range-from"
                  value={filter.fromDate ?? ''}
                  onChange={(e) => set({ fromDate: e.target.value || null })}
                  aria-invalid={problems.range ? true : undefined}
                  aria-describedby={problems.range ? ids.rangeError : undefined}
                  className={cn(fieldClass, 'w-34')}
                />
                <span className="text-[12px] text-faint" aria-hidden>
                  to
                </span>
                <label htmlFor={ids.to} className="sr-only">
                  To (last day)
                </label>
                <input
                  id={ids.to}
                  type="date"
                  data-testid="range-to"
                  value={filter.toDate ?? ''}
                  onChange={(e) => set({ toDate: e.target.value || null })}
                  aria-invalid={problems.range ? true : undefined}
                  aria-describedby={problems.range ? ids.rangeError : undefined}
                  className={cn(fieldClass, 'w-34')}
                />
              </>
            ) : null}
          </div>
          {problems.range ? <FieldError id={ids.rangeError}>{problems.range}</FieldError> : null}
        </div>
        {/* Beside the range: the second row is full at 1440 px. */}
        <ProfilePicker chosen={filter.profileIds} onChange={(next) => set({ profileIds: next })} />
        {actions ? <div className="ml-auto flex items-center gap-2">{actions}</div> : null}
      </div>

      <div className="flex flex-wrap items-start gap-2">
        <Select
          label="Direction"
          data-testid="direction-select"
          value={filter.direction ?? ''}
          active={filter.direction !== null}
          onChange={(e) => set({ direction: (e.target.value || null) as FilterState['direction'] })}
          className="w-[8.5rem]"
        >
          <option value="">Any direction</option>
          <option value="inbound">Inbound</option>
          <option value="outbound">Outbound</option>
        </Select>

        <EndReasonPicker
          available={endReasons}
          chosen={filter.endReasons}
          onChange={(next) => set({ endReasons: next })}
        />

        <Select
          label="Taken over"
          data-testid="takeover-select"
          value={filter.takenOver === null ? '' : filter.takenOver ? 'yes' : 'no'}
          active={filter.takenOver !== null}
          onChange={(e) => set({ takenOver: e.target.value === '' ? null : e.target.value === 'yes' })}
          className="w-[9.5rem]"
        >
          <option value="">Taken over or not</option>
          <option value="yes">Taken over</option>
          <option value="no">AI only</option>
        </Select>

        <div className="flex w-min flex-col gap-1">
          <div
            className={cn(
              'flex h-8 items-center whitespace-nowrap gap-1.5 rounded-md border bg-slate-900 pr-1 pl-2.5 text-[12.5px]',
              problems.duration ? 'border-rose-400/70' : 'border-slate-700/80',
              (filter.minDurationS !== null || filter.maxDurationS !== null) && !problems.duration && 'border-indigo-400/40',
            )}
            role="group"
            aria-label="Duration in seconds"
          >
            <span className="text-slate-400">Duration</span>
            <label htmlFor={ids.minDur} className="sr-only">
              Shortest duration, seconds
            </label>
            <DraftInput
              id={ids.minDur}
              data-testid="min-duration"
              inputMode="numeric"
              value={numberText(filter.minDurationS)}
              normalize={normalizeNumber}
              onCommit={(s) => set({ minDurationS: parseNumber(s) })}
              placeholder="min"
              aria-invalid={problems.duration ? true : undefined}
              aria-describedby={problems.duration ? ids.durationError : undefined}
              className="focus-ring h-6 w-12 rounded bg-slate-800/70 px-1.5 text-center text-slate-100 tabular-nums placeholder:text-faint"
            />
            <span className="text-faint" aria-hidden>
              –
            </span>
            <label htmlFor={ids.maxDur} className="sr-only">
              Longest duration, seconds
            </label>
            <DraftInput
              id={ids.maxDur}
              data-testid="max-duration"
              inputMode="numeric"
              value={numberText(filter.maxDurationS)}
              normalize={normalizeNumber}
              onCommit={(s) => set({ maxDurationS: parseNumber(s) })}
              placeholder="max"
              aria-invalid={problems.duration ? true : undefined}
              aria-describedby={problems.duration ? ids.durationError : undefined}
              className="focus-ring h-6 w-12 rounded bg-slate-800/70 px-1.5 text-center text-slate-100 tabular-nums placeholder:text-faint"
            />
            <span className="pr-1 text-faint">s</span>
          </div>
          {problems.duration ? (
            <FieldError id={ids.durationError} testId="duration-error">
              {problems.duration}
            </FieldError>
          ) : null}
        </div>

        <div className="flex w-min flex-col gap-1">
          <div
            className={cn(
              'flex h-8 items-center whitespace-nowrap gap-2 rounded-md border bg-slate-900 pr-1 pl-2.5 text-[12.5px]',
              problems.sentiment ? 'border-rose-400/70' : 'border-slate-700/80',
              (filter.endedNegative || filter.sentimentBelow !== null) && !problems.sentiment && 'border-indigo-400/40',
            )}
            role="group"
            aria-label="Caller sentiment"
          >
            <label className="flex cursor-pointer items-center gap-1.5 text-slate-300">
              <input
                type="checkbox"
                data-testid="ended-negative"
                checked={filter.endedNegative}
                onChange={(e) => set({ endedNegative: e.target.checked })}
                className="focus-ring size-3.5 accent-indigo-400"
              />
              Ended negative
            </label>
            <span aria-hidden className="h-4 w-px bg-slate-700" />
            <label htmlFor={ids.below} className="text-slate-400">
              Avg below
            </label>
            <DraftInput
              id={ids.below}
              data-testid="sentiment-below"
              inputMode="decimal"
              value={numberText(filter.sentimentBelow)}
              normalize={normalizeNumber}
              onCommit={(s) => set({ sentimentBelow: parseNumber(s) })}
              placeholder="−1…1"
              aria-invalid={problems.sentiment ? true : undefined}
              aria-describedby={problems.sentiment ? ids.sentimentError : undefined}
              className="focus-ring h-6 w-16 rounded bg-slate-800/70 px-1.5 text-center text-slate-100 tabular-nums placeholder:text-faint"
            />
          </div>
          {problems.sentiment ? <FieldError id={ids.sentimentError}>{problems.sentiment}</FieldError> : null}
        </div>

        <Select
          label="Alerts"
          data-testid="alerts-select"
          value={filter.hasAlerts === null ? '' : filter.hasAlerts ? 'yes' : 'no'}
          active={filter.hasAlerts !== null}
          onChange={(e) => set({ hasAlerts: e.target.value === '' ? null : e.target.value === 'yes' })}
          className="w-[7.5rem]"
        >
          <option value="">Any alerts</option>
          <option value="yes">Has alerts</option>
          <option value="no">No alerts</option>
        </Select>

        <DispositionPicker chosen={filter.dispositions} onChange={(next) => set({ dispositions: next })} />

        <div className="flex w-min flex-col gap-1">
          <label htmlFor={ids.number} className="sr-only">
            Phone number contains
          </label>
          <DraftInput
            id={ids.number}
            data-testid="number-input"
            inputMode="tel"
            value={filter.numberContains}
            onCommit={(numberContains) => set({ numberContains })}
            placeholder="Number contains…"
            aria-invalid={problems.number ? true : undefined}
            aria-describedby={problems.number ? ids.numberError : undefined}
            className={cn(fieldClass, 'w-36', filter.numberContains && 'border-indigo-400/40')}
          />
          {problems.number ? <FieldError id={ids.numberError}>{problems.number}</FieldError> : null}
        </div>
      </div>
      {problems.other || problems.endReasons ? (
        <FieldError testId="filter-error">{problems.other ?? problems.endReasons}</FieldError>
      ) : null}
      <p className="sr-only">Search accepts up to {MAX_SEARCH_CHARS} characters.</p>
    </div>
  );
}

/** A popover of checkboxes: which of `values` the filter keeps (any when none is ticked). */
function CheckboxPicker({
  label,
  legend,
  values,
  chosen,
  wordsFor,
  empty,
  onChange,
  testId,
  optionTestId,
}: {
  label: string;
  legend: string;
  values: string[];
  chosen: string[];
  wordsFor: (value: string) => string;
  /** Said in place of the list when there is nothing to pick. */
  empty: string;
  onChange: (next: string[]) => void;
  testId: string;
  optionTestId?: string;
}) {
  return (
    <Popover label={label} active={chosen.length > 0} testId={testId}>
      <fieldset>
        <legend className="px-1.5 pb-1.5 text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{legend}</legend>
        {values.length === 0 ? (
          <p className="px-1.5 py-1 text-[12px] text-slate-400">{empty}</p>
        ) : (
          <ul className="flex max-h-64 flex-col overflow-y-auto">
            {values.map((value) => (
              <li key={value}>
                <label className="flex cursor-pointer items-center gap-2 rounded px-1.5 py-1 text-[12.5px] text-slate-200 hover:bg-slate-800/80">
                  <input
                    type="checkbox"
                    className="focus-ring size-3.5 accent-indigo-400"
                    checked={chosen.includes(value)}
                    onChange={(e) => onChange(e.target.checked ? [...chosen, value] : chosen.filter((x) => x !== value))}
                    data-testid={optionTestId}
                  />
                  <span className="truncate">{wordsFor(value)}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
    </Popover>
  );
}

function EndReasonPicker({
  available,
  chosen,
  onChange,
}: {
  available: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
}) {
  const all = [...new Set([...available, ...chosen])].sort((a, b) => endReasonLabel(a).localeCompare(endReasonLabel(b)));
  const label =
    chosen.length === 0 ? 'Any end reason' : chosen.length === 1 ? endReasonLabel(chosen[0]!) : `${chosen.length} end reasons`;
  return (
    <CheckboxPicker
      label={label}
      legend="How the call ended"
      values={all}
      chosen={chosen}
      wordsFor={endReasonLabel}
      empty="No ended calls yet."
      onChange={onChange}
      testId="end-reason-button"
    />
  );
}

/** Wrap-up dispositions (issue 8): the team's list from Settings, plus any chosen in the URL. */
function DispositionPicker({ chosen, onChange }: { chosen: string[]; onChange: (next: string[]) => void }) {
  const available = useDispositions();
  const all = [...available, ...chosen.filter((d) => !available.includes(d))];
  const label = chosen.length === 0 ? 'Any wrap-up' : chosen.length === 1 ? dispositionLabel(chosen[0]!) : `${chosen.length} dispositions`;
  return (
    <CheckboxPicker
      label={label}
      legend="Wrap-up disposition"
      values={all}
      chosen={chosen}
      wordsFor={dispositionLabel}
      empty="No dispositions in Settings."
      onChange={onChange}
      testId="disposition-button"
    />
  );
}

/** AI profiles (issue 15): the profiles there are, plus any chosen in the URL (one since deleted). */
function ProfilePicker({ chosen, onChange }: { chosen: string[]; onChange: (next: string[]) => void }) {
  const { list } = useProfileList();
  const profiles = list ?? [];
  const nameOf = (id: string) => profiles.find((p) => p.id === id)?.name ?? (list ? 'A deleted profile' : 'AI profile');
  const all = [...profiles.map((p) => p.id), ...chosen.filter((id) => !profiles.some((p) => p.id === id))];
  const label = chosen.length === 0 ? 'Any AI profile' : chosen.length === 1 ? nameOf(chosen[0]!) : `${chosen.length} AI profiles`;
  return (
    <CheckboxPicker
      label={label}
      legend="AI profile the call ran with"
      values={all}
      chosen={chosen}
      wordsFor={nameOf}
      empty={list ? 'No AI profiles yet.' : 'Loading the profiles…'}
      onChange={onChange}
      testId="profile-filter-button"
      optionTestId="profile-filter-option"
    />
  );
}

function localIsoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
