/**
 * The tray icon: how many calls are live and how many need the agent, a click to show the
 * window, and a menu (Start demo call, Settings, Quit). Calls keep running while the window is
 * hidden here. The template is a pure function of the counts, so it is tested as data.
 */
import type { LiveCounts } from './live-calls';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from './electron';

export interface TrayActions {
  show(): void;
  startDemo(): void;
  settings(): void;
  quit(): void;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 live calls · 1 needs you", or "No live calls". */
export function traySummary({ live, attention }: LiveCounts): string {
  if (live === 0) return 'No live calls';
  const calls = plural(live, 'live call', 'live calls');
  return attention > 0 ? `${calls} · ${attention} ${attention === 1 ? 'needs' : 'need'} you` : calls;
}

export function trayMenuTemplate(counts: LiveCounts, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'summary', label: traySummary(counts), enabled: false },
    { type: 'separator' },
    { id: 'show', label: 'Show Switchboard', click: () => actions.show() },
    { id: 'demo', label: 'Start Demo Call', click: () => actions.startDemo() },
    { id: 'settings', label: 'Settings…', click: () => actions.settings() },
    { type: 'separator' },
    {
      id: 'quit',
      // Quitting ends every live call; the label says so before the click does.
      label: counts.live > 0 ? `Quit (ends ${plural(counts.live, 'live call', 'live calls')})` : 'Quit Switchboard',
      click: () => actions.quit(),
    },
  ];
}

/** macOS shows text beside a tray icon: the live count, and "!" with how many need the agent. */
export function trayTitle({ live, attention }: LiveCounts): string {
  if (live === 0) return '';
  return attention > 0 ? `${live} · ${attention}!` : String(live);
}

export interface ShellTray {
  update(counts: LiveCounts): void;
  destroy(): void;
}

export function createTray(options: { icon: string; platform: NodeJS.Platform; actions: TrayActions }): ShellTray {
  const image = nativeImage.createFromPath(options.icon);
  const tray = new Tray(image);
  // Linux AppIndicators send no click; the menu's "Show Switchboard" is the way in there.
  tray.on('click', () => options.actions.show());
  const update = (counts: LiveCounts) => {
    tray.setToolTip(`Switchboard: ${traySummary(counts)}`);
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(counts, options.actions)));
    if (options.platform === 'darwin') tray.setTitle(trayTitle(counts));
  };
  update({ live: 0, attention: 0 });
  return { update, destroy: () => tray.destroy() };
}
