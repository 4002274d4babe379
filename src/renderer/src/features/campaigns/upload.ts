/**
 * A leads CSV from the team lead's disk to the core: read in the browser (UTF-8, or
 * Windows-1252 for a file Excel saved as plain "CSV", said so), sent with leads.upload in
 * pieces of at most MAX_UPLOAD_CHUNK_CHARS characters, the last of which answers with the
 * preview. Progress and problems go to the draft store, so the upload carries on (and its
 * result is kept) if the page is left meanwhile; a newer file supersedes one still uploading.
 */
import type { CommandOutput } from '@shared/contract';
import { client } from '../../lib/client';
import { useCampaignDraft } from './draft';
import { chunksOf, readCsvText } from './leads-file';

let generation = 0;
/** The file last chosen: sent again if the core dropped its upload (it keeps one for an hour). */
let lastFile: File | null = null;

export async function uploadLeadsFile(file: File): Promise<void> {
  const gen = ++generation;
  lastFile = file;
  const draft = useCampaignDraft.getState();
  const stale = () => gen !== generation;
  draft.setUpload({ status: 'reading', fileName: file.name, progress: 0, error: null, note: null, uploadId: null, preview: null });
  try {
    const { text, note } = await readCsvText(file);
    if (stale()) return;
    if (text.replace(/^\uFEFF/, '').trim() === '') {
      draft.setUpload({ status: 'error', error: 'The file is empty.' });
      return;
    }
    draft.setUpload({ status: 'uploading', note });
    const pieces = chunksOf(text);
    let uploadId: string | null = null;
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      const answer: CommandOutput<'leads.upload'> = await client.invoke('leads.upload', { uploadId, text: piece, last });
      if (stale()) return;
      uploadId = answer.uploadId;
      if (last) {
        if (!answer.preview) throw new Error('The console did not return a preview of the file.');
        const preview = answer.preview;
        draft.setUpload({ status: 'ready', progress: 1, uploadId, preview });
        // The mapping made so far stays when the file has its columns (the same file chosen
        // again after fixing a row); otherwise the suggested columns, every other one context.
        const mapping = useCampaignDraft.getState().mapping;
        const keep = mapping.number !== '' && preview.headers.includes(mapping.number);
        useCampaignDraft.getState().setMapping(
          keep
            ? {
                name: mapping.name !== null && preview.headers.includes(mapping.name) ? mapping.name : null,
                context: mapping.context?.filter((h) => preview.headers.includes(h)) ?? null,
              }
            : { number: preview.suggested?.number ?? '', name: preview.suggested?.name ?? null, context: null },
        );
      } else {
        draft.setUpload({ progress: (i + 1) / pieces.length });
      }
    }
  } catch (err) {
    if (stale()) return;
    draft.setUpload({ status: 'error', error: err instanceof Error ? err.message : 'The file could not be uploaded.' });
  }
}

/**
 * Sends the last chosen file again (the core dropped its upload: it keeps one for an hour).
 * True when it is back and ready.
 */
export async function uploadAgain(): Promise<boolean> {
  if (!lastFile) return false;
  await uploadLeadsFile(lastFile);
  return useCampaignDraft.getState().upload.status === 'ready';
}

/** Forgets the file (a newer upload in flight is abandoned). */
export function clearLeadsFile(): void {
  generation += 1;
  lastFile = null;
  useCampaignDraft.getState().setUpload({ status: 'idle', fileName: null, progress: 0, error: null, note: null, uploadId: null, preview: null });
}
