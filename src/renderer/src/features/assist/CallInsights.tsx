/**
 * What a call has yielded so far (issue 8): the caller's details (order and account numbers,
 * dates, amounts, emails, phone numbers, names), newest first, click to copy; and the facts
 * the AI recorded with its record_fact tool. Facts come from the call's 'tool_call' events
 * read with the same factFromEvent the core stores them with, so live and stored agree.
 */
import { useMemo } from 'react';
import { factFromEvent, type CallEntity, type CallFact } from '@shared/wrapup';
import { useCopy } from '../../lib/clipboard';
import { cn } from '../../lib/cn';
import { formatOffset } from '../../lib/format';
import { selectEvents, useCallsStore } from '../calls/store';
import { Card } from './Card';

const EMPTY_ENTITIES: CallEntity[] = [];

/** The open call's details and recorded facts, from the calls store. */
export function useCallInsights(callId: string | null): { entities: CallEntity[]; facts: CallFact[] } {
  const entities = useCallsStore((s) => (callId ? (s.entities[callId] ?? EMPTY_ENTITIES) : EMPTY_ENTITIES));
  const events = useCallsStore(selectEvents(callId));
  const facts = useMemo(() => events.flatMap((e) => factFromEvent(e) ?? []), [events]);
  return { entities, facts };
}

const ENTITY_LABEL: Record<string, string> = {
  account_number: 'Account',
  order_number: 'Order',
  phone_number: 'Phone',
  email: 'Email',
  amount: 'Amount',
  date: 'Date',
  name: 'Name',
};

export function DetailsCard({ entities, ended }: { entities: CallEntity[]; ended: boolean }) {
  const { copied, failed, copy } = useCopy();
  return (
    <Card title="Caller details" aside={<span className="text-[11px] text-faint">{entities.length > 0 ? 'click to copy' : ''}</span>} testId="entities-card">
      {entities.length === 0 ? (
        <p className="py-1 text-[12px] text-faint">
          {ended ? 'The caller gave no numbers, dates, amounts, emails or names.' : 'Numbers, dates, amounts, emails and names the caller says appear here.'}
        </p>
      ) : (
        <ul className="flex flex-wrap gap-1.5" data-testid="entities">
          {entities.map((e) => {
            const key = `${e.type}:${e.value}`;
            const isCopied = copied === key;
            return (
              <li key={key} className="min-w-0 max-w-full">
                <button
                  type="button"
                  onClick={() => copy(key, e.value)}
                  className={cn(
                    'focus-ring flex max-w-full items-baseline gap-1.5 rounded-md border px-2 py-1 text-left text-[12px] transition-colors',
                    isCopied
                      ? 'border-emerald-400/50 bg-emerald-400/15 text-emerald-100'
                      : 'border-slate-700/80 bg-slate-900 text-slate-100 hover:border-slate-500',
                  )}
                  title={`Copy ${e.value}`}
                  data-testid="entity-chip"
                  data-type={e.type}
                >
                  <span className="shrink-0 text-[10.5px] font-medium tracking-wide text-slate-400 uppercase">{ENTITY_LABEL[e.type] ?? e.type.replace(/_/g, ' ')}</span>
                  <span className="min-w-0 truncate font-mono tabular-nums">{e.value}</span>
                  {isCopied ? (
                    <span className="shrink-0 text-[11px] font-medium text-emerald-200" data-testid="entity-copied">
                      Copied
                    </span>
                  ) : failed === key ? (
                    <span className="shrink-0 text-[11px] text-rose-300">Couldn’t copy</span>
                  ) : null}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <span className="sr-only" aria-live="polite">
        {copied ? `Copied ${copied.slice(copied.indexOf(':') + 1)}` : ''}
      </span>
    </Card>
  );
}

export function FactsCard({ facts, ended }: { facts: CallFact[]; ended: boolean }) {
  const { copied, copy } = useCopy();
  return (
    <Card title="Facts recorded by the AI" aside={<span className="text-[11px] text-faint">{facts.length || ''}</span>} testId="facts-card">
      {facts.length === 0 ? (
        <p className="py-1 text-[12px] text-faint">{ended ? 'The AI recorded no facts on this call.' : 'Facts the AI notes down (an order number, a callback time) appear here.'}</p>
      ) : (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-[12px]" data-testid="facts">
          {facts.map((f) => (
            <div key={f.id} className="contents" data-testid="fact">
              <dt className="text-slate-400" title={`at ${formatOffset(f.atMs)}`}>
                {f.key}
              </dt>
              <dd className="min-w-0">
                <button
                  type="button"
                  onClick={() => copy(f.id, f.value)}
                  className="focus-ring max-w-full truncate rounded text-left text-slate-100 hover:text-white"
                  title={`Copy ${f.value}`}
                >
                  {f.value}
                </button>
                {copied === f.id ? <span className="ml-1.5 text-[11px] text-emerald-200">Copied</span> : null}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
