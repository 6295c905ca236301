/**
 * The archive's HTTP routes (SPEC.md SP-U1–SP-U9), beside the admin API:
 * - `GET /api/archive/policy` (staff) → ArchivePolicy: what the console uploads
 * - `POST /api/archive/:chatId` (a helper of the chat) ArchiveUpload → 201 ArchiveUploaded
 *   | 403 `not_participant` | 409 `chat_not_ended` / `already_archived` | 413
 *   `archive_too_large` | 422 `forged_authorship` / `undecodable_transcript`
 * - `GET /api/archive?text&tag&helper&department&stars&from&to` (helper, monitor,
 *   admin) → ArchiveResults
 * - `GET /api/archive/:chatId` (helper, monitor, admin) → Transcript | 404
 * - `GET /api/archive/:chatId/files/:sha256` → the kept bytes | 404
 * - `POST /api/survey` (the visitor token in the body) SurveyAnswer → 201 ChatRating
 * - `GET /api/after-chat` (public) → `{forumUrl}` for the widget's last screen
 *
 * Exports: `createArchiveRoutes(deps)` → `ExtraRoutes`, `archiveUploadLimit(fileBytes)`.
 */
import * as v from 'valibot';
import {
  ArchiveQuery,
  ArchiveUpload,
  LIMITS,
  SurveyAnswer,
  base64Length,
  type AccountRole,
  type ArchivePolicy,
  type ChatRating,
} from '../../protocol/index.ts';
import type { Failure, RatedChat, TranscriptArchive } from '../archive/transcript-archive.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { VisitorTokens } from '../auth/visitor-token.ts';
import type { StoredAccount } from '../storage/storage.ts';
import type { HttpRequest, HttpResponse } from '../transport/transport.ts';
import type { ExtraRoutes } from './http-handler.ts';
import { json, jsonError } from './json-response.ts';
import { bearerToken, decodeJsonBody } from './request-body.ts';

const READERS: readonly AccountRole[] = ['helper', 'monitor', 'admin'];
const STAFF: readonly AccountRole[] = ['trainee', 'helper', 'monitor', 'admin'];

/** The largest upload body: a whole document and the file budget, in base64 JSON. */
export function archiveUploadLimit(fileBytes: number): number {
  // The final document and up to two earlier copies (SP-U10).
  return 3 * base64Length(LIMITS.maxChatDocBytes) + base64Length(fileBytes) + 64 * 1024;
}

export type ArchiveRouteDeps = {
  archive: TranscriptArchive;
  sessions: Sessions;
  visitorTokens: Pick<VisitorTokens, 'verify'>;
  /** Read per request: an admin may change them while the service runs. */
  settings: () => {
    archiveRetentionDays: number;
    archiveFileBytes: number;
    forumUrl: string | null;
  };
  now(): number;
  /** Department names for the search form. */
  departments(): { id: string; name: string }[];
  /** A chat was rated: tell its helpers and the monitors (F14). */
  onRated?(chatId: string, rating: ChatRating, chat: RatedChat): void;
};

const ARCHIVE_ITEM = /^\/api\/archive\/([A-Za-z0-9_-]{1,64})$/;
const ARCHIVE_FILE = /^\/api\/archive\/([A-Za-z0-9_-]{1,64})\/files\/([0-9a-f]{64})$/;

export function createArchiveRoutes(deps: ArchiveRouteDeps): ExtraRoutes & {
  bodyLimit(path: string): number | undefined;
} {
  function account(req: HttpRequest, roles: readonly AccountRole[]): StoredAccount | HttpResponse {
    const token = bearerToken(req);
    const session = token === null ? null : deps.sessions.resolve(token, deps.now());
    if (session === null) return jsonError(401, 'unauthorized');
    if (!roles.includes(session.account.role)) return jsonError(403, 'forbidden');
    return session.account;
  }

  const refused = (f: Failure) =>
    jsonError(f.status, f.code, f.detail === undefined ? {} : { detail: f.detail });

  function search(req: HttpRequest): HttpResponse {
    const params = new URLSearchParams(req.query);
    const raw: Record<string, unknown> = {};
    for (const key of ['text', 'tag', 'helper', 'department'] as const) {
      const value = params.get(key);
      if (value !== null && value.trim() !== '') raw[key] = value;
    }
    for (const key of ['stars', 'from', 'to', 'limit'] as const) {
      const value = params.get(key);
      if (value !== null && value !== '') raw[key] = Number(value);
    }
    const query = v.safeParse(ArchiveQuery, raw);
    if (!query.success) {
      const issue = query.issues[0];
      return jsonError(400, 'bad_frame', {
        detail: `${v.getDotPath(issue) ?? 'query'}: ${issue.message}`,
      });
    }
    return json(200, deps.archive.search(query.output));
  }

  function survey(req: HttpRequest): HttpResponse {
    const body = decodeJsonBody(req, SurveyAnswer);
    if (!body.ok) return body.response;
    const visitor = deps.visitorTokens.verify(body.value.token);
    if (visitor === null) return jsonError(401, 'unauthorized');
    const rated = deps.archive.rate(
      visitor.visitorId,
      body.value.chatId,
      body.value.stars,
      body.value.comment ?? null,
    );
    if (!rated.ok) return refused(rated);
    const { helperIds, helpers, visitor: name, ...rating } = rated.value;
    deps.onRated?.(body.value.chatId, rating, { helperIds, helpers, visitor: name });
    return json(201, rating);
  }

  async function handle(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const path = req.path;
    if (path === '/api/after-chat') {
      if (method !== 'GET')
        return jsonError(405, 'method_not_allowed', { headers: { allow: 'GET' } });
      return json(200, { forumUrl: deps.settings().forumUrl });
    }
    if (path === '/api/survey') {
      if (method !== 'POST')
        return jsonError(405, 'method_not_allowed', { headers: { allow: 'POST' } });
      return survey(req);
    }
    if (path === '/api/archive/policy') {
      const who = account(req, STAFF);
      if ('status' in who) return who;
      const settings = deps.settings();
      const policy: ArchivePolicy = {
        fileBytes: settings.archiveFileBytes,
        retentionDays: settings.archiveRetentionDays,
      };
      return json(200, policy);
    }
    if (path === '/api/archive/filters') {
      const who = account(req, READERS);
      if ('status' in who) return who;
      const filters = deps.archive.filters();
      const names = new Map(deps.departments().map((d) => [d.id, d.name]));
      return json(200, {
        helpers: filters.helpers,
        departments: filters.departments.map((id) => ({ id, name: names.get(id) ?? id })),
      });
    }
    if (path === '/api/archive') {
      if (method !== 'GET')
        return jsonError(405, 'method_not_allowed', { headers: { allow: 'GET' } });
      const who = account(req, READERS);
      return 'status' in who ? who : search(req);
    }
    const file = ARCHIVE_FILE.exec(path);
    if (file !== null) {
      const who = account(req, READERS);
      if ('status' in who) return who;
      const bytes = deps.archive.file(file[1] ?? '', file[2] ?? '');
      if (bytes === null) return jsonError(404, 'not_found');
      // Always a download, never rendered by the browser: the type is the sender's claim.
      return {
        status: 200,
        headers: {
          'content-type': 'application/octet-stream',
          'content-disposition': 'attachment',
          'cache-control': 'no-store',
        },
        body: bytes,
      };
    }
    const item = ARCHIVE_ITEM.exec(path);
    if (item === null) return jsonError(404, 'not_found');
    const chatId = item[1] ?? '';
    if (method === 'GET') {
      const who = account(req, READERS);
      if ('status' in who) return who;
      const transcript = deps.archive.transcript(chatId);
      return transcript === null ? jsonError(404, 'unknown_transcript') : json(200, transcript);
    }
    if (method === 'POST') {
      const who = account(req, STAFF);
      if ('status' in who) return who;
      const limit = archiveUploadLimit(deps.settings().archiveFileBytes);
      if (req.body.byteLength > limit) {
        return jsonError(413, 'archive_too_large', { detail: `at most ${limit} bytes` });
      }
      const body = decodeJsonBody(req, ArchiveUpload);
      if (!body.ok) return body.response;
      const uploaded = await deps.archive.upload(who.id, chatId, body.value);
      return uploaded.ok ? json(201, uploaded.value) : refused(uploaded);
    }
    return jsonError(405, 'method_not_allowed', { headers: { allow: 'GET, POST' } });
  }

  return {
    handles: (path) =>
      path === '/api/archive' ||
      path.startsWith('/api/archive/') ||
      path === '/api/survey' ||
      path === '/api/after-chat',
    handle,
    bodyLimit: (path) =>
      ARCHIVE_ITEM.test(path) ? archiveUploadLimit(deps.settings().archiveFileBytes) : undefined,
  };
}
