/**
 * The campaign form's own logic (issue 15): problems in the shared schema's words, beside the
 * right field (the hours' rule at once, not only once every other field passes), the column
 * mapping as the core takes it, and the leads file read and cut into upload pieces.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN_PACE, MAX_UPLOAD_CHUNK_CHARS } from '@shared/campaign';
import { leadsProblems, mappingOf, settingsOf, settingsProblems, type SettingsDraft, type UploadState } from '../../src/renderer/src/features/campaigns/draft';
import { chunksOf, readCsvText } from '../../src/renderer/src/features/campaigns/leads-file';
import { daysInWords } from '../../src/renderer/src/features/campaigns/words';

const NUMBERS = ['+14155550199'];
const good: SettingsDraft = {
  name: 'Spring reminders',
  purpose: 'Remind customers their service is due.',
  script: '',
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
  maxAttempts: '3',
  retryAfterMinutes: { no_answer: '240', busy: '30', failed: '60', voicemail: '240' },
  callsPerMinute: '6',
  maxConcurrent: '5',
  callerId: '',
  machineDetection: false,
};

describe('campaign settings problems', () => {
  it('has none for a complete draft, and sends the first number as the caller ID', () => {
    expect(settingsProblems(good, NUMBERS)).toEqual({});
    expect(settingsOf(good, NUMBERS)).toMatchObject({ callerId: '+14155550199', maxAttempts: 3, callsPerMinute: 6, days: [1, 2, 3, 4, 5] });
    expect(settingsOf({ ...good, days: [5, 1, 3] }, NUMBERS).days).toEqual([1, 3, 5]);
  });

  it('says what is wrong beside each field, in the schema’s words, with plain words where it has none', () => {
    const problems = settingsProblems(
      { ...good, name: ' ', purpose: '', days: [], maxAttempts: '0', callsPerMinute: '', maxConcurrent: '2.5', retryAfterMinutes: { ...good.retryAfterMinutes, busy: '0' } },
      NUMBERS,
    );
    expect(problems).toMatchObject({
      name: 'a campaign needs a name',
      purpose: 'say why the AI is calling',
      days: 'choose at least one day',
      maxAttempts: 'at least 1 attempt',
      callsPerMinute: 'Enter a number',
      maxConcurrent: 'a whole number of calls',
      'retryAfterMinutes.busy': 'at least 1',
    });
    expect(settingsProblems({ ...good, name: 'x'.repeat(81) }, NUMBERS).name).toBe('at most 80 characters');
  });

  it('flags hours that end before they start while other fields still have problems', () => {
    expect(settingsProblems({ ...good, name: '', start: '18:00', end: '09:00' }, NUMBERS)).toMatchObject({
      name: 'a campaign needs a name',
      end: 'the hours must start before they end',
    });
    expect(settingsProblems({ ...good, start: '00:00', end: '24:00' }, NUMBERS)).toEqual({});
  });

  it('needs a caller-ID number from Settings → Telephony', () => {
    expect(settingsProblems(good, []).callerId).toMatch(/Settings → Telephony/);
  });

  it('starts from the shared default pace', () => {
    expect(DEFAULT_CAMPAIGN_PACE.maxAttempts).toBe(Number(good.maxAttempts));
  });
});

describe('leads and their mapping', () => {
  const ready: UploadState = {
    status: 'ready',
    fileName: 'leads.csv',
    progress: 1,
    error: null,
    note: null,
    uploadId: 'u1',
    preview: { uploadId: 'u1', headers: ['Who', 'Contact', 'Plan'], rows: [], lines: [], totalRows: 3, delimiter: ',', suggested: null },
  };

  it('needs a finished upload and its number column', () => {
    expect(leadsProblems({ ...ready, status: 'idle', preview: null }, { number: '', name: null, context: null, defaultCountry: undefined })).toHaveProperty('leads');
    expect(leadsProblems({ ...ready, status: 'uploading' }, { number: '', name: null, context: null, defaultCountry: undefined }).leads).toMatch(/Wait/);
    expect(leadsProblems(ready, { number: '', name: null, context: null, defaultCountry: undefined })).toHaveProperty('mapping.number');
    expect(leadsProblems(ready, { number: 'Contact', name: null, context: null, defaultCountry: undefined })).toEqual({});
  });

  it('omits context for every other column, and never lists the number or name as context', () => {
    expect(mappingOf({ number: 'Contact', name: 'Who', context: null, defaultCountry: 'US' }, 'US')).toEqual({ number: 'Contact', name: 'Who', defaultCountry: 'US' });
    expect(mappingOf({ number: 'Contact', name: 'Who', context: ['Who', 'Plan', 'Contact'], defaultCountry: undefined }, null)).toEqual({
      number: 'Contact',
      name: 'Who',
      context: ['Plan'],
      defaultCountry: null,
    });
  });
});

describe('the leads file', () => {
  it('reads UTF-8, and Windows-1252 with a note when the bytes are not UTF-8', async () => {
    expect(await readCsvText(new Blob(['Name,Phone\nChloé,+14155550101\n']))).toEqual({ text: 'Name,Phone\nChloé,+14155550101\n', note: null });
    const latin = await readCsvText(new Blob([new Uint8Array([0x43, 0x68, 0x6c, 0x6f, 0xe9])]));
    expect(latin.text).toBe('Chloé');
    expect(latin.note).toMatch(/not UTF-8/);
  });

  it('cuts the text into pieces the command takes, never splitting a character', () => {
    const text = `${'a'.repeat(MAX_UPLOAD_CHUNK_CHARS - 1)}😀${'b'.repeat(10)}`;
    const pieces = chunksOf(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => p.length <= MAX_UPLOAD_CHUNK_CHARS)).toBe(true);
    expect(pieces[0]!.endsWith('a')).toBe(true); // the emoji's two halves stay together
    expect(chunksOf('')).toEqual(['']);
    expect(chunksOf('x'.repeat(MAX_UPLOAD_CHUNK_CHARS * 2))).toHaveLength(2);
  });

  it('says the days as schedules are read', () => {
    expect(daysInWords([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(daysInWords([0, 1, 2, 3, 4, 5, 6])).toBe('Every day');
    expect(daysInWords([1, 2, 3, 5, 6])).toBe('Mon–Wed, Fri, Sat');
  });
});
