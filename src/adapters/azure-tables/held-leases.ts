import type { Fence } from '../../ports/lease-store.ts';

/** A lease this process wrote last: its token, when it was written to run out, and its etag. */
interface Held {
  holder: string;
  token: number;
  /** The `now` the grant was made at, and its expiry (epoch ms of the callers' clock). */
  grantedAt: number;
  expiresAt: number;
  etag: string;
}

/**
 * The leases this process holds, as it last wrote them, shared by the lease store and the
 * delivery queue of one work store. While a grant is young, nobody else can hold its lease
 * (another instance may take it only once it has expired), so a claim fenced by it needs no
 * read of the lease entity: that read was one storage request per recipient. A grant is
 * trusted for its first two thirds (the sender renews after one third), leaving the rest as a
 * margin for clock differences between instances; after that, and for any other token, the
 * queue reads the lease as before. Renewing and releasing write under the remembered etag, and
 * read only when it has changed.
 */
export class HeldLeases {
  readonly #held = new Map<string, Held>();

  noteWritten(name: string, held: Held): void {
    this.#held.set(name, held);
  }

  forget(name: string): void {
    this.#held.delete(name);
  }

  clear(): void {
    this.#held.clear();
  }

  /** The remembered grant of `name` if it is `holder`'s with `token`. */
  held(name: string, holder: string, token: number): Held | undefined {
    const held = this.#held.get(name);
    return held !== undefined && held.holder === holder && held.token === token ? held : undefined;
  }

  /** Whether this process's own young grant proves the fence current at `nowMs`. */
  proves(fence: Fence, nowMs: number): boolean {
    const held = this.#held.get(fence.lease);
    if (held?.token !== fence.token) return false;
    const trustedUntil = held.expiresAt - (held.expiresAt - held.grantedAt) / 3;
    return nowMs >= held.grantedAt && nowMs < trustedUntil;
  }
}
