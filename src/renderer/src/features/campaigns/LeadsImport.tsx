/**
 * The campaign's leads: a CSV file chosen (or dropped) here, uploaded as it is chosen; then its
 * first rows, and the mapping: which column is the number (required) and the name, which
 * other columns the AI gets as context (all, until some are unticked), and the country for
 * numbers written without +country. Rows the core cannot import are reported after Create;
 * they never stop the rest. It only takes props.
 */
import { useMemo, useRef, useState, type DragEvent } from 'react';
import type { LeadsPreview } from '@shared/campaign';
import { countryName, dialableCountries } from '@shared/phone';
import { Button, Spinner } from '../../components/ui/Button';
import { UploadIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import type { MappingDraft, Problems, UploadState } from './draft';
import { describedBy, Field, FormSection, FormSelect } from './form-parts';

const DELIMITER_WORDS: Record<LeadsPreview['delimiter'], string> = { ',': 'comma-separated', ';': 'semicolon-separated', '\t': 'tab-separated' };

export function LeadsImport({
  upload,
  mapping,
  defaultCountry,
  allowedCountries,
  problems,
  onFile,
  onClear,
  onMapping,
}: {
  upload: UploadState;
  mapping: MappingDraft;
  /** The country in effect (chosen, or the caller ID's). */
  defaultCountry: string | null;
  allowedCountries: string[];
  problems: Problems;
  onFile: (file: File) => void;
  onClear: () => void;
  onMapping: (patch: Partial<MappingDraft>) => void;
}) {
  const preview = upload.status === 'ready' ? upload.preview : null;
  return (
    <FormSection
      title="Leads"
      hint="A CSV file with a header row: a phone number per row, and any other columns you want the AI to know about."
      testId="leads-section"
    >
      <FilePicker upload={upload} problem={problems.leads} onFile={onFile} onClear={onClear} />
      {preview ? (
        <>
          <MappingFields
            preview={preview}
            mapping={mapping}
            defaultCountry={defaultCountry}
            allowedCountries={allowedCountries}
            problems={problems}
            onMapping={onMapping}
          />
          <PreviewTable preview={preview} mapping={mapping} />
        </>
      ) : null}
    </FormSection>
  );
}

function FilePicker({ upload, problem, onFile, onClear }: { upload: UploadState; problem: string | undefined; onFile: (file: File) => void; onClear: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const busy = upload.status === 'reading' || upload.status === 'uploading';
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) onFile(file);
  };
  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={cn(
        'flex flex-wrap items-center gap-3 rounded-md border border-dashed px-3 py-2.5',
        dragging ? 'border-indigo-400/60 bg-indigo-400/[0.06]' : problem ? 'border-rose-400/50' : 'border-slate-700',
      )}
      data-testid="leads-file"
      data-status={upload.status}
    >
      <input
        ref={input}
        id="campaign-leads-file"
        type="file"
        accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
        className="sr-only"
        tabIndex={-1}
        aria-hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = ''; // the same file again (after fixing it) is a new choice
        }}
        data-testid="leads-file-input"
      />
      <Button
        id="campaign-leads"
        variant={upload.status === 'ready' ? 'secondary' : 'primary'}
        icon={<UploadIcon className="size-3.5" />}
        onClick={() => input.current?.click()}
        disabled={busy}
        aria-describedby={describedBy('campaign-leads', true, problem)}
      >
        {upload.status === 'ready' || upload.status === 'error' ? 'Choose another file…' : 'Choose CSV file…'}
      </Button>
      <div className="flex min-w-0 flex-1 flex-col gap-0.5" id="campaign-leads-hint" aria-live="polite">
        {upload.status === 'idle' ? (
          <span className="text-[12px] text-faint">or drop it here. Comma, semicolon and tab-separated files all work.</span>
        ) : upload.status === 'reading' ? (
          <span className="flex items-center gap-2 text-[12px] text-slate-300">
            <Spinner className="size-3" /> Reading {upload.fileName}…
          </span>
        ) : upload.status === 'uploading' ? (
          <span className="flex items-center gap-2 text-[12px] text-slate-300">
            <Spinner className="size-3" /> Uploading {upload.fileName}… {Math.round(upload.progress * 100)} %
          </span>
        ) : upload.status === 'ready' && upload.preview ? (
          <span className="truncate text-[12px] text-slate-300" data-testid="leads-file-summary">
            <span className="font-medium text-slate-100">{upload.fileName}</span> · {upload.preview.totalRows.toLocaleString()}{' '}
            {upload.preview.totalRows === 1 ? 'row' : 'rows'} · {upload.preview.headers.length} columns, {DELIMITER_WORDS[upload.preview.delimiter]}
          </span>
        ) : upload.status === 'error' ? (
          <span role="alert" className="text-[12px] text-rose-300" data-testid="leads-file-error">
            {upload.fileName ? `${upload.fileName}: ` : ''}
            {upload.error}
          </span>
        ) : null}
        {upload.note ? <span className="text-[11.5px] leading-snug text-amber-200/90">{upload.note}</span> : null}
      </div>
      {upload.status === 'ready' || upload.status === 'error' ? (
        <Button variant="ghost" size="sm" onClick={onClear}>
          Remove
        </Button>
      ) : null}
      {problem && upload.status !== 'error' ? (
        <p id="campaign-leads-problem" role="alert" data-testid="field-problem" className="w-full text-[12px] text-rose-300">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

function MappingFields({
  preview,
  mapping,
  defaultCountry,
  allowedCountries,
  problems,
  onMapping,
}: {
  preview: LeadsPreview;
  mapping: MappingDraft;
  defaultCountry: string | null;
  allowedCountries: string[];
  problems: Problems;
  onMapping: (patch: Partial<MappingDraft>) => void;
}) {
  const countries = useMemo(() => {
    const all = dialableCountries();
    const allowed = new Set(allowedCountries);
    return { allowed: all.filter((c) => allowed.has(c.code)), other: all.filter((c) => !allowed.has(c.code)) };
  }, [allowedCountries]);
  const contextChoices = preview.headers.filter((h) => h !== mapping.number && h !== mapping.name);
  const chosen = new Set(mapping.context ?? contextChoices);
  const toggleContext = (header: string) => {
    const next = new Set(chosen);
    if (next.has(header)) next.delete(header);
    else next.add(header);
    onMapping({ context: contextChoices.filter((h) => next.has(h)) });
  };
  const numberProblem = problems['mapping.number'];

  return (
    <div className="flex flex-col gap-4" data-testid="leads-mapping">
      <div className="grid grid-cols-[repeat(auto-fill,minmax(13rem,1fr))] gap-4">
        <Field id="map-number" label="Phone number column" problem={numberProblem}>
          <FormSelect
            id="map-number"
            value={mapping.number}
            onChange={(e) => onMapping({ number: e.target.value })}
            aria-invalid={numberProblem ? true : undefined}
            aria-describedby={describedBy('map-number', false, numberProblem)}
          >
            <option value="">Choose a column…</option>
            {preview.headers.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </FormSelect>
        </Field>
        <Field id="map-name" label="Name column" optional>
          <FormSelect id="map-name" value={mapping.name ?? ''} onChange={(e) => onMapping({ name: e.target.value || null })}>
            <option value="">No name column</option>
            {preview.headers
              .filter((h) => h !== mapping.number)
              .map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
          </FormSelect>
        </Field>
        <Field
          id="map-country"
          label="Default country"
          hint={defaultCountry ? `Numbers written without +country are read as ${countryName(defaultCountry)} numbers.` : 'Every number must start with + and its country code.'}
        >
          <FormSelect
            id="map-country"
            value={defaultCountry ?? ''}
            onChange={(e) => onMapping({ defaultCountry: e.target.value || null })}
            aria-describedby="map-country-hint"
          >
            <option value="">None: +country numbers only</option>
            {countries.allowed.length > 0 ? (
              <optgroup label="Countries calls may go to">
                {countries.allowed.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name} (+{c.callingCode})
                  </option>
                ))}
              </optgroup>
            ) : null}
            <optgroup label="Other countries">
              {countries.other.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} (+{c.callingCode})
                </option>
              ))}
            </optgroup>
          </FormSelect>
        </Field>
      </div>
      {contextChoices.length > 0 ? (
        <fieldset className="flex flex-col gap-1.5" data-testid="context-columns">
          <legend className="mb-1.5 flex w-full items-baseline gap-3 text-[12px] font-medium text-slate-300">
            Context for the AI
            <span className="text-[11.5px] font-normal text-faint">
              {chosen.size === contextChoices.length ? 'Every other column' : `${chosen.size} of ${contextChoices.length} columns`}: the AI can use them in the call
              (e.g. a renewal date).
            </span>
          </legend>
          <div className="flex flex-wrap gap-1.5">
            {contextChoices.map((h) => {
              const on = chosen.has(h);
              return (
                <label key={h} className="relative">
                  <input type="checkbox" className="peer sr-only" checked={on} onChange={() => toggleContext(h)} />
                  <span
                    className={cn(
                      'flex h-7 cursor-pointer items-center gap-1.5 rounded-full border px-2.5 text-[12px] transition-colors peer-focus-visible:ring-2 peer-focus-visible:ring-indigo-400',
                      on ? 'border-sky-400/40 bg-sky-400/10 text-sky-100' : 'border-slate-700/80 text-slate-500 line-through decoration-slate-600 hover:border-slate-600',
                    )}
                  >
                    <span aria-hidden>{on ? '✓' : '+'}</span>
                    {h}
                  </span>
                </label>
              );
            })}
            {chosen.size < contextChoices.length ? (
              <Button variant="ghost" size="sm" onClick={() => onMapping({ context: null })}>
                All
              </Button>
            ) : (
              <Button variant="ghost" size="sm" onClick={() => onMapping({ context: [] })}>
                None
              </Button>
            )}
          </div>
        </fieldset>
      ) : null}
    </div>
  );
}

type Role = 'number' | 'name' | 'context' | 'unused';
const ROLE_WORDS: Record<Role, string> = { number: 'Number', name: 'Name', context: 'Context', unused: 'Not used' };
const ROLE_TONE: Record<Role, string> = {
  number: 'bg-emerald-400/15 text-emerald-200',
  name: 'bg-indigo-400/15 text-indigo-200',
  context: 'bg-sky-400/10 text-sky-200',
  unused: 'bg-slate-800 text-faint',
};

/** The file's first rows, each column marked with what it becomes. */
function PreviewTable({ preview, mapping }: { preview: LeadsPreview; mapping: MappingDraft }) {
  const roleOf = (h: string): Role =>
    h === mapping.number ? 'number' : h === mapping.name ? 'name' : mapping.context === null || mapping.context.includes(h) ? 'context' : 'unused';
  const roles = preview.headers.map(roleOf);
  return (
    <div className="flex flex-col gap-1.5">
      <p className="text-[12px] text-slate-400">
        The first {Math.min(preview.rows.length, preview.totalRows)} of {preview.totalRows.toLocaleString()} rows, as read:
      </p>
      <div className="max-h-72 overflow-auto rounded-md border border-slate-800" tabIndex={0} role="region" aria-label="First rows of the file">
        <table className="w-max min-w-full border-collapse text-left text-[12px]" data-testid="leads-preview">
          <thead className="sticky top-0 bg-slate-950">
            <tr>
              <th scope="col" className="border-b border-slate-800 px-2.5 py-1.5 align-bottom text-[11px] font-medium text-slate-500">
                Line
              </th>
              {preview.headers.map((h, i) => (
                <th key={h} scope="col" className="border-b border-slate-800 px-2.5 py-1.5 align-bottom" data-role={roles[i]}>
                  <span className="flex flex-col gap-1">
                    <span className={cn('w-fit rounded px-1 text-[10px] leading-4 font-semibold tracking-wide uppercase', ROLE_TONE[roles[i]!])}>
                      {ROLE_WORDS[roles[i]!]}
                    </span>
                    <span className={cn('font-medium whitespace-nowrap', roles[i] === 'unused' ? 'text-faint' : 'text-slate-200')}>{h}</span>
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, r) => (
              <tr key={r} className="border-b border-slate-800/60 last:border-0">
                {/* The file's own line numbers: the import report names rows by them. */}
                <td className="px-2.5 py-1 text-right font-mono text-[11px] text-slate-500">{preview.lines[r]}</td>
                {preview.headers.map((h, i) => (
                  <td
                    key={h}
                    className={cn(
                      'max-w-64 truncate px-2.5 py-1',
                      roles[i] === 'number' ? 'font-mono text-slate-100' : roles[i] === 'unused' ? 'text-faint' : 'text-slate-300',
                    )}
                    title={row[i]}
                  >
                    {row[i] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
