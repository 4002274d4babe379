/**
 * Settings → AI profiles (issue 15): the profiles on the left (version, articles, what uses
 * each), the selected one on the right in three tabs: its fields, its knowledge base, and Try
 * it. Field edits are a draft until Save; every save, article change and import is a new
 * version, which new calls use; a call in progress keeps the version it started with.
 */
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { AiProfileListItem } from '@shared/ai-profile';
import type { CommandOutput } from '@shared/contract';
import { Button } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { formatDateTime, formatPhone } from '../../lib/format';
import { Notice } from './form-parts';
import { KnowledgeBase } from './KnowledgeBase';
import { ProfileForm } from './ProfileForm';
import { NEW_PROFILE } from './store';
import { TryItPanel } from './TryItPanel';
import { useGreetingContext } from './useGreetingContext';
import { useProfileEditor, type ProfileEditor } from './useProfileEditor';

type ProvidersState = CommandOutput<'providers.get'>;

export function ProfilesSection({ providers }: { providers: ProvidersState | null }) {
  const editor = useProfileEditor();

  if (editor.list === null) {
    return editor.loadError ? (
      <p role="alert" className="rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] text-rose-300">
        {editor.loadError}
      </p>
    ) : (
      <div className="flex flex-col gap-3" aria-busy>
        {[0, 1, 2].map((i) => (
          <span key={i} className="h-9 animate-pulse rounded-md bg-slate-800/60" />
        ))}
      </div>
    );
  }

  return (
    <section aria-label="AI profiles" data-testid="ai-profiles" className="flex min-h-0 flex-col gap-3">
      <p className="text-[12px] text-faint">
        A profile is what an AI call runs with: its instructions, greetings, engines and voices, knowledge base and tools. Numbers choose one in
        Telephony; New AI call and campaigns choose one as they dial.
      </p>
      <div className="grid min-h-0 grid-cols-[13.5rem_minmax(0,1fr)] gap-4">
        <div className="flex min-w-0 flex-col gap-2">
          <ul aria-label="Profiles" className="flex flex-col divide-y divide-slate-800 overflow-hidden rounded-lg border border-slate-800 bg-slate-950/40">
            {editor.unsaved.has(NEW_PROFILE) ? (
              <ProfileListRow
                name={editor.selectedId === NEW_PROFILE ? editor.draft?.name.trim() || 'New profile' : 'New profile'}
                meta="Not saved yet"
                selected={editor.selectedId === NEW_PROFILE}
                unsaved
                onSelect={() => editor.select(NEW_PROFILE)}
                testId="profile-new"
              />
            ) : null}
            {editor.list.map((p) => (
              <ProfileListRow
                key={p.id}
                id={p.id}
                name={p.name}
                isDefault={p.isDefault}
                meta={`v${p.version} · ${p.articleCount === 1 ? '1 article' : `${p.articleCount} articles`}`}
                usage={usageWords(p)}
                selected={p.id === editor.selectedId}
                unsaved={editor.unsaved.has(p.id)}
                onSelect={() => editor.select(p.id)}
              />
            ))}
          </ul>
          <Button onClick={editor.create} data-testid="new-profile">
            New profile
          </Button>
        </div>

        <div className="min-w-0">
          {editor.selectedId ? (
            <ProfilePane key={editor.selectedId} editor={editor} providers={providers} />
          ) : (
            <p className="rounded-lg border border-dashed border-slate-800 px-4 py-8 text-center text-[12.5px] text-faint">Pick a profile on the left, or make a new one.</p>
          )}
        </div>
      </div>
    </section>
  );
}

/** "2 live calls · 1 campaign · answers +1 415 555 0100", or null when nothing uses it. */
function usageWords(p: AiProfileListItem): string | null {
  const parts: string[] = [];
  if (p.liveCalls > 0) parts.push(p.liveCalls === 1 ? '1 live call' : `${p.liveCalls} live calls`);
  if (p.campaigns > 0) parts.push(p.campaigns === 1 ? '1 campaign' : `${p.campaigns} campaigns`);
  if (p.numbers.length === 1) parts.push(`answers ${formatPhone(p.numbers[0]!)}`);
  else if (p.numbers.length > 1) parts.push(`answers ${p.numbers.length} numbers`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

function ProfileListRow({
  id,
  name,
  isDefault,
  meta,
  usage,
  selected,
  unsaved,
  onSelect,
  testId = 'profile-item',
}: {
  id?: string;
  name: string;
  isDefault?: boolean;
  meta: string;
  usage?: string | null;
  selected: boolean;
  unsaved: boolean;
  onSelect: () => void;
  testId?: string;
}) {
  return (
    <li data-testid={testId} data-profile-id={id} data-selected={selected || undefined} className={cn(selected ? 'bg-indigo-400/[0.08]' : 'hover:bg-slate-800/40')}>
      <button type="button" onClick={onSelect} aria-current={selected || undefined} className="focus-ring flex w-full min-w-0 flex-col gap-0.5 rounded px-2.5 py-2 text-left">
        <span className="flex min-w-0 items-center gap-1.5 text-[12.5px] text-slate-100">
          <span className="truncate" data-testid="profile-item-name">
            {name}
          </span>
          {isDefault && name.trim().toLowerCase() !== 'default' ? <span className="shrink-0 rounded bg-slate-800 px-1 text-[10.5px] font-medium text-slate-400">Default</span> : null}
          {unsaved ? (
            <span className="ml-auto shrink-0 text-[10.5px] font-medium text-indigo-300" data-testid="profile-unsaved">
              unsaved
            </span>
          ) : null}
        </span>
        <span className="truncate text-[11px] text-faint tabular-nums" data-testid="profile-item-meta">
          {meta}
        </span>
        {usage ? (
          <span className="truncate text-[11px] text-sky-200/80" data-testid="profile-item-usage">
            {usage}
          </span>
        ) : null}
      </button>
    </li>
  );
}

type PaneTab = 'profile' | 'knowledge' | 'try';
const PANE_TABS: { tab: PaneTab; name: string }[] = [
  { tab: 'profile', name: 'Profile' },
  { tab: 'knowledge', name: 'Knowledge base' },
  { tab: 'try', name: 'Try it' },
];

function ProfilePane({ editor, providers }: { editor: ProfileEditor; providers: ProvidersState | null }) {
  const greeting = useGreetingContext();
  const [tab, setTab] = useState<PaneTab>('profile');
  // Tabs stay mounted once opened, so a half-written article or caller line survives a switch.
  const [opened, setOpened] = useState<ReadonlySet<PaneTab>>(new Set(['profile']));
  const [revealAll, setRevealAll] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const formRef = useRef<HTMLDivElement>(null);
  const isNew = editor.selectedId === NEW_PROFILE;
  const { profile, draft } = editor;
  const listed = editor.list?.find((p) => p.id === editor.selectedId);
  const inUse = listed ? listed.liveCalls > 0 || listed.campaigns > 0 || listed.numbers.length > 0 : false;

  const open = (t: PaneTab) => {
    setTab(t);
    setOpened((s) => (s.has(t) ? s : new Set(s).add(t)));
  };

  const save = async () => {
    if (Object.keys(editor.problems).length > 0) {
      setRevealAll(true);
      open('profile');
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    if (await editor.save()) setRevealAll(false);
  };

  if (!draft) {
    return editor.profileError ? (
      <Notice tone="error">{editor.profileError}</Notice>
    ) : (
      <div className="flex flex-col gap-3" aria-busy>
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className="h-10 animate-pulse rounded-md bg-slate-800/60" />
        ))}
      </div>
    );
  }

  const problemCount = Object.keys(editor.problems).length;
  const version = profile?.version ?? 0;

  return (
    <div className="flex flex-col gap-3" data-testid="profile-editor" data-profile-id={isNew ? undefined : editor.selectedId} data-version={profile?.version}>
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="truncate text-[14px] font-semibold text-slate-100" data-testid="profile-title">
            {draft.name.trim() || (isNew ? 'New profile' : profile?.fields.name)}
          </h3>
          <p className="text-[11.5px] text-faint tabular-nums" data-testid="profile-version">
            {isNew ? 'Not saved yet' : profile ? `Version ${profile.version} · saved ${formatDateTime(profile.updatedAt)}` : null}
            {listed?.isDefault ? ' · the default: numbers without a profile, and calls that name none, use it' : ''}
          </p>
        </div>
        {!isNew ? (
          confirmDelete ? (
            <div className="flex shrink-0 items-center gap-1.5" role="group" aria-label="Delete this profile?">
              <span className="text-[12px] text-rose-200">Delete “{profile?.fields.name}”?</span>
              <Button
                size="sm"
                variant="danger"
                busy={editor.busy === 'delete'}
                disabled={editor.busy !== null}
                onClick={() => void editor.remove().then((ok) => !ok && setConfirmDelete(false))}
                data-testid="confirm-delete-profile"
              >
                Delete
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setConfirmDelete(false)} autoFocus>
                Keep
              </Button>
            </div>
          ) : (
            <div className="flex shrink-0 items-center gap-1.5">
              <Button size="sm" onClick={() => void editor.duplicate()} busy={editor.busy === 'duplicate'} disabled={editor.busy !== null} data-testid="duplicate-profile">
                Duplicate
              </Button>
              <Button
                size="sm"
                variant="danger"
                disabled={editor.busy !== null || listed?.isDefault}
                title={listed?.isDefault ? 'The default profile can’t be deleted' : inUse ? 'In use: the core will say what uses it' : undefined}
                onClick={() => setConfirmDelete(true)}
                data-testid="delete-profile"
              >
                Delete
              </Button>
            </div>
          )
        ) : null}
      </div>

      {editor.deleteError ? (
        <Notice tone="error" testId="profile-refusal">
          {editor.deleteError}
        </Notice>
      ) : null}
      {listed && inUse ? (
        <p className="text-[11.5px] text-sky-200/80" data-testid="profile-usage">
          In use: {usageWords(listed)}. It can't be deleted while anything uses it.
        </p>
      ) : null}

      <PaneTabs tab={tab} onChange={open} articles={profile?.articles.length ?? 0} disabled={isNew} />

      <div role="tabpanel" aria-label="Profile" hidden={tab !== 'profile'} ref={formRef}>
        <ProfileForm draft={draft} problems={editor.problems} revealAll={revealAll} providers={providers} greeting={greeting} onChange={editor.edit} />
      </div>
      {profile && opened.has('knowledge') ? (
        <div role="tabpanel" aria-label="Knowledge base" hidden={tab !== 'knowledge'}>
          <KnowledgeBase profile={profile} onSave={editor.saveArticle} onDelete={editor.deleteArticle} onImport={editor.importArticles} />
        </div>
      ) : null}
      {profile && opened.has('try') ? (
        <div role="tabpanel" aria-label="Try it" hidden={tab !== 'try'}>
          <TryItPanel profileId={profile.id} version={profile.version} dirty={editor.dirty} />
        </div>
      ) : null}

      {tab === 'profile' || editor.dirty ? (
        <SaveBar
          status={
            problemCount > 0 && revealAll ? (
              <span className="text-rose-300" data-testid="profile-invalid">
                {problemCount === 1 ? '1 field needs' : `${problemCount} fields need`} fixing before the profile can be saved.
              </span>
            ) : isNew ? (
              <span className="text-indigo-200">A new profile: save it to use it, add articles and try it.</span>
            ) : editor.dirty ? (
              <span className="text-indigo-200">
                Unsaved changes. Saving makes version {version + 1}: new calls use it; calls in progress keep version {version}.
              </span>
            ) : (
              <span className="text-faint">
                Saved. Changes apply to new calls, never to a call in progress: each save is a new version.
              </span>
            )
          }
          error={editor.saveError}
          dirty={editor.dirty}
          saving={editor.saving}
          isNew={isNew}
          onDiscard={() => {
            setRevealAll(false);
            editor.discard();
          }}
          onSave={() => void save()}
        />
      ) : null}
    </div>
  );
}

function PaneTabs({ tab, onChange, articles, disabled }: { tab: PaneTab; onChange: (tab: PaneTab) => void; articles: number; disabled: boolean }) {
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0 || disabled) return;
    e.preventDefault();
    const i = PANE_TABS.findIndex((t) => t.tab === tab);
    const next = PANE_TABS[(i + step + PANE_TABS.length) % PANE_TABS.length]!.tab;
    onChange(next);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-tab="${next}"]`)?.focus();
  };
  return (
    <div role="tablist" aria-label="Profile sections" className="flex gap-4 border-b border-slate-800" onKeyDown={onKeyDown}>
      {PANE_TABS.map(({ tab: t, name }) => {
        const off = disabled && t !== 'profile';
        return (
          <button
            key={t}
            type="button"
            role="tab"
            data-tab={t}
            aria-selected={tab === t}
            tabIndex={tab === t ? 0 : -1}
            disabled={off}
            title={off ? 'Save the profile first' : undefined}
            onClick={() => onChange(t)}
            data-testid={`profile-tab-${t}`}
            className={cn(
              'focus-ring -mb-px border-b-2 pb-2 text-[12.5px] font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50',
              tab === t ? 'border-indigo-400 text-slate-100' : 'border-transparent text-faint hover:text-slate-300',
            )}
          >
            {name}
            {t === 'knowledge' && !disabled ? <span className="ml-1.5 rounded-full bg-slate-800 px-1.5 text-[10.5px] text-slate-400 tabular-nums">{articles}</span> : null}
          </button>
        );
      })}
    </div>
  );
}

function SaveBar({
  status,
  error,
  dirty,
  saving,
  isNew,
  onDiscard,
  onSave,
}: {
  status: ReactNode;
  error: string | null;
  dirty: boolean;
  saving: boolean;
  isNew: boolean;
  onDiscard: () => void;
  onSave: () => void;
}) {
  return (
    <div
      className={cn(
        // Sticks to the scroller's padding edge (-bottom-4 = its py-4), so nothing shows beneath it.
        'sticky -bottom-4 z-10 -mr-5 -mb-4 flex flex-col gap-2 border-t bg-slate-900 py-2.5 pr-5',
        dirty ? 'border-indigo-400/25' : 'border-slate-800',
      )}
      data-testid="profile-save-bar"
    >
      {error ? (
        <Notice tone="error" testId="profile-save-error">
          The profile was not saved: {error}
        </Notice>
      ) : null}
      <div className="flex items-center gap-3">
        <p className="min-w-0 flex-1 text-[12px]" aria-live="polite">
          {status}
        </p>
        <Button variant="ghost" onClick={onDiscard} disabled={!dirty || saving}>
          {isNew ? 'Cancel' : 'Discard'}
        </Button>
        <Button variant="primary" onClick={onSave} disabled={!dirty || saving} busy={saving} data-testid="save-profile">
          {isNew ? 'Create profile' : 'Save'}
        </Button>
      </div>
    </div>
  );
}
