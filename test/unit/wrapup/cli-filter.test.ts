/** `switchboard … --disposition`: the CLI builds the same CallFilter the console does. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFilterOptions, buildFilter, CliError, type FilterOptions } from '../../../src/cli/filter-options';

function parse(...args: string[]) {
  const command = addFilterOptions(new Command('calls')).exitOverride();
  command.parse(args, { from: 'user' });
  return buildFilter(command.opts<FilterOptions>());
}

describe('--disposition', () => {
  it('repeats or takes a comma-separated list', () => {
    expect(parse('--disposition', 'resolved,callback', '--disposition', 'wrong number')).toEqual({ dispositions: ['resolved', 'callback', 'wrong number'] });
  });

  it('refuses a name longer than any disposition can be, naming the option', () => {
    expect(() => parse('--disposition', 'x'.repeat(41))).toThrow(CliError);
    expect(() => parse('--disposition', 'x'.repeat(41))).toThrow(/^--disposition: /);
  });
});
