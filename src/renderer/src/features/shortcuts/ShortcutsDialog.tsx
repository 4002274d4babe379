/** "?" shows every keyboard shortcut, from the one table they are bound from. */
import { useState } from 'react';
import { Button } from '../../components/ui/Button';
import { Modal } from '../../components/ui/Modal';
import { SHORTCUTS, shortcutLabel, useShortcut, type ShortcutId } from './shortcuts';

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
            {(Object.keys(SHORTCUTS) as ShortcutId[]).map((id) => (
              <div key={id} className="contents">
                <dt>
                  <kbd className="rounded border border-slate-700 bg-slate-800 px-1.5 py-0.5 font-mono text-[12px] text-slate-200">{shortcutLabel(id)}</kbd>
                </dt>
                <dd className="text-slate-300">{SHORTCUTS[id].description}</dd>
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
