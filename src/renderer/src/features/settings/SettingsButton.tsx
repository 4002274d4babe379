/** The top bar's gear button; opens the Settings dialog. */
import { useState } from 'react';
import { Button } from '../../components/ui/Button';
import { shortcutLabel, useShortcut } from '../shortcuts/shortcuts';
import { SettingsDialog } from './SettingsDialog';

export function SettingsButton() {
  const [open, setOpen] = useState(false);
  useShortcut('settings', () => setOpen(true), !open);
  return (
    <>
      <Button
        variant="ghost"
        className="px-2"
        aria-label="Settings"
        title={`Settings (${shortcutLabel('settings')})`}
        aria-haspopup="dialog"
        data-testid="settings-button"
        onClick={() => setOpen(true)}
      >
        <GearIcon className="size-4" />
      </Button>
      <SettingsDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function GearIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" className={className} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" aria-hidden>
      <path d="M8.6 2.5h2.8l.4 2.1a5.6 5.6 0 0 1 1.5.9l2-.7 1.4 2.4-1.6 1.4a5.7 5.7 0 0 1 0 1.8l1.6 1.4-1.4 2.4-2-.7a5.6 5.6 0 0 1-1.5.9l-.4 2.1H8.6l-.4-2.1a5.6 5.6 0 0 1-1.5-.9l-2 .7-1.4-2.4 1.6-1.4a5.7 5.7 0 0 1 0-1.8L3.3 7.2l1.4-2.4 2 .7a5.6 5.6 0 0 1 1.5-.9z" />
      <circle cx="10" cy="10" r="2.3" />
    </svg>
  );
}
