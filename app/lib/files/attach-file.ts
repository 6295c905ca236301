/**
 * F13: from a File the person picked, pasted or dropped to an attachment in the chat:
 * the size cap first (nothing is read past it), then the bytes, their SHA-256 and the
 * metadata the chat document keeps (CHAT.md CH-X1–CH-X3).
 */
import { LIMITS, type Attachment } from '../../../protocol/index.ts';
import type { SendResult } from '../session/chat-session.ts';
import type { FileTransfers } from './file-transfers.ts';
import { formatBytes, sha256Hex } from './file-checks.ts';

/** What a view needs of a chat session to show and send attachments. */
export interface AttachmentPort {
  readonly files: Pick<FileTransfers, 'view' | 'sending' | 'cancel' | 'resume' | 'maxBytes'>;
  attach(attachment: Attachment, bytes: Uint8Array): Promise<SendResult>;
}

/** Returns null when attached, or what to tell the person. */
export async function attachFile(
  port: AttachmentPort,
  file: File,
  maxBytes: number = port.files.maxBytes,
): Promise<string | null> {
  const name = file.name.trim() === '' ? 'pasted image' : file.name;
  if (file.size > maxBytes) {
    return `“${name}” is ${formatBytes(file.size)}: files up to ${formatBytes(maxBytes)} can be sent.`;
  }
  if (file.size === 0) return `“${name}” is empty.`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const attachment: Attachment = {
    name: name.slice(0, LIMITS.maxTitleLength),
    mime: (file.type || 'application/octet-stream').slice(0, 100),
    bytes: bytes.byteLength,
    sha256: await sha256Hex(bytes),
  };
  const result = await port.attach(attachment, bytes);
  return result.ok ? null : `“${name}” could not be sent (${result.code}).`;
}

/** The files of a paste or a drop (a pasted screenshot arrives as one). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  return [...data.files];
}
