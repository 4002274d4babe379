/** The wrap-up and facts columns of a calls export: text cells formula-safe, JSON Lines structured. */
import { describe, expect, it } from 'vitest';
import { storedCallLiveFields } from '@shared/domain';
import { CALL_COLUMNS, csvCells, jsonObject, xlsxCells } from '../../../src/main/core/export/columns';
import type { ExportCall } from '../../../src/main/core/export/source';

const call: ExportCall = {
  id: 'c1', callSid: 'CA1', direction: 'inbound', from: '+15550100001', to: '+15550100999', status: 'ended', controller: 'ai',
  aiActivity: 'idle', startedAt: 0, endedAt: 60_000, scenario: null, utteranceCount: 2, callerSentiment: null, endReason: 'caller_hangup',
  ...storedCallLiveFields('ended', 'ai'),
  durationMs: 60_000, takenOver: false, takeoverAtMs: null, alertCount: 0, callerSentimentStart: null, callerSentimentEnd: null,
  disposition: 'callback', resolution: 'partial',
  wrapUpNotes: '=cmd|" /C calc"!A0',
  wrapUpSummary: { reason: 'Double charge', actions: 'Took the order number', resolution: 'partial', followUps: ['Call back at 5'] },
  facts: [{ key: '@order', value: '12345' }, { key: 'note', value: '=1+1' }],
  whispers: [{ atMs: 4000, text: 'Offer the loyalty discount' }, { atMs: 9000, text: '-ask for the order number' }],
};
const names = CALL_COLUMNS.map((c) => c.name);
const at = (name: string) => names.indexOf(name);

describe('wrap-up columns in a calls export', () => {
  it('CSV and Excel: one text cell each, prefixed where a spreadsheet would run it', () => {
    for (const cells of [csvCells(CALL_COLUMNS)(call), xlsxCells(CALL_COLUMNS)(call)]) {
      expect(cells[at('disposition')]).toBe('callback');
      expect(cells[at('resolution')]).toBe('partial');
      expect(cells[at('wrap_up_notes')]).toBe(`'=cmd|" /C calc"!A0`);
      expect(cells[at('facts')]).toBe("'@order: 12345; note: =1+1");
      expect(cells[at('whispers')]).toBe('Offer the loyalty discount\n-ask for the order number');
      expect(cells[at('wrap_up_summary')]).toBe('Reason: Double charge\nActions: Took the order number\nResolved: partial\nFollow-ups: Call back at 5');
    }
  });

  it('JSON Lines: the summary and facts as data, text exactly as stored', () => {
    const row = jsonObject(CALL_COLUMNS)(call);
    expect(row).toMatchObject({
      disposition: 'callback',
      wrap_up_notes: '=cmd|" /C calc"!A0',
      wrap_up_summary: call.wrapUpSummary,
      facts: call.facts,
      whispers: call.whispers,
    });
  });

  it('a call nobody wrapped up has empty cells, and no facts is an empty list in JSON', () => {
    const bare = { ...call, disposition: null, resolution: null, wrapUpNotes: null, wrapUpSummary: null, facts: [], whispers: [] };
    const csv = csvCells(CALL_COLUMNS)(bare);
    expect(['disposition', 'resolution', 'wrap_up_summary', 'wrap_up_notes', 'facts', 'whispers'].map((n) => csv[at(n)])).toEqual(['', '', '', '', '', '']);
    expect(jsonObject(CALL_COLUMNS)(bare)).toMatchObject({ disposition: null, wrap_up_summary: null, facts: [], whispers: [] });
  });
});
