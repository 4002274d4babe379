/**
 * Copy to the clipboard with a visible confirmation: the caller details card, the telephony
 * tunnel commands. Falls back to the selection way where the Clipboard API is refused.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** How long "Copied" stays visible. */
const COPIED_MS = 1500;

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an http page, an old shell): the selection way still works.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/** Copies a value and remembers which one for COPIED_MS, for the visible confirmation. */
export function useCopy(): { copied: string | null; failed: string | null; copy: (key: string, text: string) => void } {
  const [copied, setCopied] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = useCallback((key: string, text: string) => {
    void copyText(text).then((ok) => {
      clearTimeout(timer.current);
      setCopied(ok ? key : null);
      setFailed(ok ? null : key);
      timer.current = setTimeout(() => {
        setCopied(null);
        setFailed(null);
      }, COPIED_MS);
    });
  }, []);
  return { copied, failed, copy };
}
