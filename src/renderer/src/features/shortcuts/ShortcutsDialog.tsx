/** "?" shows every keyboard shortcut, from the one table they are bound from. */
import { useState } from 'react';
import { Button } from '../../components/ui/Button';
import { Modal } from '../../components/ui/Modal';
import { SHORTCUTS, useShortcut } from './shortcuts';

export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  useShortcut('help', () => setOpen(true), !open);
  return (
    <Modal open={open} onClose={() => setOpen(false)} testId="shortcuts-dialog" className="w-[min(30rem,calc(100vw-2rem))]">
      {(titleId) => (
        <div className="flex flex-col gap-3 p-5">
          <h2 id={titleId} className="text-[15px] font-semibold text-slate-100">
            Keyboard shortcuts
          </h2>
          <p className="text-[12.5px] text-slate-400">They work anywhere but inside a text field. Esc closes dialogs.</p>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-[13px]">
            {Object.values(SHORTCUTS).map((s) => (
              <div key={s.keys} className="contents">
                <dt>
                  <kbd className="rounded border border-slate-700 bg-slate-800 px-1.5 py-0.5 font-mono text-[12px] text-slate-200">{s.label}</kbd>
                </dt>
                <dd className="text-slate-300">{s.description}</dd>
              </div>
            ))}
          </dl>
          <div className="flex justify-end">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Done
            </Button>
          </div>
        </div>
      )}
    </Modal>
  );
}
