/**
 * F27, SPEC.md SP-U1: a helper's console archives each chat it helped in when the chat
 * ends. Called with every staff message before the ended chat's session is let go,
 * so the final document is still there to encode. Chats this console only watched
 * (a monitor) are not uploaded: the service would refuse them.
 *
 * Exports: `archiveOnEnd(token, report)` → `(msg, participant) => void`.
 */
import * as Y from 'yjs';
import type { Attachment, ChatRole, ServiceToStaff } from '$protocol';
import type { ArchiveUploadState } from '../console/console-ports.ts';
import type { ChatSession } from '../session/chat-session.ts';
import { uploadTranscript } from './transcript-upload.ts';

type Holder = {
  readonly sessions: ReadonlyMap<string, ChatSession>;
  loadFile(sha256: string): Promise<Uint8Array | null>;
};

export function archiveOnEnd(
  token: string,
  report: (chatId: string, state: ArchiveUploadState) => void,
): (msg: ServiceToStaff, holder: Holder) => void {
  const roles = new Map<string, ChatRole>();
  return (msg, holder) => {
    if (msg.type === 'chat') {
      roles.set(msg.chatId, msg.role);
      return;
    }
    if (msg.type === 'left') roles.delete(msg.chatId);
    if (msg.type !== 'ended') return;
    const role = roles.get(msg.chatId);
    roles.delete(msg.chatId);
    const session = holder.sessions.get(msg.chatId);
    if (role !== 'helper' || session === undefined) return;
    const update = Y.encodeStateAsUpdate(session.doc);
    const attachments: Attachment[] = session.view.messages.flatMap((m) =>
      m.attachment === undefined ? [] : [m.attachment],
    );
    // SP-U10: after a requeue the earlier helpers' lines are only in these copies.
    const earlier = session.earlierCopies();
    report(msg.chatId, { kind: 'saving' });
    void uploadTranscript(
      { token, loadFile: (sha256) => holder.loadFile(sha256) },
      msg.chatId,
      update,
      attachments,
      earlier,
    ).then((outcome) =>
      report(
        msg.chatId,
        outcome.ok
          ? { kind: 'saved', stored: outcome.stored }
          : { kind: 'failed', message: outcome.message },
      ),
    );
  };
}
