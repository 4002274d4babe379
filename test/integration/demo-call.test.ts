/**
 * A whole demo call through the real pieces: the caller simulator dials the real media
 * bridge over loopback, speaks flite audio in real time, the offline engines answer by
 * voice, the agent takes over, speaks, hands back and ends the call; then the database
 * file is read back, and a restarted core still lists the call.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { loadScenarios } from '../../src/main/core/telephony/scenario';
import { RESOURCES_DIR, startHarness, wordErrorRate, type CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const sum = (chunks: Array<{ bytes: Buffer }>) => chunks.reduce((n, c) => n + c.bytes.length, 0);

describe('a whole demo call, phone frame to take-over to disk', () => {
  let harness: CoreHarness;
  afterAll(() => harness?.core.close());

  it('runs the call, hands it to the agent and back, and stores it durably', async () => {
    harness = await startHarness();
    const scenario = (await loadScenarios(RESOURCES_DIR)).find((s) => s.id === 'double-charge')!;
    const caller = new CallerSimulator({ ...harness.core.simulatedCall(), bridgeUrl: harness.core.bridgeUrl, scenario, voice: createFliteTts({ voice: scenario.voice }) });
    await caller.start();

    await until(() => harness.events.some((e) => e.name === 'call.updated' && e.payload.callSid === caller.callSid), 5000, 'call to appear');
    const callId = harness.callIdFor(caller.callSid)!;

    // Two caller lines, each answered by the AI, with the greeting before them.
    await until(() => harness.finals(callId).filter((u) => u.speaker === 'caller').length >= 2, 60_000, 'two caller lines');
    // Let the caller hear a second of the AI's answer before the agent cuts in.
    await until(() => harness.latest(callId)?.aiActivity === 'speaking', 30_000, 'the AI answering');
    await new Promise((r) => setTimeout(r, 1000));
    expect(harness.latest(callId)?.aiActivity).toBe('speaking');

    const callerLines = harness.finals(callId).filter((u) => u.speaker === 'caller');
    const heard = callerLines.map((u) => u.text).join(' ');
    const said = scenario.turns.slice(0, callerLines.length).map((t) => t.say).join(' ');
    console.log(`caller said: ${said}\nAI heard:    ${heard}\nWER ${wordErrorRate(said, heard).toFixed(3)}`);
    // The recogniser's accuracy is measured on its own test set; here the AI must have
    // caught what matters in each line.
    expect(heard).toMatch(/charged twice/);
    expect(heard).toMatch(/account number is four five six seven eight/);
    expect(wordErrorRate(said, heard)).toBeLessThanOrEqual(0.2);
    expect(callerLines.every((u) => u.sentiment !== null)).toBe(true);
    expect(harness.events.some((e) => e.name === 'call.suggestion' && e.payload.callId === callId)).toBe(true);
    const aiLines = harness.finals(callId).filter((u) => u.speaker === 'ai');
    expect(aiLines.length).toBeGreaterThanOrEqual(2);
    expect(aiLines[0]!.text).toMatch(/automated assistant/);

    // Take over while the AI is mid-reply: it stops at once and Twilio's queue is cleared.
    const takenOver = await harness.call('call.takeOver', { callId });
    expect(takenOver).toMatchObject({ controller: 'agent', aiActivity: 'detached' });
    // The agent gets the gist: what the caller wants, the details they gave, their last words.
    const takeover = harness.events.flatMap((e) => (e.name === 'call.event' && e.payload.callId === callId && e.payload.type === 'takeover' ? [e.payload] : []))[0]!;
    console.log(`handover summary: ${String(takeover.data.summary)}`);
    expect(takeover.data.summary).toMatch(/Wants: Charged twice/);
    expect(takeover.data.summary).toMatch(/account number 45678/);
    expect(takeover.data.summary).toMatch(/Last said: “.*four five six seven eight”/);
    await until(() => caller.report.clears.length >= 1, 2000, 'clear to reach the caller');
    const clearedAtMs = caller.report.clears[0]!;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sum(caller.report.received.filter((r) => r.atMs > clearedAtMs))).toBe(0);
    const cut = harness.finals(callId).filter((u) => u.speaker === 'ai').at(-1)!;
    expect(cut.interrupted).toBe(true);
    const planned = harness.events.flatMap((e) => (e.name === 'call.transcript' && e.payload.id === cut.id && !e.payload.final ? [e.payload.text] : [])).at(-1)!;
    expect(planned.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(planned.length);

    // The agent's typed line is spoken to the caller.
    // Hold belongs to calls on the softphone; a simulated call says so.
    const hold = await harness.core.dispatch('call.hold', { callId, hold: true });
    expect(hold).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/softphone/) } });

    // Two lines typed back to back are spoken in order, and both complete once heard.
    const line = await harness.call('call.say', { callId, text: 'This is Sam from billing, I can see the second charge.' });
    expect(line.speaker).toBe('agent');
    await harness.call('call.say', { callId, text: 'I have refunded it just now.' });
    await until(() => sum(caller.report.received.filter((r) => r.atMs > clearedAtMs)) > 8000, 5000, 'agent audio');
    await until(() => harness.finals(callId).filter((u) => u.speaker === 'agent').length === 2, 15_000, 'both agent lines heard');
    expect(harness.finals(callId).filter((u) => u.speaker === 'agent').map((u) => u.text)).toEqual([
      'This is Sam from billing, I can see the second charge.',
      'I have refunded it just now.',
    ]);

    expect(await harness.call('call.handBack', { callId })).toMatchObject({ controller: 'ai' });
    const ended = await harness.call('call.end', { callId });
    expect(ended).toMatchObject({ status: 'ended', endReason: 'agent_ended' });
    const report = await caller.done;
    expect(report.endedBy).toBe('app');
    expect(report.protocolErrors).toEqual([]);
    expect(sum(report.played)).toBeGreaterThan(8000 * 3);

    // What is on disk, read through a separate connection.
    const db = new Database(join(harness.dataDir, 'switchboard.db'), { readonly: true });
    const row = db.prepare('SELECT status, controller, end_reason FROM calls WHERE id = ?').get(callId);
    expect(row).toEqual({ status: 'ended', controller: 'ai', end_reason: 'agent_ended' });
    const speakers = db.prepare('SELECT speaker FROM utterances WHERE call_id = ? ORDER BY seq').all(callId).map((r) => (r as { speaker: string }).speaker);
    expect(speakers.filter((s) => s === 'caller').length).toBe(harness.finals(callId).filter((u) => u.speaker === 'caller').length);
    expect(speakers.filter((s) => s === 'agent')).toHaveLength(2);
    const types = db.prepare('SELECT type FROM call_events WHERE call_id = ? ORDER BY at_ms').all(callId).map((r) => (r as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['started', 'takeover', 'agent_message', 'handback', 'ended']));
    expect(types.filter((t) => t === 'ended')).toHaveLength(1);
    db.close();

    // A restart finds the call, with its transcript.
    await harness.core.close();
    harness = await startHarness(harness.dataDir);
    const listed = await harness.call('calls.list', { scope: 'ended' });
    expect(listed.map((c) => c.id)).toContain(callId);
    const detail = await harness.call('calls.get', { callId });
    expect(detail.utterances.length).toBe(speakers.length);
  });
});
