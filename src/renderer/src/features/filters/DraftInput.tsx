/**
 * A text input that keeps what is typed locally and commits it after a pause (or on Enter /
 * blur), so typing never waits for the URL or the core. An outside change of `value` (a chip
 * removed, Clear all) replaces the draft unless the draft already means the same thing.
 */
import { useEffect, useRef, useState, type InputHTMLAttributes } from 'react';

export function DraftInput({
  value,
  onCommit,
  normalize = (s) => s,
  delayMs = 350,
  ...rest
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'defaultValue'> & {
  /** The committed value. */
  value: string;
  onCommit: (draft: string) => void;
  /** What a draft commits as (e.g. "30.0" and "30" are the same duration). */
  normalize?: (draft: string) => string;
  delayMs?: number;
}) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // Adjusting state while rendering (React's documented pattern for "reset on prop change").
    setSeen(value);
    if (normalize(draft) !== value) setDraft(value);
  }
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pending = useRef<string | null>(null);
  const commitRef = useRef(onCommit);
  useEffect(() => {
    commitRef.current = onCommit;
  }, [onCommit]);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      // Leaving the view (or the input) still keeps what was typed.
      if (pending.current !== null) commitRef.current(pending.current);
    },
    [],
  );

  const flush = () => {
    clearTimeout(timer.current);
    if (pending.current !== null) {
      const text = pending.current;
      pending.current = null;
      commitRef.current(text);
    }
  };

  return (
    <input
      {...rest}
      value={draft}
      onChange={(e) => {
        const text = e.target.value;
        setDraft(text);
        pending.current = text;
        clearTimeout(timer.current);
        timer.current = setTimeout(flush, delayMs);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') flush();
        rest.onKeyDown?.(e);
      }}
      onBlur={(e) => {
        flush();
        rest.onBlur?.(e);
      }}
    />
  );
}
