/** The Electron shell's permission decisions (src/main/shell/permission-policy.ts), without Electron. */
import { describe, expect, it } from 'vitest';
import { isAppUrl, isPermissionAllowed, type AppLocation } from '../../../src/main/shell/permission-policy';

const packaged: AppLocation = { appUrl: 'app://switchboard/index.html', devServerUrl: null };
const dev: AppLocation = { appUrl: 'http://localhost:5173/', devServerUrl: 'http://localhost:5173/' };
const ourPage = 'app://switchboard/index.html#/live/abc';

describe('Electron permission policy', () => {
  it("allows the app's own page to show desktop notifications (alerts), and nobody else", () => {
    expect(isPermissionAllowed('notifications', ourPage, packaged)).toBe(true);
    expect(isPermissionAllowed('notifications', 'file:///tmp/evil.html', packaged)).toBe(false);
    expect(isPermissionAllowed('notifications', 'https://example.com/', packaged)).toBe(false);
    expect(isPermissionAllowed('notifications', 'http://localhost:5173/#/history', dev)).toBe(true);
    expect(isPermissionAllowed('notifications', 'http://localhost:5174/', dev)).toBe(false);
    expect(isPermissionAllowed('notifications', 'not a url', packaged)).toBe(false);
  });

  it('keeps the rest as it was: clipboard writes and audio-only media for our page; everything else denied', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', ourPage, packaged)).toBe(true);
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaTypes: ['audio'] })).toBe(true);
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(isPermissionAllowed('media', 'https://example.com/', packaged, { mediaTypes: ['audio'] })).toBe(false);
    for (const permission of ['geolocation', 'midi', 'openExternal', 'clipboard-read', 'display-capture', 'pointerLock']) {
      expect(isPermissionAllowed(permission, ourPage, packaged), permission).toBe(false);
    }
  });

  it('media must name its types, audio only; a check answers as the request would (issue 13)', () => {
    // Requests name their types; an empty list or none at all says nothing and is refused.
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaTypes: [] })).toBe(false);
    expect(isPermissionAllowed('media', ourPage, packaged)).toBe(false);
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaTypes: ['video'] })).toBe(false);
    // Checks name one type.
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaType: 'audio' })).toBe(true);
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaType: 'video' })).toBe(false);
    expect(isPermissionAllowed('media', ourPage, packaged, { mediaType: 'unknown' })).toBe(false);
    for (const [request, check] of [
      [['audio'], 'audio'],
      [['video'], 'video'],
    ] as const) {
      expect(isPermissionAllowed('media', ourPage, packaged, { mediaTypes: request })).toBe(isPermissionAllowed('media', ourPage, packaged, { mediaType: check }));
    }
  });

  it("recognises our page by its scheme and host (the shell's app: scheme, or the dev server's origin)", () => {
    expect(isAppUrl(ourPage, packaged)).toBe(true);
    expect(isAppUrl('app://switchboard/assets/index.js', packaged)).toBe(true);
    expect(isAppUrl('app://other/index.html', packaged)).toBe(false);
    expect(isAppUrl('file:///opt/Switchboard/resources/app.asar/out/renderer/index.html', packaged)).toBe(false);
    expect(isAppUrl('switchboard-file://files/exports/x', packaged)).toBe(false);
    expect(isAppUrl('app:index.html', packaged)).toBe(false);
    expect(isAppUrl('http://localhost:5173/anything', dev)).toBe(true);
  });
});
