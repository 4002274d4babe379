/**
 * What the caller hears first, live as the greeting is typed: composeGreeting, the core's own
 * rule, with the business name from Settings. The sentences the rule adds (the AI disclosure,
 * and on a recorded call the recording notice) are marked: they are always said and no edit
 * can take them out.
 */
import { AI_DISCLOSURE, BUSINESS_PLACEHOLDER, RECORDING_NOTICE, composeGreeting } from '@shared/ai-profile';
import { LockIcon } from '../../components/ui/icons';

/** The composed greeting in sentences, each marked when the rule added it. */
function greetingParts(template: string, business: string, recorded: boolean): { text: string; added: boolean }[] {
  const heard = composeGreeting(template, { business, recorded });
  const own = template.split(BUSINESS_PLACEHOLDER).join(business);
  return heard
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s !== '')
    .map((text) => ({ text, added: (text === AI_DISCLOSURE || text === RECORDING_NOTICE) && !own.includes(text) }));
}

export function GreetingPreview({
  template,
  business,
  recorded,
  testId,
}: {
  template: string;
  business: string;
  recorded: boolean;
  testId: string;
}) {
  const parts = greetingParts(template, business, recorded);
  const addedDisclosure = parts.some((p) => p.added && p.text === AI_DISCLOSURE);
  const addedNotice = parts.some((p) => p.added && p.text === RECORDING_NOTICE);
  return (
    <div className="rounded-md border border-slate-800 bg-slate-900/60 px-3 py-2" data-testid={testId}>
      <div className="mb-1 flex items-center gap-2 text-[11px] font-medium text-slate-400">
        <span>The caller hears</span>
        <span className="text-faint">{recorded ? '· on a recorded call' : '· on a call not recorded'}</span>
      </div>
      <p className="text-[12.5px] leading-relaxed text-slate-200" data-testid={`${testId}-text`}>
        {parts.map((p, i) => (
          <span key={i}>
            {i > 0 ? ' ' : null}
            {p.added ? (
              <mark
                data-testid="greeting-added"
                className="rounded bg-indigo-400/15 px-1 py-px text-indigo-100 ring-1 ring-indigo-400/25 ring-inset"
                title="Always said: added because the greeting doesn't say it itself"
              >
                <LockIcon className="mr-1 inline size-3 -translate-y-px text-indigo-300" />
                {p.text}
                <span className="sr-only"> (added, always said)</span>
              </mark>
            ) : (
              p.text
            )}
          </span>
        ))}
      </p>
      <p className="mt-1.5 text-[11.5px] leading-snug text-faint">
        Every greeting tells the caller they're talking to an automated assistant{recorded ? ' and that the call is recorded' : ''}:{' '}
        {addedDisclosure || addedNotice
          ? `the marked ${addedDisclosure && addedNotice ? 'sentences are' : 'sentence is'} added because the words above don't say it, and can't be removed.`
          : 'the words above already do.'}
      </p>
    </div>
  );
}
