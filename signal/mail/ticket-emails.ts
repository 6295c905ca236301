/**
 * The texts of Peerdesk's emails to visitors (F23, F25, F26), each as a subject, a
 * plain-text part and an HTML part that say the same thing: the transcript of a
 * chat, "we have your message" with the follow-up link, and a helper's answer.
 *
 * Exports: `transcriptEmail(input)`, `messageReceivedEmail(input)`,
 * `answerEmail(input)`, `EmailContent`.
 */
import {
  emailHtml,
  entryHtml,
  entryText,
  formatWhen,
  lineHtml,
  lineText,
  linkHtml,
  paragraphHtml,
} from './email-layout.ts';
import type { TranscriptLine } from './transcript-source.ts';

export type EmailContent = { subject: string; text: string; html: string };

const SIGNATURE = '— The Peerdesk support team';

function followUpParts(url: string | null): { text: string[]; html: string[] } {
  if (url === null) return { text: [], html: [] };
  const say = 'To read this again or to reply, open your private follow-up page:';
  return {
    text: [say, url, 'Anyone with this link can read and reply; do not share it.', ''],
    html: [
      paragraphHtml(say),
      linkHtml(url, 'Open your follow-up page'),
      paragraphHtml('Anyone with this link can read and reply; do not share it.'),
    ],
  };
}

export function transcriptEmail(input: {
  visitorName: string;
  endedAt: number;
  lines: readonly TranscriptLine[];
  followUpUrl: string | null;
}): EmailContent {
  const intro = `Here is the transcript of your chat, which ended ${formatWhen(input.endedAt)}.`;
  const follow = followUpParts(input.followUpUrl);
  const text = [
    `Hello ${input.visitorName},`,
    '',
    intro,
    '',
    ...input.lines.map((line) => `${lineText(line)}\n`),
    ...follow.text,
    SIGNATURE,
  ].join('\n');
  const html = emailHtml(
    'Your chat transcript',
    [
      paragraphHtml(`Hello ${input.visitorName},`),
      paragraphHtml(intro),
      '<div>',
      ...input.lines.map(lineHtml),
      '</div>',
      ...follow.html,
      paragraphHtml(SIGNATURE),
    ].join('\n'),
  );
  return { subject: 'Your chat transcript', text, html };
}

export function messageReceivedEmail(input: {
  visitorName: string;
  subject: string;
  message: { author: string; at: number; body: string } | null;
  followUpUrl: string;
}): EmailContent {
  const intro = 'Thank you: we have your message, and a helper will answer it here.';
  const follow = followUpParts(input.followUpUrl);
  const text = [
    `Hello ${input.visitorName},`,
    '',
    intro,
    '',
    ...(input.message === null
      ? []
      : [entryText(input.message.author, input.message.at, input.message.body), '']),
    ...follow.text,
    SIGNATURE,
  ].join('\n');
  const html = emailHtml(
    input.subject,
    [
      paragraphHtml(`Hello ${input.visitorName},`),
      paragraphHtml(intro),
      ...(input.message === null
        ? []
        : [entryHtml(input.message.author, input.message.at, input.message.body)]),
      ...follow.html,
      paragraphHtml(SIGNATURE),
    ].join('\n'),
  );
  return { subject: `We have your message: ${input.subject}`, text, html };
}

export function answerEmail(input: {
  visitorName: string;
  subject: string;
  answer: { author: string; at: number; body: string };
  followUpUrl: string;
}): EmailContent {
  const intro = `${input.answer.author} answered your follow-up:`;
  const follow = followUpParts(input.followUpUrl);
  const text = [
    `Hello ${input.visitorName},`,
    '',
    intro,
    '',
    entryText(input.answer.author, input.answer.at, input.answer.body),
    '',
    ...follow.text,
    SIGNATURE,
  ].join('\n');
  const html = emailHtml(
    input.subject,
    [
      paragraphHtml(`Hello ${input.visitorName},`),
      paragraphHtml(intro),
      entryHtml(input.answer.author, input.answer.at, input.answer.body),
      ...follow.html,
      paragraphHtml(SIGNATURE),
    ].join('\n'),
  );
  return { subject: `Re: ${input.subject}`, text, html };
}
