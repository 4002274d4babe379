/**
 * One tab stop for a virtualised list of rows (History's calls, a campaign's leads, the
 * campaign cards): the active row is tabbable, the arrows, Home/End and Page Up/Down move to
 * another (scrolling it in, then focusing it once rendered). Rows carry `data-row-index`.
 */
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { Virtualizer } from '@tanstack/react-virtual';

export interface RovingRows {
  /** The row that is the tab stop. */
  activeIndex: number;
  /** A row got focus (a click, or Tab into the list): it becomes the tab stop. */
  setActive(index: number): void;
  /** Moves on a navigation key and returns true; false for any other key. */
  onNavigate(e: KeyboardEvent, index: number): boolean;
}

export function useRovingRows(
  count: number,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  scrollRef: RefObject<HTMLDivElement | null>,
  rowPx: number,
): RovingRows {
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);
  const activeIndex = Math.min(active, Math.max(0, count - 1));

  // Move DOM focus to the active row once it is rendered (it may have just been scrolled in).
  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${activeIndex}"]`);
    if (row) {
      focusPending.current = false;
      row.focus({ preventScroll: true });
    }
  });

  const moveTo = useCallback(
    (index: number) => {
      const next = Math.max(0, Math.min(count - 1, index));
      setActive(next);
      focusPending.current = true;
      virtualizer.scrollToIndex(next, { align: 'auto' });
    },
    [count, virtualizer],
  );

  const onNavigate = useCallback(
    (e: KeyboardEvent, index: number): boolean => {
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowPx) - 1);
      const keys: Record<string, number> = {
        ArrowDown: index + 1,
        ArrowUp: index - 1,
        PageDown: index + page,
        PageUp: index - page,
        Home: 0,
        End: count - 1,
      };
      if (!Object.hasOwn(keys, e.key)) return false;
      const to = keys[e.key]!;
      e.preventDefault();
      moveTo(to);
      return true;
    },
    [count, moveTo, rowPx, scrollRef],
  );

  return { activeIndex, setActive, onNavigate };
}
