/**
 * The most common issues (F22, SPEC.md SP-K6): how many chats carried each tag per
 * day, week or month over a range of dates. Periods are UTC calendar days, ISO weeks
 * (named by their Monday) and months, by the time the visitor asked for the chat.
 * The query, the view and the CSV are here so that the service and the console
 * agree on them; `periodsOf` is the one place that says which periods a range has.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { Tag } from './chat-meta.ts';

export const TAG_BUCKETS = ['day', 'week', 'month'] as const;
export type TagBucket = (typeof TAG_BUCKETS)[number];

const DAY_MS = 86_400_000;
/** Longest range a query may span: a few years of months, a year and more of days. */
export const MAX_TAG_PERIODS = 400;

const IsoDate = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  v.check(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && isoDay(dayStart(s)) === s,
    'a real date',
  ),
);

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD&bucket=day|week|month[&format=csv]`; `to` is included. */
export const TagStatsQuery = v.pipe(
  v.strictObject({
    from: IsoDate,
    to: IsoDate,
    bucket: v.picklist(TAG_BUCKETS),
    format: v.optional(v.picklist(['json', 'csv'])),
  }),
  v.check((q) => q.from <= q.to, 'from must not be after to'),
  v.check(
    (q) => periodsOf(q.from, q.to, q.bucket).length <= MAX_TAG_PERIODS,
    `at most ${MAX_TAG_PERIODS} periods`,
  ),
);
export type TagStatsQuery = v.InferOutput<typeof TagStatsQuery>;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const TagStatsView = v.strictObject({
  from: IsoDate,
  to: IsoDate,
  bucket: v.picklist(TAG_BUCKETS),
  /** Every period of the range, in order, each named by its first day (or YYYY-MM). */
  periods: v.pipe(v.array(v.string()), v.maxLength(MAX_TAG_PERIODS)),
  /** Tags used in the range, most chats first; `counts` line up with `periods`. */
  tags: v.array(v.strictObject({ tag: Tag, total: Count, counts: v.array(Count) })),
});
export type TagStatsView = v.InferOutput<typeof TagStatsView>;

/** The tags the team has used, most used first (SP-K7): suggestions for `/tag`. */
export const UsedTagsView = v.strictObject({
  tags: v.pipe(
    v.array(v.strictObject({ tag: Tag, chats: Count })),
    v.maxLength(LIMITS.maxUsedTags),
  ),
});
export type UsedTagsView = v.InferOutput<typeof UsedTagsView>;

export function dayStart(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`);
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The period a moment falls in, named as `periodsOf` names it. */
export function periodOf(ms: number, bucket: TagBucket): string {
  const day = isoDay(ms);
  if (bucket === 'day') return day;
  if (bucket === 'month') return day.slice(0, 7);
  // ISO weeks start on Monday; getUTCDay() is 0 on Sunday.
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  return isoDay(dayStart(day) - weekday * DAY_MS);
}

/** Every period that meets the range from..to (both days included). */
export function periodsOf(from: string, to: string, bucket: TagBucket): string[] {
  const out: string[] = [];
  const end = dayStart(to);
  for (let at = dayStart(from); at <= end;) {
    const period = periodOf(at, bucket);
    if (out.at(-1) !== period) out.push(period);
    if (out.length > MAX_TAG_PERIODS) break;
    if (bucket === 'day') at += DAY_MS;
    else if (bucket === 'week') at = dayStart(period) + 7 * DAY_MS;
    else {
      const d = new Date(at);
      at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
  return out;
}

/** The view as CSV (RFC 4180): one row per period, one column per tag, and a total
 * row. Tags are [a-z0-9-], so no cell needs quoting. */
export function tagStatsCsv(view: TagStatsView): string {
  const header = [view.bucket, ...view.tags.map((t) => t.tag)].join(',');
  const rows = view.periods.map((period, i) =>
    [period, ...view.tags.map((t) => String(t.counts[i] ?? 0))].join(','),
  );
  const total = ['total', ...view.tags.map((t) => String(t.total))].join(',');
  return [header, ...rows, total].join('\r\n') + '\r\n';
}
