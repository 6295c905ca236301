/**
 * What the admin layout hands its pages: the signed-in account and an admin client
 * bound to its token. Passed through Svelte context so each page stays a plain view.
 */
import { getContext, setContext } from 'svelte';
import type { Account } from '../api/session-client.ts';
import type { AdminClient } from './admin-client.ts';

export type AdminSession = { account: Account; client: AdminClient };

const KEY = Symbol('peerdesk.admin');

export function provideAdmin(session: AdminSession): void {
  setContext(KEY, session);
}

export function useAdmin(): AdminSession {
  const session = getContext<AdminSession | undefined>(KEY);
  if (session === undefined) throw new Error('admin pages render inside the admin layout');
  return session;
}

/** The admin sections, in the order of the navigation, and who sees each (SP-A2). */
export const SECTIONS = [
  { path: '/console/admin/accounts', label: 'Accounts', monitors: true },
  { path: '/console/admin/departments', label: 'Departments', monitors: false },
  { path: '/console/admin/blocks', label: 'Blocks', monitors: true },
  { path: '/console/admin/settings', label: 'Settings', monitors: false },
  { path: '/console/admin/embedding', label: 'Embedding', monitors: false },
  { path: '/console/admin/audit', label: 'Audit log', monitors: false },
  { path: '/console/admin/issues', label: 'Common issues', monitors: true },
  { path: '/console/admin/canned', label: 'Canned responses', monitors: false },
] as const;
