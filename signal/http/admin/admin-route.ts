/**
 * What an admin route is and what it gets (SPEC.md SP-A1, SP-A2): the types the route
 * modules share with the API that dispatches them (`admin-api.ts`), kept apart so the
 * routes do not import the API that imports them.
 */
import type { AccountRole } from '../../../protocol/index.ts';
import type { ScryptParams } from '../../auth/passwords.ts';
import type { Sessions } from '../../auth/sessions.ts';
import type { SignInLockout } from '../../auth/sign-in-lockout.ts';
import type { AdminEvent } from '../../gateway/gateway.ts';
import type { OriginPolicy } from '../../gateway/origin-policy.ts';
import type { Logger } from '../../log.ts';
import type { LiveSettings } from '../../admin/live-settings.ts';
import type { AdminStore } from '../../storage/admin-store.ts';
import type { Storage, StoredAccount } from '../../storage/storage.ts';
import type { HttpRequest, HttpResponse } from '../../transport/transport.ts';
import type { ErasureResult, ErasureTarget } from '../../privacy/visitor-erasure.ts';
import type { CannedStore } from '../../storage/canned-store.ts';
import type { ChatMetaStore } from '../../storage/chat-meta-store.ts';

export type AdminDeps = {
  storage: Storage;
  admin: AdminStore;
  /** Tag statistics and the team's tags (SPEC.md SP-K6, SP-K7). */
  chatMeta: ChatMetaStore;
  /** Canned responses and suggestions (SPEC.md SP-CN1–SP-CN6). */
  canned: CannedStore;
  /** F32: erases what is stored about a visitor (SPEC.md SP-PV1). */
  forgetVisitor(target: ErasureTarget): ErasureResult;
  sessions: Sessions;
  settings: LiveSettings;
  lockout: SignInLockout;
  /** Tells the switchboard (through the gateway). */
  notify(event: AdminEvent): void;
  /** Closes every socket of an account at once (SP-A2). */
  endAccount(accountId: string): void;
  /** The live origin policy (SP-A7), for the embedding check. */
  originPolicy: OriginPolicy;
  publicOrigin: string | null;
  defaultChatLimit: number;
  maxChatLimit: number;
  now(): number;
  log: Logger;
  scrypt?: ScryptParams;
  /** How long a set-password link works. */
  linkTtlMs?: number;
};

export type AdminContext = {
  req: HttpRequest;
  /** Null only on public routes. */
  actor: StoredAccount | null;
  params: Record<string, string>;
  now: number;
  audit(action: string, target: string, detail?: unknown): void;
};

export type AdminRoute = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** `:name` segments match one path segment each. */
  path: string;
  /** Who may call it; `public` needs no session. */
  roles: readonly AccountRole[] | 'public';
  handle(ctx: AdminContext, deps: AdminDeps): Promise<HttpResponse> | HttpResponse;
};
