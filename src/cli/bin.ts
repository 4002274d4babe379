/** The `switchboard` program: src/cli/switchboard.mjs runs this module (see there). */
import { run } from './main';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
