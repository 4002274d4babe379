/**
 * "This desk / Team": which database the view reads (issue 12). Shown only when Team sync is
 * set up; the choice is part of the URL, so it survives a reload and travels with links.
 */
import type { DataSource } from '@shared/history';
import { Segmented } from '../../components/ui/fields';
import { cn } from '../../lib/cn';

const options: Array<{ value: DataSource; label: string }> = [
  { value: 'desk', label: 'This desk' },
  { value: 'team', label: 'Team' },
];

export function SourceSwitch({ source, onChange }: { source: DataSource; onChange: (source: DataSource) => void }) {
  return <Segmented label="Calls from" value={source} options={options} onChange={onChange} testId="source-switch" />;
}

/** The desk a team row came from. */
export function DeskChip({ desk, className }: { desk: string; className?: string }) {
  return (
    <span
      className={cn('inline-block max-w-full truncate rounded bg-sky-400/10 px-1.5 text-[11px] leading-[18px] text-sky-200 ring-1 ring-sky-400/20 ring-inset', className)}
      title={`Taken on ${desk}`}
      data-testid="desk-chip"
    >
      {desk}
    </span>
  );
}
