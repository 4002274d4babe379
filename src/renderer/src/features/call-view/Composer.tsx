import { useLayoutEffect, useRef, type KeyboardEvent, type SVGProps } from 'react';
import { Button } from '../../components/ui/Button';
import { SendIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { CharacterCount, characterBudget, overLimitReason } from './CharacterCount';

/** The core's limit on one line the agent says (`call.say`). */
export const SAY_MAX_CHARS = 1000;

/**
 * What the agent says to the caller while they control the call. Enter sends; Shift+Enter
 * breaks the line. While one of their lines is being spoken, Stop (or Escape) cuts it off.
 * Text past the limit is kept, counted and marked, never cut.
 */
export function Composer({
  value,
  onChange,
  onSend,
  sending,
  speaking,
  onStop,
  stopping,
}: {
  value: string;
  onChange: (text: string) => void;
  onSend: (text: string) => void;
  sending: boolean;
  /** One of the agent's lines is being spoken to the caller (or waits its turn). */
  speaking: boolean;
  onStop: () => void;
  stopping: boolean;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const budget = characterBudget(value, SAY_MAX_CHARS);
  const tooLong = overLimitReason(budget);
  const canSend = budget.used > 0 && tooLong === null && !sending;

  // Grow with the text, up to ~6 lines; again when the box gets narrower or wider, since the
  // same text then wraps onto a different number of lines.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fit = () => {
      el.style.height = 'auto';
      el.style.height = `${Math.min(el.scrollHeight, 148)}px`;
    };
    fit();
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === width) return; // our own height change
      width = el.clientWidth;
      fit();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [value]);

  // Filling the composer from a suggestion puts the cursor at the end, ready to edit.
  useLayoutEffect(() => {
    ref.current?.focus();
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSend) onSend(value.trim());
    } else if (e.key === 'Escape' && speaking && !stopping) {
      e.preventDefault();
      onStop();
    }
  }

  return (
    <form
      className="border-t border-slate-800/80 bg-slate-950/60 px-6 py-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend(value.trim());
      }}
    >
      <div
        className={cn(
          'mx-auto flex max-w-3xl items-end gap-2 rounded-xl border bg-slate-900 p-2 pl-3.5 shadow-inner shadow-black/20 transition-colors',
          tooLong ? 'border-rose-400/60 focus-within:border-rose-300/80' : 'border-slate-700/80 focus-within:border-amber-400/80 focus-within:ring-1 focus-within:ring-amber-400/60',
        )}
      >
        <textarea
          ref={ref}
          id="composer"
          data-testid="composer"
          aria-label="Reply to caller"
          aria-invalid={tooLong ? true : undefined}
          aria-describedby={[budget.near ? 'composer-count' : null, tooLong ? 'composer-too-long' : 'composer-hint'].filter(Boolean).join(' ')}
          rows={1}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Say something to the caller…"
          className="max-h-37 min-h-7 min-w-0 flex-1 resize-none bg-transparent py-1 text-[13.5px] leading-relaxed text-slate-100 placeholder:text-faint focus:outline-none"
        />
        {speaking ? (
          <Button
            variant="danger"
            onClick={onStop}
            busy={stopping}
            disabled={stopping}
            icon={<StopIcon className="size-3" />}
            data-testid="stop-speaking"
            title="Stop your line now: the caller hears nothing more of it (Esc)"
          >
            Stop
          </Button>
        ) : null}
        <Button
          type="submit"
          variant="warning"
          disabled={!canSend}
          busy={sending}
          icon={<SendIcon className="size-3.5" />}
          title={tooLong ?? undefined}
          data-testid="composer-send"
        >
          Send
        </Button>
      </div>
      <div className="mx-auto mt-1.5 flex max-w-3xl items-start justify-between gap-3 px-1 text-[11px]">
        {tooLong ? (
          <p id="composer-too-long" role="status" className="text-rose-300" data-testid="composer-too-long">
            {tooLong}
          </p>
        ) : speaking ? (
          <p id="composer-hint" className="text-amber-200/90" data-testid="composer-speaking">
            Your line is being spoken to the caller. <kbd className="font-sans">Esc</kbd> or Stop cuts it off.
          </p>
        ) : (
          <p id="composer-hint" className="text-faint">
            You are speaking to the caller. <kbd className="font-sans text-faint">Enter</kbd> to send,{' '}
            <kbd className="font-sans text-faint">Shift</kbd>+<kbd className="font-sans text-faint">Enter</kbd> for a new line.
          </p>
        )}
        <CharacterCount budget={budget} id="composer-count" testId="composer-count" />
      </div>
    </form>
  );
}

function StopIcon(props: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 16 16" fill="currentColor" aria-hidden {...props}>
      <rect x="3" y="3" width="10" height="10" rx="1.5" />
    </svg>
  );
}
