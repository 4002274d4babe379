import { useState } from 'react';
import { FieldError, fieldClass } from '../../components/ui/fields';
import { cn } from '../../lib/cn';

/** A number input that lets the field be empty or half-typed while editing ("Enter a number" until it is one). */
export function NumberField({
  label,
  unit,
  hint,
  value,
  step = 1,
  problem,
  testId,
  onChange,
}: {
  label: string;
  unit?: string;
  hint?: string;
  value: number;
  step?: number;
  problem?: string | undefined;
  testId?: string;
  onChange: (value: number) => void;
}) {
  const [text, setText] = useState(Number.isFinite(value) ? String(value) : '');
  return (
    <label className="flex flex-col gap-1" title={hint}>
      <span className="text-[11.5px] font-medium text-slate-400">{label}</span>
      <span className="flex items-center gap-1.5">
        <input
          type="number"
          inputMode="decimal"
          step={step}
          className={cn(fieldClass, 'w-24 tabular-nums')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            onChange(e.target.value.trim() === '' ? Number.NaN : Number(e.target.value));
          }}
          aria-invalid={problem ? true : undefined}
          data-testid={testId}
        />
        {unit ? <span className="text-[12px] text-faint">{unit}</span> : null}
      </span>
      {problem ? <FieldError testId="rule-problem">{problem}</FieldError> : null}
    </label>
  );
}
