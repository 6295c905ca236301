/**
 * F13: what a receiver checks about a file before it shows or stores it: its SHA-256
 * (CH-X7), whether its bytes are the raster image its type claims (CH-X9: only then is it
 * previewed). The name a file is shown and saved under (CH-X10) is `safeFileName` in
 * protocol/chat-doc/file-names.ts: the service's archive and emails use it too.
 */

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Raster image types we preview, with the magic bytes that open such a file. */
const IMAGE_MAGIC: readonly { mime: string; test: (b: Uint8Array) => boolean }[] = [
  {
    mime: 'image/png',
    test: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x),
  },
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    mime: 'image/gif',
    test: (b) => String.fromCharCode(...b.subarray(0, 6)).match(/^GIF8[79]a$/) !== null,
  },
  {
    mime: 'image/webp',
    test: (b) =>
      String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' &&
      String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
  },
];

/** The raster image type the bytes really are, or null (SVG is never one: it runs script). */
export function sniffImageType(bytes: Uint8Array): string | null {
  return IMAGE_MAGIC.find((m) => m.test(bytes))?.mime ?? null;
}

/** CH-X9: a preview only when the claimed type is a raster image and the bytes agree. */
export function previewable(claimedMime: string, bytes: Uint8Array): boolean {
  const real = sniffImageType(bytes);
  return real !== null && real === claimedMime.trim().toLowerCase();
}

/** True when the claimed type is one we would preview, were the bytes right. */
export function claimsImage(mime: string): boolean {
  return IMAGE_MAGIC.some((m) => m.mime === mime.trim().toLowerCase());
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
