/** A native select of AI profiles, the default first-class ("Default" beside its name). Props only. */
import type { SelectHTMLAttributes } from 'react';
import type { AiProfileListItem } from '@shared/ai-profile';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';

export function ProfileSelect({
  profiles,
  value,
  onChange,
  className,
  selectClassName,
  ...rest
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & {
  profiles: readonly AiProfileListItem[];
  value: string;
  onChange: (profile: AiProfileListItem) => void;
  selectClassName?: string;
}) {
  return (
    <span className={cn('relative flex min-w-0 items-center', className)}>
      <select
        {...rest}
        value={value}
        onChange={(e) => {
          const chosen = profiles.find((p) => p.id === e.target.value);
          if (chosen) onChange(chosen);
        }}
        className={cn(
          'focus-ring h-8 w-full min-w-0 appearance-none truncate rounded-md border border-slate-700/80 bg-slate-900 pr-7 pl-2.5 text-[12px] text-slate-200 [color-scheme:dark] hover:border-slate-600 disabled:opacity-60',
          selectClassName,
        )}
      >
        {profiles.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
            {p.isDefault && p.name.trim().toLowerCase() !== 'default' ? ' (default)' : ''}
          </option>
        ))}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
    </span>
  );
}
