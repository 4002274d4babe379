import { useState, type KeyboardEvent } from 'react';
import type { WhisperHandling } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { clearDraft, readDraft, writeDraft } from '../drafts/drafts';
import { whisperHandlingText } from './timeline';
import { CharacterCount, characterBudget, overLimitReason } from './CharacterCount';

/** The core's limit on one whisper (`call.whisper`). */
const WHISPER_MAX_CHARS = 500;

/**
 * Coach the AI without taking the call: a one-line box whose text goes to the AI as a
 * supervisor note, never to the caller. Enter sends; what happens to the whisper is said
 * plainly under the box (it depends on the engine: an LLM follows it, the offline engine
 * only speaks "say: …" lines). The unsent text is kept per call across a reload (features/drafts).
 */
export function WhisperBox({
  callId,
  sending,
  paused,
  onWhisper,
}: {
  /** Whose draft this is (the box is mounted once per open call). */
  callId: string;
  sending: boolean;
  /** The AI is paused: an instruction waits for the resume (a "say:" line is still said at once). */
  paused: boolean;
  onWhisper: (text: string) => Promise<WhisperHandling | null>;
}) {
  const [text, setTextState] = useState(() => readDraft(callId, 'whisper'));
  const setText = (next: string) => {
    setTextState(next);
    writeDraft(callId, 'whisper', next);
  };
  const [result, setResult] = useState<{ handling: WhisperHandling; text: string } | null>(null);
  // Never cut at the limit: past it the whisper is marked too long and kept until shortened.
  const budget = characterBudget(text, WHISPER_MAX_CHARS);
  const tooLong = overLimitReason(budget);
  const canSend = budget.used > 0 && tooLong === null && !sending;

  async function send() {
    const whisper = text.trim();
    if (!canSend) return;
    const handling = await onWhisper(whisper);
    if (handling) {
      setResult({ handling, text: whisper });
      setTextState('');
      clearDraft(callId, 'whisper');
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <form
      className="border-t border-slate-800/80 bg-slate-950/60 px-6 py-3"
      data-testid="whisper-box"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <div
        className={cn(
          'mx-auto flex max-w-3xl items-center gap-2 rounded-xl border border-dashed bg-slate-900 p-1.5 pl-3.5 transition-colors',
          tooLong ? 'border-rose-400/60 focus-within:border-rose-300/80' : 'border-violet-400/35 focus-within:border-violet-300/80 focus-within:ring-1 focus-within:ring-violet-300/60',
        )}
      >
        <input
          type="text"
          data-testid="whisper-input"
          aria-label="Whisper to the AI"
          aria-describedby={budget.near ? 'whisper-hint whisper-count' : 'whisper-hint'}
          aria-invalid={tooLong ? true : undefined}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Whisper to the AI…"
          className="h-7 min-w-0 flex-1 bg-transparent text-[13px] text-slate-100 placeholder:text-faint focus:outline-none"
        />
        <CharacterCount budget={budget} id="whisper-count" testId="whisper-count" />
        <Button type="submit" size="sm" variant="secondary" disabled={!canSend} busy={sending} title={tooLong ?? undefined} data-testid="whisper-send">
          Whisper
        </Button>
      </div>
      <p
        id="whisper-hint"
        role="status"
        data-testid="whisper-result"
        data-handling={result?.handling}
        className={cn(
          'mx-auto mt-1.5 max-w-3xl px-1 text-[11.5px] leading-snug',
          tooLong ? 'text-rose-300' : result?.handling === 'unsupported' ? 'text-amber-200/90' : result ? 'text-violet-200/90' : 'text-faint',
        )}
      >
        {tooLong ? (
          tooLong
        ) : result ? (
          <>
            <span className="text-slate-400">“{truncate(result.text, 60)}”: </span>
            {whisperHandlingText(result.handling)}
            {paused && result.handling === 'instruction' ? ' (once you resume it)' : ''}
          </>
        ) : (
          <>
            Only the AI sees this; the caller never hears it. E.g. “offer the loyalty discount” or{' '}
            <span className="text-slate-400">say: One moment, please.</span>
          </>
        )}
      </p>
    </form>
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
