/** Scripted callers for the demo and the tests (resources/scenarios/*.json). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const ScenarioTurn = z.object({
  /** What the caller says. */
  say: z.string().min(1),
  /** Silence before speaking, after the AI has finished (ms). */
  pauseMs: z.number().int().min(0).max(10_000).default(400),
  /**
   * Cut in: start speaking this many ms after the AI starts its reply instead of
   * waiting for it to finish (exercises barge-in).
   */
  bargeInAfterMs: z.number().int().min(0).max(30_000).optional(),
});
export type ScenarioTurn = z.infer<typeof ScenarioTurn>;

export const CallerScenario = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  description: z.string(),
  from: z.string(),
  to: z.string(),
  /** flite voice for the caller; slt and rms are the ones the offline recogniser hears best. */
  voice: z.enum(['slt', 'rms', 'awb']).default('rms'),
  turns: z.array(ScenarioTurn).min(1),
  /** After the last turn and the AI's answer: hang up, or stay on the line until the call ends. */
  afterLastTurn: z.enum(['hang-up', 'stay']).default('stay'),
});
export type CallerScenario = z.infer<typeof CallerScenario>;

export async function loadScenarios(resourcesDir: string): Promise<CallerScenario[]> {
  const dir = join(resourcesDir, 'scenarios');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = CallerScenario.safeParse(JSON.parse(await readFile(join(dir, file), 'utf8')));
      if (!parsed.success) throw new Error(`scenario ${file} is invalid: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    }),
  );
}
