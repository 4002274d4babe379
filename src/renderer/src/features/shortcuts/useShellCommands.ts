/**
 * Commands from the Electron shell (native menu, tray, a clicked notification) run here, through
 * the same paths as the console's own clicks and keys: a menu item runs its shortcut's action,
 * with the same conditions; a notification opens its call in Live; Start Demo Call is the top
 * bar's button. No-op in a browser.
 */
import { useEffect, useRef } from 'react';
import { isShellCommand } from '@shared/shell-bridge';
import { shellBridge } from '../../lib/transport';
import { useCallsStore } from '../calls/store';
import { useToasts } from '../toasts/store';
import { runShortcut, SHORTCUTS } from './shortcuts';

export function useShellCommands({ startDemo }: { startDemo: () => void }): void {
  const latestStartDemo = useRef(startDemo);
  useEffect(() => {
    latestStartDemo.current = startDemo;
  });
  useEffect(() => {
    const shell = shellBridge();
    if (!shell) return;
    return shell.onCommand((command) => {
      if (!isShellCommand(command)) return;
      if (command.kind === 'open-call') {
        useCallsStore.getState().select(command.callId);
        return;
      }
      if (command.kind === 'start-demo') {
        latestStartDemo.current();
        return;
      }
      if (!runShortcut(command.id)) {
        const what: { label: string; menu?: { label: string } } = SHORTCUTS[command.id];
        useToasts.getState().push({
          tone: 'info',
          title: `${what.menu?.label ?? what.label}: nothing to do`,
          message: 'Open a live call this applies to first.',
        });
      }
    });
  }, []);
}
