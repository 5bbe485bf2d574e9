/**
 * What a person photo may be: a JPEG or a PNG (told by its first bytes, not by what the source says) of
 * at most `photoBytesMax` bytes, which an exam reader fetches in a dozen frames at most.
 */
export const photoBytesMax = 48 * 1024;

export const photoMediaTypes = ['image/jpeg', 'image/png'] as const;
export type PhotoMediaType = (typeof photoMediaTypes)[number];

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const jpeg = Buffer.from([0xff, 0xd8, 0xff]);

/** The photo's type from its signature bytes, or why it is refused. */
export function judgePhoto(
  bytes: Uint8Array,
): { ok: true; mediaType: PhotoMediaType } | { ok: false; reason: string } {
  if (bytes.byteLength === 0) return { ok: false, reason: 'the photo is empty' };
  if (bytes.byteLength > photoBytesMax)
    return { ok: false, reason: `the photo is larger than ${photoBytesMax} bytes` };
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.equals(png)) return { ok: true, mediaType: 'image/png' };
  if (head.subarray(0, 3).equals(jpeg)) return { ok: true, mediaType: 'image/jpeg' };
  return { ok: false, reason: 'the photo is neither a JPEG nor a PNG' };
}
