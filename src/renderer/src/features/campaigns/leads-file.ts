/**
 * A leads file as text, in the pieces leads.upload takes: decoded as UTF-8, or as
 * Windows-1252 (what Excel writes for plain "CSV") when it is not, with a note saying so; cut
 * into pieces of at most MAX_UPLOAD_CHUNK_CHARS characters that never split a character.
 */
import { MAX_UPLOAD_CHUNK_CHARS } from '@shared/campaign';

/** The file's text, and a note when it was not UTF-8. */
export async function readCsvText(file: Blob): Promise<{ text: string; note: string | null }> {
  const bytes = await file.arrayBuffer();
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), note: null };
  } catch {
    return {
      text: new TextDecoder('windows-1252').decode(bytes),
      note: 'This file is not UTF-8, so it was read as Windows-1252 (Excel’s plain “CSV”). If names look wrong, save it as “CSV UTF-8” and choose it again.',
    };
  }
}

/** The text in pieces of at most `max` characters, never splitting a surrogate pair. */
export function chunksOf(text: string, max = MAX_UPLOAD_CHUNK_CHARS): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate: keep the pair together
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces.length > 0 ? pieces : [''];
}
