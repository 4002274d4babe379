import type { Toast } from './store';
import { cn } from '../../lib/cn';
import { errorInWords } from '../../lib/format';

export function Toaster({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div
      className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-96 flex-col gap-2"
      role="region"
      aria-label="Notifications"
    >
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.tone === 'error' ? 'alert' : 'status'}
          data-testid="toast"
          className={cn(
            'toast-in pointer-events-auto flex items-start gap-3 rounded-lg border bg-slate-900/95 px-3.5 py-3 shadow-xl shadow-black/40 backdrop-blur',
            t.tone === 'error' ? 'border-rose-500/30' : 'border-slate-700',
          )}
        >
          <span
            aria-hidden
            className={cn('mt-1.5 size-2 shrink-0 rounded-full', t.tone === 'error' ? 'bg-rose-400' : 'bg-sky-400')}
          />
          <div className="min-w-0 flex-1">
            <p className="text-[13px] font-medium text-slate-100">{t.title}</p>
            {/* Network codes read as words; the original stays in the tooltip. */}
            <p className="mt-0.5 text-[12px] leading-relaxed break-words text-slate-400" title={errorInWords(t.message).detail ?? undefined}>
              {errorInWords(t.message).text}
            </p>
          </div>
          <button
            type="button"
            onClick={() => onDismiss(t.id)}
            className="focus-ring -m-1 rounded p-1 text-faint hover:bg-slate-800 hover:text-slate-300"
            aria-label="Dismiss notification"
          >
            <svg viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.6">
              <path d="M4 4l8 8M12 4l-8 8" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      ))}
    </div>
  );
}
