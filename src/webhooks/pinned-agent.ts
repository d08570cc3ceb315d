// An HTTP agent pinned to addresses the delivery worker already vetted: its connections never resolve the host name
// again, so a DNS answer that changes between the check and the connection (DNS rebinding) cannot redirect a delivery
// to a private address. The URL's host name still goes out as the Host header and the TLS server name.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent } from 'undici';

export interface PinnedAddress {
  address: string;
  family: number;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `net.connect` lookup that answers only the given addresses, whatever the host name. */
export function pinnedLookup(addresses: readonly PinnedAddress[]) {
  if (addresses.length === 0) throw new Error('pinnedLookup needs at least one address');
  const entries = addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  return (_hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback): void => {
    const done = (typeof options === 'function' ? options : callback)!;
    const wanted = typeof options === 'object' ? options : {};
    const family = typeof options === 'number' ? options : wanted.family;
    const matching = family === 4 || family === 6 ? entries.filter((entry) => entry.family === family) : entries;
    if (matching.length === 0) {
      process.nextTick(done, Object.assign(new Error('no pinned address of the requested family'), { code: 'ENOTFOUND' }));
      return;
    }
    if (wanted.all) process.nextTick(done, null, matching);
    else process.nextTick(done, null, matching[0]!.address, matching[0]!.family);
  };
}

/** One agent per delivery: it connects only to `addresses`, and keeps them readable for whoever holds it. */
export class PinnedAgent extends Agent {
  readonly addresses: readonly PinnedAddress[];

  constructor(addresses: readonly PinnedAddress[]) {
    super({ connect: { lookup: pinnedLookup(addresses) } });
    this.addresses = addresses;
  }
}
