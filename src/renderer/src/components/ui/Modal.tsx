/**
 * A native <dialog> shown modally while `open`: Esc and a click on the backdrop close it,
 * focus is trapped by the browser. Children render only while open, so forms start fresh.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { cn } from '../../lib/cn';

export function Modal({
  open,
  onClose,
  testId,
  className,
  children,
}: {
  open: boolean;
  onClose: () => void;
  testId: string;
  /** Size limits, e.g. `max-h-[…] w-[…]`. */
  className: string;
  /** Gets the id the dialog's title must carry (aria-labelledby). */
  children: (titleId: string) => ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose(); // a click on the backdrop
      }}
      className={cn(
        'm-auto overflow-hidden rounded-xl border border-slate-700/80 bg-slate-900 p-0 text-slate-200 shadow-2xl shadow-black/60 backdrop:bg-slate-950/70 backdrop:backdrop-blur-[2px]',
        className,
      )}
    >
      {open ? children(titleId) : null}
    </dialog>
  );
}
