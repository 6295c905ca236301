/**
 * F24, SPEC.md SP-U7: after the chat the visitor may rate it (1–5 stars, an optional
 * comment) with the visitor token the widget holds, and the widget shows the community
 * forum link the service is configured with. Outcomes are values, never throws.
 *
 * Exports: `sendSurvey(answer, doFetch)`, `loadAfterChat(doFetch)`, `SurveyResult`,
 * `AfterChat`.
 */
import * as v from 'valibot';
import { ChatRating, Url, type SurveyAnswer } from '$protocol';

export type SurveyResult = { ok: true } | { ok: false; message: string };

const ErrorBody = v.object({ error: v.object({ code: v.string(), message: v.string() }) });
export const AfterChat = v.object({ forumUrl: v.nullable(Url) });
export type AfterChat = v.InferOutput<typeof AfterChat>;

type Fetch = typeof fetch;
const browserFetch: Fetch = (input, init) => fetch(input, init);

export async function sendSurvey(
  answer: SurveyAnswer,
  doFetch: Fetch = browserFetch,
): Promise<SurveyResult> {
  let response: Response;
  try {
    response = await doFetch('/api/survey', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(answer),
    });
  } catch {
    return { ok: false, message: 'Your rating could not be sent. Check your connection.' };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) {
    return v.is(ChatRating, body)
      ? { ok: true }
      : { ok: false, message: 'Your rating could not be confirmed.' };
  }
  // already_rated: the first answer stands, which is what the visitor wanted.
  const error = v.safeParse(ErrorBody, body);
  if (error.success && error.output.error.code === 'already_rated') return { ok: true };
  return {
    ok: false,
    message: error.success ? error.output.error.message : 'Your rating could not be sent.',
  };
}

/** The forum link; none when the service cannot be asked. */
export async function loadAfterChat(doFetch: Fetch = browserFetch): Promise<AfterChat> {
  try {
    const response = await doFetch('/api/after-chat', { headers: { accept: 'application/json' } });
    const parsed = v.safeParse(AfterChat, await response.json());
    return parsed.success ? parsed.output : { forumUrl: null };
  } catch {
    return { forumUrl: null };
  }
}
