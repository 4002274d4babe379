/**
 * Which Host headers (and Origins) the headless console answers. A DNS-rebinding page makes
 * the browser send the attacker's own name in Host, so only names that mean this machine are
 * accepted: the loopback names, the address the console is bound to and, when bound to every
 * interface (--allow-remote with 0.0.0.0 or ::), this machine's own addresses.
 *
 * Both sides are compared in the URL parser's canonical form, so the spellings browsers and
 * tools actually send all match: any letter case, a bare name on port 80 (the default port is
 * left out of Host), `[::1]:PORT` and the long forms of IPv6 addresses. A header that is not
 * a plain host[:port] (user info, a path, spaces) is refused before it is parsed.
 */
import { networkInterfaces } from 'node:os';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** host or [ipv6], then an optional :port. Nothing else may appear in a Host header. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '[::]']);

export interface HostParts {
  /** Canonical: lower case, IPv6 in brackets and compressed, IPv4 in dotted decimal. */
  name: string;
  port: number;
}

/** A Host header (or an Origin's host) as name and port, the port defaulting to 80; null if malformed. */
export function parseHostHeader(header: string | undefined): HostParts | null {
  if (!header || !HOST_HEADER.test(header)) return null;
  try {
    const url = new URL(`http://${header}`);
    return { name: url.hostname, port: url.port === '' ? 80 : Number(url.port) };
  } catch {
    return null; // a port above 65535, an IPv6 address with too many groups…
  }
}

/** A name or address as the URL parser writes it ('::1' -> '[::1]'), or null if it is not one. */
function canonicalName(name: string): string | null {
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return parseHostHeader(bracketed)?.name ?? null;
}

/**
 * The names this console answers to when listening on `host`:`port`; `localAddresses`
 * (default: this machine's interfaces) matter only when bound to every interface.
 */
export function hostMatcher(bound: { host: string; port: number }, localAddresses: () => string[] = interfaceAddresses): (header: string | undefined) => boolean {
  const boundName = canonicalName(bound.host);
  const names = new Set<string>();
  for (const name of [...LOOPBACK_NAMES, bound.host]) {
    const canonical = canonicalName(name);
    if (canonical && !WILDCARD_ADDRESSES.has(canonical)) names.add(canonical);
  }
  if (boundName && WILDCARD_ADDRESSES.has(boundName)) {
    for (const address of localAddresses()) {
      const canonical = canonicalName(address);
      if (canonical) names.add(canonical);
    }
  }
  return (header) => {
    const parts = parseHostHeader(header);
    return parts !== null && parts.port === bound.port && names.has(parts.name);
  };
}

function interfaceAddresses(): string[] {
  // Link-local IPv6 addresses carry a zone (%eth0) that never appears in a Host header; skip them.
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address).filter((a) => !a.includes('%')));
}
