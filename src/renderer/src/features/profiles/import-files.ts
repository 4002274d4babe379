/**
 * Markdown files picked for import, read in the browser and cut into requests the core takes:
 * at most 50 files and 40,000 characters a file (the contract), and small enough for one frame
 * of the headless console's socket (256 KB; a bigger frame closes the connection).
 */
const MAX_FILES_PER_REQUEST = 50;
const MAX_FILE_CHARS = 40_000;
const MAX_NAME_CHARS = 200;
/** Room under the socket's 256 KB frame for the request's envelope. */
const MAX_REQUEST_BYTES = 200 * 1024;

export interface ImportFile {
  name: string;
  text: string;
}

const MARKDOWN = /\.(md|markdown|txt)$/i;
const bytes = (file: ImportFile) => new TextEncoder().encode(JSON.stringify(file)).length;

/** The files' text, and what is wrong with those that can't be sent (said by file name). */
export async function readMarkdownFiles(files: readonly File[]): Promise<{ ready: ImportFile[]; problems: string[] }> {
  const ready: ImportFile[] = [];
  const problems: string[] = [];
  for (const file of files) {
    if (!MARKDOWN.test(file.name)) {
      problems.push(`${file.name}: not a Markdown file (.md, .markdown or .txt).`);
      continue;
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      problems.push(`${file.name}: couldn't be read.`);
      continue;
    }
    const entry = { name: file.name.slice(0, MAX_NAME_CHARS), text };
    if (text.length > MAX_FILE_CHARS) {
      problems.push(`${file.name}: ${text.length.toLocaleString('en')} characters; a file can have at most ${MAX_FILE_CHARS.toLocaleString('en')}. Split it into smaller articles.`);
    } else if (bytes(entry) > MAX_REQUEST_BYTES) {
      problems.push(`${file.name}: too large to send in one piece. Split it into smaller articles.`);
    } else {
      ready.push(entry);
    }
  }
  return { ready, problems };
}

/** Files in requests of at most 50 files and MAX_REQUEST_BYTES each, in the order picked. */
export function importBatches(files: readonly ImportFile[]): ImportFile[][] {
  const batches: ImportFile[][] = [];
  let batch: ImportFile[] = [];
  let size = 0;
  for (const file of files) {
    const b = bytes(file);
    if (batch.length > 0 && (batch.length >= MAX_FILES_PER_REQUEST || size + b > MAX_REQUEST_BYTES)) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(file);
    size += b;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
