/**
 * Settings → Telephony → Outbound calls: the countries AI calls may go to (a toll-fraud
 * guard, like Twilio's geo permissions). Unset (null), they are the countries of this
 * console's own numbers; adding or removing a country turns that default into a list of its
 * own, and "Use the default" goes back. The core refuses any other destination, and the New
 * AI call form says so before sending (shared/phone.ts).
 */
import { useMemo } from 'react';
import type { TelephonyState } from '@shared/telephony';
import { allowedDestinationCountries, countryName, dialableCountries } from '@shared/phone';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { FieldNote, inputClass, Row } from './fields';
import type { TelephonySettingsApi } from './useTelephonySettings';

export function AllowedCountries({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const s = state.settings;
  const isDefault = s.allowedCountries === null;
  const allowed = allowedDestinationCountries(s);
  const busy = t.busy.allowedCountries === true;
  const choices = useMemo(() => dialableCountries(), []);
  const addable = choices.filter((c) => !allowed.includes(c.code));
  const save = (next: string[]) => void t.update('allowedCountries', next);

  return (
    <Row label="Allowed countries" htmlFor="tel-add-country">
      <div className="flex items-center gap-3">
        <span className="relative flex max-w-64 min-w-0 flex-1 items-center">
          <select
            id="tel-add-country"
            aria-label="Allow calls to a country"
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && save([...allowed, e.target.value])}
            className={cn(inputClass, 'w-full appearance-none border-slate-700/80 pr-7 [color-scheme:dark]')}
          >
            <option value="">Add a country…</option>
            {addable.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name} (+{c.callingCode})
              </option>
            ))}
          </select>
          <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
        </span>
        {!isDefault ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void t.update('allowedCountries', null)}
            className="focus-ring shrink-0 rounded px-1 text-[11.5px] whitespace-nowrap text-slate-400 underline decoration-slate-600 underline-offset-2 hover:text-slate-200 disabled:opacity-50"
          >
            Use the default
          </button>
        ) : null}
        {busy ? <span className="text-[11px] text-faint">Saving…</span> : null}
      </div>
      {t.errors.allowedCountries ? <FieldNote tone="error">{t.errors.allowedCountries}</FieldNote> : null}
      {allowed.length > 0 ? (
        <div className="mt-1 flex flex-wrap gap-1.5" data-testid="allowed-countries">
          {allowed.map((code) => (
            <CountryChip key={code} code={code} disabled={busy} onRemove={() => save(allowed.filter((c) => c !== code))} />
          ))}
        </div>
      ) : null}
      {allowed.length === 0 ? (
        <FieldNote tone="error" data-testid="allowed-countries-none">
          {isDefault
            ? 'No country is allowed yet: this console has no numbers to take the default from. Add the countries AI calls may go to.'
            : 'No country is allowed: every AI call is refused until you add one.'}
        </FieldNote>
      ) : (
        <FieldNote data-testid="allowed-countries-note">
          {isDefault
            ? "The default: the countries of this console's own numbers. Premium-rate and shared-cost numbers are never called."
            : 'Calls to any other country are refused. Premium-rate and shared-cost numbers are never called.'}
        </FieldNote>
      )}
    </Row>
  );
}

function CountryChip({ code, disabled, onRemove }: { code: string; disabled: boolean; onRemove: () => void }) {
  const name = countryName(code);
  return (
    <span
      data-testid="country-chip"
      data-country={code}
      className="inline-flex h-6 items-center gap-1.5 rounded-full border border-slate-700/80 bg-slate-800/70 pr-0.5 pl-2.5 text-[11.5px] text-slate-200"
    >
      {name}
      <span className="font-mono text-[10.5px] text-faint">{code}</span>
      <button
        type="button"
        aria-label={`Remove ${name}`}
        disabled={disabled}
        onClick={onRemove}
        className="focus-ring flex size-5 items-center justify-center rounded-full text-faint hover:bg-slate-700 hover:text-slate-200 disabled:opacity-50"
      >
        <svg viewBox="0 0 16 16" className="size-3" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" aria-hidden>
          <path d="M4.5 4.5l7 7M11.5 4.5l-7 7" />
        </svg>
      </button>
    </span>
  );
}
