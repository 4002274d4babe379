/**
 * Where "Back" on a call's page goes: the list it was opened from (History with its filters
 * and search), or History itself when the call was opened from a shared link.
 */
import { routes } from '../../lib/router';

const KEY = 'switchboard.callReturnTo';

export function rememberListHref(path: string): void {
  try {
    sessionStorage.setItem(KEY, path);
  } catch {
    // Storage can be disabled; Back then goes to History.
  }
}

export function listHref(): string {
  try {
    return sessionStorage.getItem(KEY) ?? routes.history();
  } catch {
    return routes.history();
  }
}
