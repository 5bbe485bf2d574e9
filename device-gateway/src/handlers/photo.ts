import { CoreError } from '@campus-card/core/client';
import type { ErrorFrame, PhotoChunk, PhotoRequest } from '../protocol/index.ts';
import { MessageType, photoChunkBytesMax } from '../protocol/index.ts';
import type { HandlerDeps, RequestContext } from './context.ts';

/**
 * PHOTO_REQUEST (protocol § 7.28): the part of a candidate's photo from `offset`, by the reference the exam
 * reader was given with the sign-in. The core checks the reference (signed for this reader, not altered, not
 * expired) on every request; a refused one is an ERROR frame naming why, and nothing else is said.
 */
export async function photoChunk(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: PhotoRequest,
): Promise<PhotoChunk | ErrorFrame> {
  const refuse = (code: ErrorFrame['code'], message: string): ErrorFrame => ({
    kind: 'error',
    code,
    inReplyToType: MessageType.PHOTO_REQUEST,
    message,
  });
  let photo: Awaited<ReturnType<HandlerDeps['core']['photoByReference']>>;
  try {
    photo = await deps.core.photoByReference(request.photoRef, ctx.deviceRef);
  } catch (error) {
    if (error instanceof CoreError && error.code === 'PHOTO_REFERENCE_EXPIRED')
      return refuse('PHOTO_REFERENCE_EXPIRED', 'the photo reference has expired');
    if (error instanceof CoreError && error.code === 'PHOTO_REFERENCE_INVALID')
      return refuse('PHOTO_REFERENCE_INVALID', 'not a photo reference given to this device');
    throw error;
  }
  const bytes = Buffer.from(photo.data, 'base64');
  if (request.offset >= bytes.byteLength)
    return refuse('BAD_FIELD', `offset ${request.offset} is past the photo's ${bytes.byteLength} bytes`);
  return {
    kind: 'photo_chunk',
    mediaType: photo.mediaType,
    totalBytes: bytes.byteLength,
    offset: request.offset,
    data: bytes.subarray(request.offset, request.offset + photoChunkBytesMax),
  };
}
