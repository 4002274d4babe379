/**
 * A campaign's leads from CSV (issue 15): the real csv-parse and libphonenumber metadata on
 * files shaped like the ones teams export from their CRMs and spreadsheets.
 */
import { describe, expect, it } from 'vitest';
import { importLeadsCsv, LeadImportError, MAX_CONTEXT_CHARS, normaliseLeadNumber, previewLeadsCsv, type ImportedLead } from '../../../src/main/core/campaigns/lead-import';

const CRM_EXPORT = [
  'Full Name,Phone Number,Plan,Notes',
  'Ada Lovelace,+14155550123,Fibre 500,"Asked about upgrades, call after 5"',
  'Grace Hopper,(415) 555-0124,Basic,',
  'Bad Row,12345,Basic,too short',
  'No Number,,Basic,',
  'Ada Again,+1 415 555 0123,Fibre 500,same as line 2',
  'Alan Turing,+442079460958,Fibre 900,UK',
].join('\r\n');

describe('previewing a leads CSV', () => {
  it('reads the columns and first rows, counts the rows and guesses the number and name columns', async () => {
    const preview = await previewLeadsCsv(CRM_EXPORT);
    expect(preview.headers).toEqual(['Full Name', 'Phone Number', 'Plan', 'Notes']);
    expect(preview.totalRows).toBe(6);
    expect(preview.delimiter).toBe(',');
    expect(preview.rows[0]).toEqual(['Ada Lovelace', '+14155550123', 'Fibre 500', 'Asked about upgrades, call after 5']);
    // Numbered as the import's report numbers rows: the header is line 1.
    expect(preview.lines).toEqual([2, 3, 4, 5, 6, 7]);
    expect(preview.suggested).toEqual({ number: 'Phone Number', name: 'Full Name' });
  });

  it('a byte-order mark, semicolons (European spreadsheets) and tabs are read as such', async () => {
    const semicolons = await previewLeadsCsv('\uFEFFName;Mobile;City\n"Smith; J";+33612345678;Paris\n');
    expect(semicolons.delimiter).toBe(';');
    expect(semicolons.headers).toEqual(['Name', 'Mobile', 'City']);
    expect(semicolons.rows[0]).toEqual(['Smith; J', '+33612345678', 'Paris']);
    expect((await previewLeadsCsv('tel\tname\n+14155550123\tAda\n')).rows[0]).toEqual(['+14155550123', 'Ada']);
  });

  it('no column looks like a number: no suggestion (the UI asks)', async () => {
    expect((await previewLeadsCsv('a,b\n1,2\n')).suggested).toBeNull();
  });
});

describe('importing leads', () => {
  it('good rows become leads (E.164, name, every other column as context); bad rows are reported with their line and reason', async () => {
    const result = await importLeadsCsv(CRM_EXPORT, { number: 'Phone Number', name: 'Full Name', defaultCountry: 'US' });
    expect(result.leads).toEqual([
      { line: 2, number: '+14155550123', country: 'US', name: 'Ada Lovelace', context: { Plan: 'Fibre 500', Notes: 'Asked about upgrades, call after 5' } },
      { line: 3, number: '+14155550124', country: 'US', name: 'Grace Hopper', context: { Plan: 'Basic' } },
      { line: 7, number: '+442079460958', country: 'GB', name: 'Alan Turing', context: { Plan: 'Fibre 900', Notes: 'UK' } },
    ]);
    expect(result.rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'invalid_number'],
      [5, 'missing_number'],
      [6, 'duplicate_number'],
    ]);
    expect(result.rejected[2]!.message).toBe('line 6: +14155550123 is already on line 2');
  });

  it('without a default country only international numbers are accepted, and the message says how to fix it', async () => {
    const result = await importLeadsCsv(CRM_EXPORT, { number: 'Phone Number', name: null, context: ['Plan'], defaultCountry: null });
    expect(result.leads.map((l) => l.number)).toEqual(['+14155550123', '+442079460958']);
    expect(result.leads[0]).toMatchObject({ name: null, context: { Plan: 'Fibre 500' } });
    const grace = result.rejected.find((r) => r.line === 3)!;
    expect(grace.reason).toBe('invalid_number');
    expect(grace.message).toMatch(/\(415\) 555-0124.*choose a default country/);
  });

  it('a row csv-parse cannot read (a stray quote) is reported and skipped; the rows after it still import', async () => {
    const text = 'name,phone\nAda,+14155550123\nBad "quote,+14155550125\nGrace,+14155550124\n';
    const result = await importLeadsCsv(text, { number: 'phone', name: 'name', defaultCountry: null });
    expect(result.leads.map((l) => l.name)).toEqual(['Ada', 'Grace']);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ line: 3, reason: 'malformed_row' });
  });

  it('rows with fewer or more cells than the header import what they have', async () => {
    const result = await importLeadsCsv('phone,name,plan\n+14155550123\n+14155550124,Grace,Basic,extra\n', { number: 'phone', name: 'name', defaultCountry: null });
    expect(result.leads.map((l) => [l.number, l.name, l.context])).toEqual([
      ['+14155550123', null, {}],
      ['+14155550124', 'Grace', { plan: 'Basic' }],
    ]);
  });

  it('long context values are cut for the prompt', async () => {
    const result = await importLeadsCsv(`phone,notes\n+14155550123,${'x'.repeat(2000)}\n`, { number: 'phone', name: null, defaultCountry: null });
    expect(result.leads[0]!.context.notes).toHaveLength(MAX_CONTEXT_CHARS);
  });

  it('a file that cannot be imported at all says why', async () => {
    const mapping = { number: 'phone', name: null, defaultCountry: null };
    await expect(importLeadsCsv('', mapping)).rejects.toThrow(LeadImportError);
    await expect(importLeadsCsv('', mapping)).rejects.toThrow(/empty/);
    await expect(importLeadsCsv('name,mobile\nAda,+14155550123\n', mapping)).rejects.toThrow(/the number column "phone" is not in the file \(its columns: name, mobile\)/);
    await expect(importLeadsCsv('phone,phone\n+14155550123,x\n', mapping)).rejects.toThrow(/two columns are both called "phone"/);
    await expect(importLeadsCsv('phone\n+14155550123\n', { ...mapping, defaultCountry: 'usa' })).rejects.toThrow(/not a country code/);
  });

  it('a big file is read in pieces: its leads reach the sink a piece at a time, the event loop turning between, none kept', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Lead ${i},+1415555${String(1000 + i).padStart(4, '0')},"note, ${i}"`);
    const text = ['name,phone,note', ...rows].join('\n');
    const pieces: number[] = [];
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const result = await importLeadsCsv(text, { number: 'phone', name: 'name', defaultCountry: null }, (leads) => {
      pieces.push(leads.length);
    });
    clearInterval(ticker);
    expect(result).toMatchObject({ imported: 3000, leads: [], rejected: [] });
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(pieces.length).toBeGreaterThan(3);
    expect(turns).toBeGreaterThan(0);
    // Lines stay right across pieces (a quoted comma, CRLF or not).
    const last: ImportedLead[] = [];
    await importLeadsCsv(text, { number: 'phone', name: 'name', defaultCountry: null }, (leads) => void last.splice(0, last.length, ...leads));
    expect(last.at(-1)).toMatchObject({ line: 3001, name: 'Lead 2999', context: { note: 'note, 2999' } });
  });
});

describe('lead numbers', () => {
  it('E.164, 00-prefixed and national numbers (with the default country) normalise; junk does not', () => {
    expect(normaliseLeadNumber('+44 20 7946 0958', null)).toEqual({ e164: '+442079460958', country: 'GB' });
    expect(normaliseLeadNumber('0044 20 7946 0958', null)?.e164).toBe('+442079460958');
    expect(normaliseLeadNumber('020 7946 0958', 'GB')?.e164).toBe('+442079460958');
    expect(normaliseLeadNumber('020 7946 0958', null)).toBeNull();
    expect(normaliseLeadNumber('call me', 'US')).toBeNull();
    expect(normaliseLeadNumber('+1 555', null)).toBeNull();
  });
});
