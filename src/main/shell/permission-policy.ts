/**
 * What the Electron shell lets web content do (index.ts installs it on the session). Pure, so
 * it is tested without Electron. Everything is denied except, and only for our own page:
 * - writing to the clipboard (the agent copies summaries, suggestions, entities);
 * - the microphone for the agent's softphone ('media' with audio only; never the camera);
 * - desktop notifications: alerts and the AI asking for a person must reach an agent whose
 *   console is in the background (issue 8; before, they were silently denied).
 */

/** Where our page lives: the shell's `app://switchboard/` scheme, or the dev server. */
export interface AppLocation {
  appUrl: string;
  devServerUrl: string | null;
}

/**
 * Our page is anything on our page's scheme and host (and port, for the dev server). Compared
 * by parts, not `URL.origin`: a custom scheme's origin is opaque ("null") to the URL parser.
 */
export function isAppUrl(raw: string, where: AppLocation): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const app = new URL(where.appUrl);
  return url.protocol === app.protocol && url.host === app.host && url.host !== '';
}

/**
 * What Electron says of a media permission: a request names its types (`mediaTypes`), a
 * check names one (`mediaType`: 'audio', 'video' or 'unknown').
 */
export interface MediaDetails {
  mediaTypes?: readonly string[];
  mediaType?: string;
}

/**
 * One answer for requests and checks alike (index.ts asks it for both), so a check never
 * reports a permission a request would refuse. Media must say what it is for, and be audio
 * only: a request or check that names no type, or any other type, is refused.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string, where: AppLocation, details?: MediaDetails): boolean {
  if (!isAppUrl(requestingUrl, where)) return false;
  switch (permission) {
    case 'clipboard-sanitized-write':
    case 'notifications':
      return true;
    case 'media': {
      const types = details?.mediaTypes ?? (details?.mediaType === undefined ? [] : [details.mediaType]);
      return types.length > 0 && types.every((type) => type === 'audio');
    }
    default:
      return false;
  }
}
