/**
 * Schemas of the rows and JSON columns SQLite hands back. The database is ours, but
 * a row is still decoded rather than cast (STYLE.md point 3): a damaged or
 * hand-edited database fails with a clear message instead of corrupting the core.
 */
import * as v from 'valibot';
import { AccountRole, BoundKey, BrowserDetails, ChatRole, PageView } from '../../protocol/index.ts';

const integer = v.pipe(v.number(), v.integer());
const flag = v.pipe(
  v.number(),
  v.transform((n) => n !== 0),
);

export const AccountRow = v.object({
  id: v.string(),
  nickname: v.string(),
  name: v.string(),
  role: AccountRole,
  chat_limit: integer,
  password_hash: v.string(),
  created_at: integer,
  disabled: flag,
});

export const SessionRow = v.object({
  token_hash: v.string(),
  account_id: v.string(),
  created_at: integer,
  expires_at: integer,
  revoked_at: v.nullable(integer),
});

export const DepartmentRow = v.object({ id: v.string(), name: v.string(), open: flag });

export const BlockRow = v.object({
  id: v.string(),
  visitor_id: v.string(),
  ip: v.nullable(v.string()),
  reason: v.string(),
  by_participant: v.string(),
  created_at: integer,
  until: integer,
  chat_id: v.nullable(v.string()),
});

export const LeftMessageRow = v.object({
  id: v.string(),
  visitor_id: v.string(),
  ip: v.string(),
  name: v.string(),
  email: v.nullable(v.string()),
  department: v.string(),
  message: v.string(),
  chat_id: v.nullable(v.string()),
  created_at: integer,
});

/** A JSON text column, parsed and then checked against `schema`. */
export const json = <T>(schema: v.GenericSchema<unknown, T>) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return JSON.parse(dataset.value) as unknown;
      } catch {
        addIssue({ message: 'not JSON' });
        return NEVER;
      }
    }),
    schema,
  );

export const VisitorIdentityJson = v.object({
  visitorId: v.string(),
  firstVisitAt: integer,
  firstLandingPage: v.string(),
});

export const RequestDetailsJson = v.object({
  name: v.string(),
  email: v.nullable(v.string()),
  department: v.string(),
  question: v.string(),
  page: PageView,
  browser: BrowserDetails,
  sessionStartedAt: integer,
  landingPage: v.string(),
  privacyAcknowledgedAt: v.optional(integer),
});

export const ParticipantJson = v.object({
  id: v.string(),
  role: ChatRole,
  name: v.string(),
  clientIds: v.array(integer),
  left: v.optional(v.literal(true)),
  keys: v.optional(v.array(BoundKey)),
});

export const OpenChatRow = v.object({
  chat_id: v.string(),
  status: v.picklist(['queued', 'active']),
  visitor: json(VisitorIdentityJson),
  ip: v.string(),
  details: json(RequestDetailsJson),
  enqueued_at: integer,
  returned: flag,
  started_at: v.nullable(integer),
  rejected_by: json(v.array(v.string())),
  participants: json(v.array(ParticipantJson)),
});

export const SettingRow = v.object({ value: v.string() });
export const CountRow = v.object({ n: integer });

/** Decodes one row, naming the table and field when the database holds something else. */
export function decodeRow<T>(schema: v.GenericSchema<unknown, T>, table: string, row: unknown): T {
  const result = v.safeParse(schema, row);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const where = issue ? (v.getDotPath(issue) ?? '(row)') : '(row)';
  throw new Error(
    `the database holds an unreadable ${table} row (${where}: ${issue?.message ?? 'invalid'})`,
  );
}
