import { useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { Button } from '../../components/ui/Button';
import { SendIcon } from '../../components/ui/icons';

/** What the agent says to the caller while they control the call. Enter sends; Shift+Enter breaks the line. */
export function Composer({
  value,
  onChange,
  onSend,
  sending,
}: {
  value: string;
  onChange: (text: string) => void;
  onSend: (text: string) => void;
  sending: boolean;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const canSend = value.trim().length > 0 && !sending;

  // Grow with the text, up to ~6 lines.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 148)}px`;
  }, [value]);

  // Filling the composer from a suggestion puts the cursor at the end, ready to edit.
  useLayoutEffect(() => {
    ref.current?.focus();
  }, []);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSend) onSend(value.trim());
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
      <div className="mx-auto flex max-w-3xl items-end gap-2 rounded-xl border border-slate-700/80 bg-slate-900 p-2 pl-3.5 shadow-inner shadow-black/20 transition-colors focus-within:border-amber-400/40">
        <textarea
          ref={ref}
          id="composer"
          data-testid="composer"
          aria-label="Reply to caller"
          rows={1}
          maxLength={1000}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Say something to the caller…"
          className="max-h-37 min-h-7 flex-1 resize-none bg-transparent py-1 text-[13.5px] leading-relaxed text-slate-100 placeholder:text-slate-500 focus:outline-none"
        />
        <Button type="submit" variant="warning" disabled={!canSend} busy={sending} icon={<SendIcon className="size-3.5" />}>
          Send
        </Button>
      </div>
      <p className="mx-auto mt-1.5 max-w-3xl px-1 text-[11px] text-slate-600">
        You are speaking to the caller. <kbd className="font-sans text-slate-500">Enter</kbd> to send,{' '}
        <kbd className="font-sans text-slate-500">Shift</kbd>+<kbd className="font-sans text-slate-500">Enter</kbd> for a new line.
      </p>
    </form>
  );
}
