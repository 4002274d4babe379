/**
 * Settings → Business: the business name the AI answers with and the agent's own name. Each
 * field says what is wrong as it is typed (the limits are the contract's, so the core and the
 * form cannot disagree); Save sends both through `settings.update`, which keeps them in
 * settings.json. They apply to calls that start afterwards: a live call keeps the greeting it
 * was answered with.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { PublicSettings } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { client } from '../../lib/client';
import { cn } from '../../lib/cn';
import { useConnectEpoch } from '../connection/useConnection';
import { useSoftphoneStore } from '../softphone/store';
import { reportError } from '../toasts/store';

type NameKey = 'businessName' | 'agentName';

interface NameField {
  key: NameKey;
  label: string;
  hint: string;
  /** What the field is called inside a sentence ("Enter the business name"). */
  noun: string;
}

const FIELDS: NameField[] = [
  {
    key: 'businessName',
    label: 'Business name',
    noun: 'the business name',
    hint: 'The AI greets callers with it (“you’re through to …”) and uses it in its replies.',
  },
  {
    key: 'agentName',
    label: 'Your name',
    noun: 'your name',
    hint: 'Names your softphone with Twilio: calls you take over ring under it.',
  },
];

/** The contract's length limits for a name field, read from the schema itself. */
function limits(key: NameKey): { min: number; max: number } {
  const schema = PublicSettings.shape[key];
  return { min: schema.minLength ?? 1, max: schema.maxLength ?? 120 };
}

/** What is wrong with `text` for `field`, in plain words; null when it can be saved. */
export function nameProblem(field: Pick<NameField, 'key' | 'noun'>, text: string): string | null {
  const { min, max } = limits(field.key);
  const trimmed = text.trim();
  if (trimmed.length < min) return `Enter ${field.noun}.`;
  if (trimmed.length > max) return `Keep ${field.noun} to ${max} characters (now ${trimmed.length}).`;
  return null;
}

export function BusinessSection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const [saved, setSaved] = useState<PublicSettings | null>(null);
  const [drafts, setDrafts] = useState<Partial<Record<NameKey, string>>>({});
  const [saving, setSaving] = useState(false);
  const [justSaved, setJustSaved] = useState(false);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(setSaved, (err: unknown) => reportError("Couldn't load the business settings", err));
  }, [open, epoch]);

  const valueOf = (key: NameKey) => drafts[key] ?? saved?.[key] ?? '';
  const problems = Object.fromEntries(FIELDS.map((f) => [f.key, nameProblem(f, valueOf(f.key))])) as Record<NameKey, string | null>;
  const changed = saved !== null && FIELDS.some((f) => valueOf(f.key).trim() !== saved[f.key]);
  const canSave = changed && !saving && FIELDS.every((f) => problems[f.key] === null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave || !saved) return;
    const patch: Partial<Record<NameKey, string>> = {};
    for (const f of FIELDS) if (valueOf(f.key).trim() !== saved[f.key]) patch[f.key] = valueOf(f.key).trim();
    setSaving(true);
    client
      .invoke('settings.update', patch)
      .then(
        (next) => {
          setSaved(next);
          setDrafts({});
          setJustSaved(true);
          // The softphone registers under the agent's name: register again so take-overs of
          // new calls ring it under the new one (it waits if a call is on the line).
          if (patch.agentName !== undefined) useSoftphoneStore.getState().controls.retry();
        },
        (err: unknown) => reportError("Couldn't save the business settings", err),
      )
      .finally(() => setSaving(false));
  };

  return (
    <section aria-label="Business" data-testid="business-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Business</h3>
        <p className="mt-0.5 text-[12px] text-faint">Applies to calls that start after you save; live calls keep their greeting.</p>
      </div>
      <form className="rounded-lg border border-slate-800 bg-slate-950/40" onSubmit={onSubmit} noValidate>
        <div className="divide-y divide-slate-800">
          {FIELDS.map((field) => (
            <NameInput
              key={field.key}
              field={field}
              value={valueOf(field.key)}
              problem={saved === null ? null : problems[field.key]}
              disabled={saved === null}
              onChange={(text) => {
                setJustSaved(false);
                setDrafts((d) => ({ ...d, [field.key]: text }));
              }}
            />
          ))}
        </div>
        <div className="flex items-center justify-end gap-3 border-t border-slate-800 px-3 py-2">
          {justSaved ? (
            <span role="status" data-testid="business-saved" className="mr-auto text-[12px] text-emerald-300/90">
              Saved. New calls use these names.
            </span>
          ) : null}
          {changed ? (
            <Button variant="ghost" size="sm" onClick={() => setDrafts({})} disabled={saving}>
              Undo changes
            </Button>
          ) : null}
          <Button type="submit" size="sm" variant="primary" disabled={!canSave} busy={saving} data-testid="business-save">
            Save
          </Button>
        </div>
      </form>
    </section>
  );
}

function NameInput({
  field,
  value,
  problem,
  disabled,
  onChange,
}: {
  field: NameField;
  value: string;
  problem: string | null;
  disabled: boolean;
  onChange: (text: string) => void;
}) {
  const id = useId();
  const { max } = limits(field.key);
  return (
    <div className="grid grid-cols-[9.5rem_minmax(0,1fr)] items-start gap-3 px-3 py-2.5">
      <label htmlFor={id} className="pt-1.5 text-[13px] leading-tight text-slate-300">
        {field.label}
      </label>
      <div className="flex min-w-0 flex-col gap-1">
        <input
          id={id}
          data-testid={`setting-${field.key}`}
          type="text"
          value={value}
          disabled={disabled}
          // A little over the limit is allowed in the box so the count can say by how much.
          maxLength={max + 40}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem !== null}
          aria-describedby={`${id}-note`}
          onChange={(e) => onChange(e.target.value)}
          className={cn(
            'focus-ring h-8 min-w-0 rounded-md border bg-slate-900 px-2.5 text-[13px] text-slate-100 hover:border-slate-600 disabled:opacity-60',
            problem ? 'border-rose-400' : 'border-slate-700/80',
          )}
        />
        <p
          id={`${id}-note`}
          role={problem ? 'alert' : undefined}
          data-testid={problem ? `problem-${field.key}` : undefined}
          className={cn('text-[11.5px] leading-snug', problem ? 'text-rose-300' : 'text-faint')}
        >
          {problem ?? field.hint}
        </p>
      </div>
    </div>
  );
}
