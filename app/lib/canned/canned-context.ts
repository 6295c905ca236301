/**
 * The canned-response client for the console's chat panels, handed down through
 * Svelte context by the workspace (which holds the session token), so each panel
 * needs no extra prop and nothing is a module-level singleton.
 */
import { getContext, setContext } from 'svelte';
import type { CannedClient } from './canned-client.ts';

const KEY = Symbol('peerdesk.canned');

export function provideCanned(client: CannedClient): void {
  setContext(KEY, client);
}

export function useCanned(): CannedClient | null {
  return getContext<CannedClient | undefined>(KEY) ?? null;
}
