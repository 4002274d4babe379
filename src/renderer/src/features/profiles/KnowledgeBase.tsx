/**
 * A profile's knowledge base: its articles (add, edit, delete) and Markdown files imported as
 * articles. The files are read here and sent to the core in pieces a console socket takes; what
 * it added, replaced and refused is shown. Each change is a new version of the profile. An
 * article being written stays in its box when the core refuses it.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { MAX_ARTICLE_CHARS, MAX_ARTICLES, articleIdFor, type AiProfile, type KbArticle, type KbArticleInput } from '@shared/ai-profile';
import { Button } from '../../components/ui/Button';
import { fieldClass } from '../../components/ui/fields';
import { BookIcon, SearchIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { articleProblems } from './draft';
import { Field, Notice, describedBy, textareaClass } from './form-parts';
import { importBatches, readMarkdownFiles } from './import-files';
import type { ImportResult } from './useProfileEditor';

type Editing = { id: string | null; title: string; body: string; tried: boolean };

export function KnowledgeBase({
  profile,
  onSave,
  onDelete,
  onImport,
}: {
  profile: AiProfile;
  onSave: (article: KbArticleInput) => Promise<string | null>;
  onDelete: (articleId: string) => Promise<string | null>;
  onImport: (files: { name: string; text: string }[]) => Promise<ImportResult | string>;
}) {
  const [editing, setEditing] = useState<Editing | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<{ id: string; message: string } | null>(null);
  const [importing, setImporting] = useState(false);
  const [imported, setImported] = useState<(ImportResult & { files: number }) | null>(null);
  const [find, setFind] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);
  const findId = useId();

  const articles = profile.articles;
  const needle = find.trim().toLowerCase();
  const shown = needle ? articles.filter((a) => a.title.toLowerCase().includes(needle) || a.body.toLowerCase().includes(needle)) : articles;
  const full = articles.length >= MAX_ARTICLES;

  const startAdd = () => {
    setSaveError(null);
    setEditing((e) => (e && e.id === null ? e : { id: null, title: '', body: '', tried: false }));
  };

  const save = async () => {
    if (!editing) return;
    const article = { ...(editing.id ? { id: editing.id } : {}), title: editing.title, body: editing.body };
    if (Object.keys(articleProblems(article)).length > 0) {
      setEditing({ ...editing, tried: true });
      return;
    }
    setSaving(true);
    const refusal = await onSave(article);
    setSaving(false);
    setSaveError(refusal);
    if (refusal === null) setEditing(null);
  };

  const remove = async (id: string) => {
    setDeleting(true);
    const refusal = await onDelete(id);
    setDeleting(false);
    setDeleteError(refusal === null ? null : { id, message: refusal });
    if (refusal === null) setConfirming(null);
  };

  const onFiles = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const files = [...list];
    setImporting(true);
    setImported(null);
    const { ready, problems } = await readMarkdownFiles(files);
    const result: ImportResult = { added: 0, replaced: 0, problems };
    for (const batch of importBatches(ready)) {
      const answer = await onImport(batch);
      if (typeof answer === 'string') {
        result.problems.push(`${batch.map((f) => f.name).join(', ')}: ${answer}`);
      } else {
        result.added += answer.added;
        result.replaced += answer.replaced;
        result.problems.push(...answer.problems);
      }
    }
    setImported({ ...result, files: files.length });
    setImporting(false);
    if (fileRef.current) fileRef.current.value = '';
  };

  // One editor: above the list for a new article, in place of the article being edited.
  const editor = editing ? (
    <ArticleEditor
      editing={editing}
      existing={articles}
      saving={saving}
      refusal={saveError}
      onChange={setEditing}
      onSave={() => void save()}
      onCancel={() => {
        setEditing(null);
        setSaveError(null);
      }}
    />
  ) : null;

  return (
    <div className="flex flex-col gap-3" data-testid="knowledge-base">
      <p className="text-[12px] text-faint">
        The AI answers from these articles: a cloud model looks them up, the offline engine quotes the one that matches the caller's words. Write
        them as you'd say them. Each change saves a new version; calls in progress keep theirs. An imported file starts with{' '}
        <code className="font-mono text-slate-400"># Title</code>; it replaces an article with the same title.
      </p>

      <div className="flex flex-wrap items-center gap-2">
        <Button variant="primary" size="sm" onClick={startAdd} disabled={full} data-testid="add-article">
          Add article
        </Button>
        <Button size="sm" onClick={() => fileRef.current?.click()} busy={importing} disabled={importing || full} data-testid="import-articles-button">
          Import Markdown files…
        </Button>
        <input
          ref={fileRef}
          type="file"
          multiple
          accept=".md,.markdown,.txt,text/markdown,text/plain"
          className="sr-only"
          tabIndex={-1}
          aria-label="Markdown files to import"
          data-testid="import-articles"
          onChange={(e) => void onFiles(e.target.files)}
        />
        <span className="ml-auto text-[11.5px] text-faint tabular-nums" data-testid="article-count">
          {articles.length} of {MAX_ARTICLES} articles
        </span>
      </div>

      {imported ? <ImportOutcome result={imported} onDismiss={() => setImported(null)} /> : null}

      {editing && editing.id === null ? editor : null}

      {articles.length > 8 ? (
        <div className="relative flex items-center">
          <label htmlFor={findId} className="sr-only">
            Find an article
          </label>
          <SearchIcon className="pointer-events-none absolute left-2.5 size-3.5 text-faint" />
          <input id={findId} type="search" value={find} onChange={(e) => setFind(e.target.value)} placeholder="Find an article" className={cn(fieldClass, 'w-full pl-8')} />
        </div>
      ) : null}

      {articles.length === 0 ? (
        <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed border-slate-800 px-4 py-8 text-center">
          <BookIcon className="size-5 text-faint" />
          <p className="text-[12.5px] text-slate-300">No articles yet</p>
          <p className="max-w-80 text-[12px] text-faint">Add one, or import the Markdown files you already have. Without articles the AI can only hand over questions it can't answer.</p>
        </div>
      ) : (
        <ul className="flex flex-col divide-y divide-slate-800 overflow-hidden rounded-lg border border-slate-800 bg-slate-950/40" aria-label="Articles">
          {shown.map((article) =>
            editing && editing.id === article.id ? (
              <li key={article.id} className="p-2">
                {editor}
              </li>
            ) : (
              <ArticleRow
                key={article.id}
                article={article}
                confirming={confirming === article.id}
                deleting={deleting && confirming === article.id}
                refusal={deleteError?.id === article.id ? deleteError.message : null}
                onEdit={() => {
                  setSaveError(null);
                  setEditing({ id: article.id, title: article.title, body: article.body, tried: false });
                }}
                onAskDelete={() => {
                  setDeleteError(null);
                  setConfirming(article.id);
                }}
                onCancelDelete={() => setConfirming(null)}
                onDelete={() => void remove(article.id)}
              />
            ),
          )}
          {needle && shown.length === 0 ? <li className="px-3 py-3 text-[12px] text-faint">No article mentions “{find.trim()}”.</li> : null}
        </ul>
      )}
    </div>
  );
}

function ArticleRow({
  article,
  confirming,
  deleting,
  refusal,
  onEdit,
  onAskDelete,
  onCancelDelete,
  onDelete,
}: {
  article: KbArticle;
  confirming: boolean;
  deleting: boolean;
  refusal: string | null;
  onEdit: () => void;
  onAskDelete: () => void;
  onCancelDelete: () => void;
  onDelete: () => void;
}) {
  return (
    <li className="flex flex-col gap-1.5 px-3 py-2.5" data-testid="article" data-article-id={article.id}>
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="truncate text-[12.5px] font-medium text-slate-100" data-testid="article-title">
            {article.title}
          </div>
          <p className="mt-0.5 line-clamp-2 text-[12px] leading-snug text-slate-400" data-testid="article-body">
            {article.body}
          </p>
        </div>
        {confirming ? (
          <div className="flex shrink-0 items-center gap-1.5" role="group" aria-label={`Delete ${article.title}?`}>
            <span className="text-[12px] text-rose-200">Delete it?</span>
            <Button size="sm" variant="danger" onClick={onDelete} busy={deleting} disabled={deleting} data-testid="confirm-delete-article">
              Delete
            </Button>
            <Button size="sm" variant="ghost" onClick={onCancelDelete} autoFocus>
              Keep
            </Button>
          </div>
        ) : (
          <div className="flex shrink-0 items-center gap-1">
            <Button size="sm" variant="ghost" onClick={onEdit} aria-label={`Edit ${article.title}`} data-testid="edit-article">
              Edit
            </Button>
            <Button size="sm" variant="ghost" onClick={onAskDelete} aria-label={`Delete ${article.title}`} data-testid="delete-article">
              Delete
            </Button>
          </div>
        )}
      </div>
      {refusal ? <Notice tone="error">{refusal}</Notice> : null}
    </li>
  );
}

function ArticleEditor({
  editing,
  existing,
  saving,
  refusal,
  onChange,
  onSave,
  onCancel,
}: {
  editing: Editing;
  existing: readonly KbArticle[];
  saving: boolean;
  refusal: string | null;
  onChange: (next: Editing) => void;
  onSave: () => void;
  onCancel: () => void;
}) {
  const ids = { title: useId(), body: useId() };
  const problems = articleProblems({ title: editing.title, body: editing.body });
  const show = (key: 'title' | 'body') => (editing.tried ? problems[key] : undefined);
  // A new article's id comes from its title: one that is taken replaces that article.
  const replaces = editing.id === null && editing.title.trim() !== '' ? existing.find((a) => a.id === articleIdFor(editing.title)) : undefined;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    onSave();
  };
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="flex flex-col gap-3 rounded-lg border border-indigo-400/25 bg-slate-900 p-3"
      data-testid="article-editor"
      aria-label={editing.id ? `Edit ${editing.title || 'article'}` : 'New article'}
    >
      <Field id={ids.title} label="Title" problem={show('title')} count={{ used: editing.title.trim().length, max: 200 }}>
        <input
          id={ids.title}
          value={editing.title}
          autoFocus
          autoComplete="off"
          onChange={(e) => onChange({ ...editing, title: e.target.value })}
          placeholder="e.g. Late fees"
          className={cn(fieldClass, 'w-full')}
          data-testid="article-title-input"
          {...describedBy(ids.title, show('title'), false)}
        />
      </Field>
      <Field
        id={ids.body}
        label="Text"
        problem={show('body')}
        count={{ used: editing.body.trim().length, max: MAX_ARTICLE_CHARS }}
        hint="Plain sentences the AI can say; no Markdown formatting is read out."
      >
        <textarea
          id={ids.body}
          rows={7}
          value={editing.body}
          onChange={(e) => onChange({ ...editing, body: e.target.value })}
          className={cn(textareaClass, 'min-h-32')}
          data-testid="article-body-input"
          {...describedBy(ids.body, show('body'), true)}
        />
      </Field>
      {replaces ? (
        <Notice tone="info" testId="article-replaces">
          An article called “{replaces.title}” exists: saving this one replaces it.
        </Notice>
      ) : null}
      {refusal ? (
        <Notice tone="error" testId="article-refusal">
          The article was not saved: {refusal}
        </Notice>
      ) : null}
      <div className="flex items-center justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" size="sm" busy={saving} disabled={saving} data-testid="save-article">
          {editing.id ? 'Save article' : 'Add article'}
        </Button>
      </div>
    </form>
  );
}

function ImportOutcome({ result, onDismiss }: { result: ImportResult & { files: number }; onDismiss: () => void }) {
  const done = result.added + result.replaced;
  return (
    <div data-testid="import-result" className="flex flex-col gap-1.5">
      <Notice tone={result.problems.length > 0 && done === 0 ? 'error' : result.problems.length > 0 ? 'info' : 'ok'} role={done === 0 && result.problems.length > 0 ? 'alert' : 'status'}>
        <div className="flex items-start gap-2">
          <span className="min-w-0 flex-1">
            {result.files === 1 ? '1 file' : `${result.files} files`}: <span data-testid="import-added">{result.added} added</span>,{' '}
            <span data-testid="import-replaced">{result.replaced} replaced</span>
            {result.problems.length > 0 ? `, ${result.problems.length === 1 ? '1 problem' : `${result.problems.length} problems`}` : ''}.
          </span>
          <button type="button" onClick={onDismiss} className="focus-ring rounded px-1 text-[11.5px] text-slate-400 hover:text-slate-200">
            Dismiss
          </button>
        </div>
        {result.problems.length > 0 ? (
          <ul className="mt-1 flex list-disc flex-col gap-0.5 pl-4 text-[11.5px]" data-testid="import-problems">
            {result.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        ) : null}
      </Notice>
    </div>
  );
}
