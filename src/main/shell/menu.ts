/**
 * The native application menu. Its Call items are the console's own keyboard shortcuts
 * (@shared/shortcuts): choosing one asks the page to run what the keys run. Single-key
 * shortcuts (T, B, N, Shift+E) are shown but never registered with the system: a registered
 * "T" would fire while the agent types a reply. The page's own key handling (which ignores
 * keys typed in fields) does the work; on macOS, where a shown accelerator is always a
 * registered one, the key goes in the label instead.
 */
import { SHORTCUTS, type Shortcut, type ShortcutId } from '@shared/shortcuts';
import type { MenuItemConstructorOptions } from './electron';

export interface MenuActions {
  runShortcut(id: ShortcutId): void;
  startDemo(): void;
  quit(): void;
}

/** A key with Cmd, Ctrl or Alt is safe to register; a bare key or Shift+key is display-only. */
export function menuAccelerator(shortcut: Shortcut, platform: NodeJS.Platform): Pick<MenuItemConstructorOptions, 'label' | 'accelerator' | 'registerAccelerator'> {
  const menu = shortcut.menu!;
  if (/\b(CmdOrCtrl|CommandOrControl|Cmd|Command|Ctrl|Control|Alt|Option)\+/.test(menu.accelerator)) {
    return { label: menu.label, accelerator: menu.accelerator };
  }
  if (platform === 'darwin') return { label: `${menu.label}    ${shortcut.label}` };
  return { label: menu.label, accelerator: menu.accelerator, registerAccelerator: false };
}

function shortcutItem(id: ShortcutId, platform: NodeJS.Platform, actions: MenuActions): MenuItemConstructorOptions {
  return { id, ...menuAccelerator(SHORTCUTS[id], platform), click: () => actions.runShortcut(id) };
}

export function applicationMenuTemplate(options: { platform: NodeJS.Platform; packaged: boolean; actions: MenuActions }): MenuItemConstructorOptions[] {
  const { platform, actions } = options;
  const mac = platform === 'darwin';
  const item = (id: ShortcutId) => shortcutItem(id, platform, actions);
  const quit: MenuItemConstructorOptions = { id: 'quit', label: mac ? 'Quit Switchboard' : 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() };
  return [
    ...(mac
      ? [{ label: 'Switchboard', submenu: [{ role: 'about' }, { type: 'separator' }, item('settings'), { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, quit] } satisfies MenuItemConstructorOptions]
      : []),
    {
      label: 'File',
      submenu: [
        { id: 'demo', label: 'Start Demo Call', click: () => actions.startDemo() },
        ...(mac ? [] : [{ type: 'separator' } as const, item('settings')]),
        { type: 'separator' },
        mac ? { role: 'close' } : quit,
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Call',
      submenu: [item('nextAttention'), { type: 'separator' }, item('takeOver'), item('handBack'), { type: 'separator' }, item('endCall')],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.packaged ? [] : [{ role: 'toggleDevTools' } as const]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    ...(mac ? [{ role: 'windowMenu' } satisfies MenuItemConstructorOptions] : []),
    { role: 'help', submenu: [item('help')] },
  ];
}
