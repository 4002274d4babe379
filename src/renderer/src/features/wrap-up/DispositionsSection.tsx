/**
 * Settings → Wrap-up: the dispositions an agent chooses from when wrapping a call up. Adding
 * or removing one saves at once; a name that is empty, too long or already there is refused
 * in plain words. Saved wrap-ups keep the name they were saved with.
 */
import { useEffect, useId, useState } from 'react';
import { dispositionLabel } from '@shared/wrapup';
import { Button } from '../../components/ui/Button';
import { CloseIcon } from '../../components/ui/icons';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

const MAX_NAME_CHARS = 40;
const MAX_DISPOSITIONS = 30;

export function DispositionsSection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const inputId = useId();
  const [list, setList] = useState<string[] | null>(null);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(
      (s) => setList(s.dispositions),
      (err: unknown) => reportError("Couldn't load the wrap-up dispositions", err),
    );
  }, [open, epoch]);

  const save = (next: string[]) => {
    setBusy(true);
    client
      .invoke('settings.update', { dispositions: next })
      .then((s) => {
        setList(s.dispositions);
        setProblem(null);
      })
      .catch((err: unknown) => setProblem(err instanceof Error ? err.message : 'Could not save the list.'))
      .finally(() => setBusy(false));
  };

  const add = () => {
    if (!list) return;
    const name = draft.trim();
    if (name === '') return setProblem('Type a name first.');
    if (name.length > MAX_NAME_CHARS) return setProblem(`A disposition name has at most ${MAX_NAME_CHARS} characters.`);
    if (list.some((d) => d.toLowerCase() === name.toLowerCase())) return setProblem(`“${name}” is already in the list.`);
    if (list.length >= MAX_DISPOSITIONS) return setProblem(`At most ${MAX_DISPOSITIONS} dispositions.`);
    setDraft('');
    save([...list, name]);
  };

  return (
    <section aria-label="Wrap-up dispositions" data-testid="disposition-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Wrap-up</h3>
        <p className="mt-0.5 text-[12px] text-faint">The dispositions agents choose from when they wrap a call up.</p>
      </div>
      <div className="flex flex-col gap-2.5 rounded-lg border border-slate-800 bg-slate-950/40 px-3 py-2.5">
        <ul className="flex flex-wrap gap-1.5" data-testid="disposition-list">
          {(list ?? []).map((d) => (
            <li key={d} className="flex items-center gap-1 rounded-md border border-slate-700/80 bg-slate-900 py-0.5 pr-0.5 pl-2 text-[12px] text-slate-200">
              {dispositionLabel(d)}
              <button
                type="button"
                className="focus-ring rounded p-0.5 text-faint hover:text-slate-200 disabled:opacity-40"
                aria-label={`Remove ${d}`}
                disabled={busy || list!.length <= 1}
                title={list!.length <= 1 ? 'Keep at least one disposition' : `Remove ${d}`}
                onClick={() => save(list!.filter((x) => x !== d))}
              >
                <CloseIcon className="size-3" />
              </button>
            </li>
          ))}
        </ul>
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            add();
          }}
        >
          <label htmlFor={inputId} className="sr-only">
            New disposition
          </label>
          <input
            id={inputId}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="Add a disposition…"
            maxLength={MAX_NAME_CHARS + 10}
            className="focus-ring h-7 min-w-0 flex-1 rounded-md border border-slate-700/80 bg-slate-900 px-2 text-[12.5px] text-slate-100 placeholder:text-faint"
            data-testid="disposition-input"
          />
          <Button type="submit" size="sm" disabled={busy || list === null}>
            Add
          </Button>
        </form>
        {problem ? (
          <p role="alert" className="text-[12px] text-rose-300">
            {problem}
          </p>
        ) : null}
      </div>
    </section>
  );
}
