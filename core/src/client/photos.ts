import type { PhotoReferenceView, PhotoSyncCounts, PhotoView } from '../contract/photos.ts';
import { DomainClient } from './transport.ts';

/** Person photos for exam readers (protocol § 7.28): references and the photos they name. */
export class PhotosClient extends DomainClient {
  /** A reference to the card holder's photo for this reader; null when the person has no photo. */
  photoReference(cardNo: string, deviceId: string): Promise<{ reference: PhotoReferenceView | null }> {
    return this.transport.call('POST', '/v1/photos/references', { cardNo, deviceId });
  }
  /** The photo a reference names, for the reader it was given to (PHOTO_REFERENCE_EXPIRED / _INVALID). */
  photoByReference(reference: string, deviceId: string): Promise<PhotoView> {
    return this.transport.call('POST', '/v1/photos/by-reference', { reference, deviceId });
  }
  /** Reads the source photo tables now, from where the last run stopped. */
  syncPhotos(): Promise<PhotoSyncCounts> {
    return this.transport.call('POST', '/v1/photos/sync-runs', {});
  }
}
