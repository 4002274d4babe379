/**
 * The native menu (the console's own shortcuts, shown; single keys never registered with the
 * system) and the CSP: one module gives the Electron header, the headless header and the meta
 * tag the build writes into index.html, and the meta tag allows what each shell's header does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELECTRON_CSP, HEADLESS_CSP, META_CSP, META_CSP_PLACEHOLDER, parseCsp } from '../../../src/shared/csp';
import { SHORTCUTS, type ShortcutId } from '../../../src/shared/shortcuts';
import { applicationMenuTemplate, menuAccelerator } from '../../../src/main/shell/menu';
import config from '../../../electron.vite.config';


type Item = Record<string, unknown> & { submenu?: Item[] };

function items(template: Item[]): Item[] {
  return template.flatMap((item) => [item, ...items(item.submenu ?? [])]);
}

function menuFor(platform: NodeJS.Platform, ran: string[] = []) {
  return items(
    applicationMenuTemplate({
      platform,
      packaged: true,
      actions: { runShortcut: (id) => ran.push(id), startDemo: () => ran.push('demo'), quit: () => ran.push('quit') },
    }) as Item[],
  );
}

describe('the native menu', () => {
  const menuShortcuts = (Object.keys(SHORTCUTS) as ShortcutId[]).filter((id) => 'menu' in SHORTCUTS[id]);

  it('has take over, hand back, end call and next call needing you; each runs its shortcut in the page', () => {
    expect(menuShortcuts).toEqual(expect.arrayContaining(['takeOver', 'handBack', 'endCall', 'nextAttention', 'settings']));
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const ran: string[] = [];
      const all = menuFor(platform, ran);
      for (const id of menuShortcuts) {
        const item = all.find((i) => i['id'] === id);
        expect(item, `${platform} ${id}`).toBeDefined();
        (item!['click'] as () => void)();
      }
      expect(ran).toEqual(menuShortcuts);
    }
  });

  it('shows single keys without registering them (a registered T would fire while the agent types)', () => {
    const linux = menuFor('linux');
    expect(linux.find((i) => i['id'] === 'takeOver')).toMatchObject({ accelerator: 'T', registerAccelerator: false });
    expect(linux.find((i) => i['id'] === 'endCall')).toMatchObject({ accelerator: 'Shift+E', registerAccelerator: false });
    // With a modifier it is safe to register.
    expect(linux.find((i) => i['id'] === 'settings')).toMatchObject({ accelerator: 'CmdOrCtrl+,' });
    expect(linux.find((i) => i['id'] === 'settings')!['registerAccelerator']).toBeUndefined();
    // macOS registers every accelerator it shows: the key goes in the label instead.
    const mac = menuFor('darwin');
    const takeOver = mac.find((i) => i['id'] === 'takeOver')!;
    expect(takeOver['accelerator']).toBeUndefined();
    expect(takeOver['label']).toMatch(/Take Over\s+T$/);
    expect(menuAccelerator(SHORTCUTS.settings, 'darwin')).toEqual({ label: 'Settings…', accelerator: 'CmdOrCtrl+,' });
  });

  it('has Quit (which asks before ending calls) and Start Demo Call, and devtools only unpackaged', () => {
    const ran: string[] = [];
    const linux = menuFor('linux', ran);
    (linux.find((i) => i['id'] === 'quit')!['click'] as () => void)();
    (linux.find((i) => i['id'] === 'demo')!['click'] as () => void)();
    expect(ran).toEqual(['quit', 'demo']);
    expect(linux.some((i) => i['role'] === 'toggleDevTools')).toBe(false);
    const dev = items(applicationMenuTemplate({ platform: 'linux', packaged: false, actions: { runShortcut: () => {}, startDemo: () => {}, quit: () => {} } }) as Item[]);
    expect(dev.some((i) => i['role'] === 'toggleDevTools')).toBe(true);
  });
});

describe('Content Security Policy', () => {
  const electron = parseCsp(ELECTRON_CSP);
  const headless = parseCsp(HEADLESS_CSP);
  const meta = parseCsp(META_CSP);

  it('locks both shells down: nothing by default, scripts and styles only from the app, no framing, no plugins', () => {
    for (const policy of [electron, headless]) {
      expect(policy['default-src']).toEqual(["'none'"]);
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(policy['style-src']).toEqual(["'self'"]);
      expect(policy['object-src']).toEqual(["'none'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(policy['base-uri']).toEqual(["'none'"]);
    }
    expect(electron['connect-src']).toEqual(["'self'", 'wss://*.twilio.com', 'switchboard-file:']);
  });

  it('the meta tag allows what each header allows, and nothing more than the two together', () => {
    expect(meta['frame-ancestors']).toBeUndefined(); // a meta tag cannot carry it
    for (const header of [electron, headless]) {
      for (const [directive, sources] of Object.entries(header)) {
        if (directive === 'frame-ancestors') continue;
        expect(meta[directive], directive).toEqual(expect.arrayContaining(sources));
      }
    }
    for (const [directive, sources] of Object.entries(meta)) {
      const allowed = new Set([...(electron[directive] ?? []), ...(headless[directive] ?? [])]);
      for (const source of sources) expect(allowed.has(source), `${directive} ${source}`).toBe(true);
    }
  });

  it('the build writes the meta policy into index.html; the dev server drops the tag', async () => {
    const source = readFileSync(join(import.meta.dirname, '../../../src/renderer/index.html'), 'utf8');
    expect(source).toContain(`content="${META_CSP_PLACEHOLDER}"`);
    const renderer = (config as { renderer: { plugins: Array<{ name?: string; transformIndexHtml?: { handler: (html: string, ctx: object) => string } }> } }).renderer;
    const plugin = renderer.plugins.find((p) => p?.name === 'switchboard-meta-csp')!;
    const built = plugin.transformIndexHtml!.handler(source, {});
    expect(built).toContain(`<meta http-equiv="Content-Security-Policy" content="${META_CSP}" />`);
    expect(built).not.toContain(META_CSP_PLACEHOLDER);
    const served = plugin.transformIndexHtml!.handler(source, { server: {} });
    expect(served).not.toContain('Content-Security-Policy');
    expect(() => plugin.transformIndexHtml!.handler('<html></html>', {})).toThrow(/must hold/);
  });
});
