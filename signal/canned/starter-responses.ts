/**
 * F18: the Global canned responses a demo starts with, written for a help desk that
 * runs on Peerdesk (the seed's categories; `{visitor}` and `{helper}` are filled in
 * when a helper inserts one, SP-CN3). Seeded once, into an empty Global set.
 */
import type { CannedBody } from '../../protocol/index.ts';
import type { CannedStore } from '../storage/canned-store.ts';

export const STARTER_RESPONSES: readonly CannedBody[] = [
  {
    category: 'Common instructions',
    title: 'Greeting',
    body: 'Hi {visitor}, I am {helper}, a volunteer here. Let me read your question and I will be right with you.',
  },
  {
    category: 'Troubleshooting',
    title: 'Clear cache and cookies',
    body: 'Could you try clearing the cache and cookies for this site, {visitor}? Open the menu, choose **Settings → Privacy**, then **Clear data** for this site only, and reload the page.',
  },
  {
    category: 'Troubleshooting',
    title: 'Restart in troubleshoot mode',
    body: 'Let us rule out an add-on: restart in troubleshoot mode (menu → **Help → Troubleshoot mode**). Does the problem still happen there?',
  },
  {
    category: 'Common issues',
    title: 'Pages will not print',
    body: 'For printing problems, please open the print preview and check that the right printer and paper size are chosen. If the preview is blank, reset the print settings: menu → **Settings → General → Printing → Reset**.',
  },
  {
    category: 'Error messages',
    title: 'Secure connection failed',
    body: 'A "secure connection failed" error usually comes from the clock or a security program. Is the date and time on your computer right, {visitor}? If so, which antivirus do you use?',
  },
  {
    category: 'Web sites',
    title: 'One site does not load',
    body: 'When only one site misbehaves, it is usually that site or its stored data. Does it load in a private window? That tells us whether cookies or an add-on are involved.',
  },
  {
    category: 'Using Firefox',
    title: 'Where bookmarks live',
    body: 'Your bookmarks are in the Library: press **Ctrl+Shift+O** (**Cmd+Shift+O** on a Mac). From there you can back them up or restore an earlier copy.',
  },
  {
    category: 'Resources',
    title: 'Knowledge base',
    body: 'There is a step-by-step article on this in our knowledge base; I will paste the link so you can keep it for later.',
  },
  {
    category: 'Following up',
    title: 'Ending: start a new chat',
    body: 'I have to end our chat now, {visitor}, sorry. If this has not solved it, start a new chat from this page at any time and another helper will carry on from here.',
  },
  {
    category: 'Following up',
    title: 'Ending: post in the forum',
    body: 'This needs more digging than a chat allows. Please post your question in the community forum with what we tried; volunteers there will follow up. Thanks for your patience, {visitor}!',
  },
  {
    category: 'Administration',
    title: 'We cannot access your account',
    body: 'Volunteers cannot see or change your account, {visitor}. For account or billing questions please use the account help page, which staff answer.',
  },
  {
    category: 'RRRT',
    title: 'Report a rude reply',
    body: 'Thank you for telling us. I have passed this on to the team that reviews conduct; you do not need to do anything more.',
  },
  {
    category: 'Tags',
    title: 'solved',
    body: 'Glad that worked, {visitor}! Is there anything else I can help with today?',
  },
  {
    category: 'Tags',
    title: 'followup',
    body: 'I will note this chat for a follow-up, {visitor}, so the next helper knows what we tried.',
  },
];

export function seedStarterResponses(store: CannedStore, now: number): void {
  if (store.countGlobal() > 0) return;
  STARTER_RESPONSES.forEach((body, index) => {
    store.create(`starter-${index + 1}`, null, body, now);
  });
}
