/**
 * Try it: type as the caller, read the AI's replies with this profile's saved version and the
 * engines a new call would use (text only). Each reply says which engine wrote it, the tools it
 * used and the articles that match the caller's line. A line the core did not answer goes
 * back into the box.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { AiToolName } from '@shared/ai-profile';
import { Button, Spinner } from '../../components/ui/Button';
import { Segmented } from '../../components/ui/fields';
import { BookIcon, SendIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { engineLabel, errorInWords } from '../../lib/format';
import { Notice, textareaClass } from './form-parts';
import { TOOL_WORDS } from './ProfileForm';
import { MAX_TRY_TURNS, type TryTurn } from './try-session';
import { useTryIt } from './useTryIt';

export function TryItPanel({ profileId, version, dirty }: { profileId: string; version: number; dirty: boolean }) {
  const tryIt = useTryIt(profileId);
  const { session } = tryIt;
  const [text, setText] = useState('');
  const inputId = useId();
  const logRef = useRef<HTMLDivElement>(null);
  const stale = session.version !== null && version > session.version;

  // Keep the newest line in view.
  const lines = session.turns.length * 2 + (session.greeting ? 1 : 0) + (session.turns.at(-1)?.reply ? 1 : 0);
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [lines]);

  const send = () => {
    const line = text.trim();
    if (line === '' || tryIt.busy || tryIt.full) return;
    setText('');
    void tryIt.send(line).then((ok) => {
      // Not answered: the line comes back (unless something new was typed meanwhile).
      if (!ok) setText((now) => (now === '' ? line : now));
    });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <div className="flex flex-col gap-3" data-testid="try-it">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <Segmented
          label="The call"
          value={session.direction}
          options={[
            { value: 'inbound', label: 'Caller rings in' },
            { value: 'outbound', label: 'AI calls out' },
          ]}
          onChange={(direction) => direction !== session.direction && tryIt.reset(direction)}
          testId="try-direction"
        />
        <Button size="sm" variant="secondary" onClick={() => tryIt.reset()} disabled={session.turns.length === 0 && session.error === null} data-testid="try-reset">
          Reset
        </Button>
        <p className="min-w-0 flex-1 text-[11.5px] leading-snug text-faint">
          Version {version} as saved, with the engines a new call would use. Nothing is spoken, dialled or stored.
        </p>
      </div>
      {dirty || stale ? (
        <div className="-mt-1 flex flex-col gap-0.5 text-[11.5px] text-amber-200">
          {dirty ? <span data-testid="try-unsaved">The Profile tab has unsaved changes; Try it uses them once they are saved.</span> : null}
          {stale ? (
            <span data-testid="try-stale">Saved as version {version} since this began: the next reply uses it. Reset to hear its greeting.</span>
          ) : null}
        </div>
      ) : null}

      <div
        ref={logRef}
        role="log"
        aria-label="Try it conversation"
        aria-live="polite"
        // As tall as leaves the caller's box in view in the Settings dialog (at most 46rem high).
        className="max-h-[max(9rem,calc(min(46rem,100vh-2rem)-29rem))] min-h-24 overflow-y-auto rounded-lg border border-slate-800 bg-slate-950/40 p-3"
        data-testid="try-log"
      >
        <ol className="flex flex-col gap-3">
          {session.greeting !== null ? (
            <AiLine text={session.greeting} note="Greeting" testId="try-greeting" />
          ) : session.error === null || session.turns.length > 0 ? (
            <li className="flex items-center gap-2 text-[12px] text-faint">
              <Spinner className="size-3" /> The AI picks up…
            </li>
          ) : null}
          {session.turns.map((turn, i) => (
            <Exchange key={i} turn={turn} />
          ))}
        </ol>
      </div>

      {session.error ? (
        <Notice tone="error" testId="try-error">
          The AI didn't answer: <span title={errorInWords(session.error).detail ?? undefined}>{errorInWords(session.error).text}</span>
        </Notice>
      ) : null}

      {tryIt.full ? (
        <Notice tone="info" testId="try-full">
          This conversation has reached {MAX_TRY_TURNS} exchanges, as long as Try it goes. Reset to start another.
        </Notice>
      ) : null}

      <form onSubmit={onSubmit} className="flex items-end gap-2" data-testid="try-form">
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <label htmlFor={inputId} className="text-[12px] font-medium text-slate-300">
            What the caller says
          </label>
          <textarea
            id={inputId}
            rows={2}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            disabled={tryIt.full}
            placeholder="e.g. Are you open on Saturdays?  (Enter sends, Shift+Enter for a new line)"
            className={cn(textareaClass, 'min-h-14')}
            data-testid="try-input"
          />
        </div>
        <Button
          type="submit"
          variant="primary"
          busy={tryIt.busy}
          disabled={tryIt.busy || tryIt.full || text.trim() === '' || text.trim().length > 2000}
          icon={<SendIcon className="size-3.5" />}
          data-testid="try-send"
        >
          Send
        </Button>
      </form>
      {text.trim().length > 2000 ? <p className="-mt-2 text-[12px] text-rose-300">A line has at most 2,000 characters (now {text.trim().length.toLocaleString('en')}).</p> : null}
    </div>
  );
}

function Exchange({ turn }: { turn: TryTurn }) {
  const reply = turn.reply;
  return (
    <>
      <li className="flex flex-col items-end gap-0.5" data-testid="try-caller">
        <span className="text-[10.5px] font-medium tracking-wide text-faint uppercase">Caller</span>
        <p className="max-w-[80%] rounded-lg rounded-tr-sm bg-slate-800 px-3 py-1.5 text-[12.5px] leading-relaxed whitespace-pre-wrap text-slate-100">{turn.caller}</p>
      </li>
      {reply === null ? (
        <li className="flex items-center gap-2 text-[12px] text-faint" data-testid="try-thinking">
          <Spinner className="size-3" /> The AI is answering…
        </li>
      ) : (
        <AiLine text={reply.reply} testId="try-reply">
          <div className="mt-1.5 flex flex-col gap-1 text-[11.5px]">
            {reply.articles.length > 0 ? (
              <div className="flex flex-wrap items-center gap-1.5" data-testid="try-articles">
                <span className="text-faint">Matching articles</span>
                {reply.articles.map((a) => (
                  <span
                    key={a.id}
                    data-testid="try-article"
                    data-article-id={a.id}
                    className="inline-flex h-5 items-center gap-1 rounded-full bg-emerald-400/10 px-2 text-emerald-200 ring-1 ring-emerald-400/25 ring-inset"
                  >
                    <BookIcon className="size-3" />
                    {a.title}
                  </span>
                ))}
              </div>
            ) : (
              <span className="text-faint" data-testid="try-no-articles">
                No article matches this line.
              </span>
            )}
            {reply.tools.length > 0 ? (
              <ul className="flex flex-col gap-0.5" data-testid="try-tools" aria-label="Tools used">
                {reply.tools.map((t, i) => (
                  <li key={i} data-testid="try-tool" data-tool={t.name} className="text-violet-200">
                    <span className="font-medium">{TOOL_WORDS[t.name as AiToolName]?.label ?? t.name}</span>
                    {argsText(t.args) ? <span className="text-slate-400"> · {argsText(t.args)}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
            <span className="text-faint" data-testid="try-engine" title={reply.engine}>
              {engineLabel(reply.engine)} · version {reply.version}
            </span>
          </div>
        </AiLine>
      )}
    </>
  );
}

function argsText(args: Record<string, unknown>): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? `“${v}”` : JSON.stringify(v)}`)
    .join(', ');
}

function AiLine({ text, note, testId, children }: { text: string; note?: string; testId: string; children?: ReactNode }) {
  return (
    <li className="flex flex-col items-start gap-0.5" data-testid={testId}>
      <span className="text-[10.5px] font-medium tracking-wide text-indigo-300/80 uppercase">AI{note ? ` · ${note}` : ''}</span>
      <div className="max-w-[85%] rounded-lg rounded-tl-sm bg-indigo-400/10 px-3 py-1.5 ring-1 ring-indigo-400/20 ring-inset">
        <p className="text-[12.5px] leading-relaxed whitespace-pre-wrap text-slate-100" data-testid={`${testId}-text`}>
          {text || <span className="text-faint italic">(no words: a tool only)</span>}
        </p>
        {children}
      </div>
    </li>
  );
}
