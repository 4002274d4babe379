/**
 * The console's keyboard shortcuts: one table. The renderer binds them where each action lives
 * and lists them in its cheat sheet; the Electron shell's native menu shows the ones marked
 * `menu` and, when chosen from the menu, asks the renderer to run the very same action.
 *
 * `keys` is react-hotkeys-hook's syntax (`mod` is ⌘ on a Mac, Ctrl elsewhere); `accelerator`
 * is Electron's, for the menu. Single keys never fire while the agent types in a field.
 */
export const SHORTCUTS = {
  nextCall: { keys: 'j', label: 'J', description: 'Next live call (the order of the list)' },
  previousCall: { keys: 'k', label: 'K', description: 'Previous live call' },
  nextAttention: {
    keys: 'n',
    label: 'N',
    description: 'Next call needing you (waiting for a person, an alert, or the AI paused)',
    menu: { label: 'Next Call Needing You', accelerator: 'N' },
  },
  takeOver: { keys: 't', label: 'T', description: 'Take over the open call', menu: { label: 'Take Over', accelerator: 'T' } },
  handBack: { keys: 'b', label: 'B', description: 'Hand the open call back to the AI', menu: { label: 'Hand Back to the AI', accelerator: 'B' } },
  pauseAi: { keys: 'p', label: 'P', description: 'Pause or resume the AI on the open call' },
  endCall: {
    keys: 'shift+e',
    label: 'Shift+E',
    description: 'End the open call (while the AI has it, you can undo for a few seconds)',
    menu: { label: 'End Call', accelerator: 'Shift+E' },
  },
  write: { keys: 'c', label: 'C', description: 'Write: the reply box, or the whisper box while the AI has the call' },
  goLive: { keys: 'g>l', label: 'G then L', description: 'Go to Live' },
  goHistory: { keys: 'g>h', label: 'G then H', description: 'Go to History' },
  goAnalytics: { keys: 'g>a', label: 'G then A', description: 'Go to Analytics' },
  goCampaigns: { keys: 'g>q', label: 'G then Q', description: 'Go to Campaigns (the call queue)' },
  search: { keys: 'slash', label: '/', description: 'Search History' },
  settings: { keys: 'mod+comma', label: 'Ctrl+,', description: 'Open Settings', menu: { label: 'Settings…', accelerator: 'CmdOrCtrl+,' } },
  help: { keys: 'shift+slash', label: '?', description: 'Show these shortcuts', menu: { label: 'Keyboard Shortcuts', accelerator: 'Shift+/' } },
} as const satisfies Record<string, Shortcut>;

export interface Shortcut {
  keys: string;
  /** How the cheat sheet writes the keys (on a Mac, Ctrl reads ⌘). */
  label: string;
  description: string;
  /** Shown in the Electron shell's native menu. */
  menu?: { label: string; accelerator: string };
}

export type ShortcutId = keyof typeof SHORTCUTS;

export function isShortcutId(value: unknown): value is ShortcutId {
  return typeof value === 'string' && Object.hasOwn(SHORTCUTS, value);
}
