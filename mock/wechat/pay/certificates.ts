import { makeCertifiedKey } from '../x509.ts';
import { encryptResource } from './aead.ts';

/** The platform certificate WeChat signs with, and the `GET /v3/certificates` body that hands it out. */
export interface PlatformCertificate {
  serialNo: string;
  certificatePem: string;
  privateKey: import('node:crypto').KeyObject;
  effectiveTime: Date;
  expireTime: Date;
}

const VALID_DAYS = 5 * 365;

export function makePlatformCertificate(now: Date = new Date()): PlatformCertificate {
  const made = makeCertifiedKey('Tenpay.com Root CA stand-in platform', 'Tenpay.com', VALID_DAYS);
  return {
    serialNo: made.serialNo,
    certificatePem: made.certificatePem,
    privateKey: made.privateKey,
    effectiveTime: now,
    expireTime: new Date(now.getTime() + VALID_DAYS * 86_400_000),
  };
}

/** WeChat's own time format: second precision with the +08:00 offset. */
export function shanghaiTime(date: Date): string {
  const local = new Date(date.getTime() + 8 * 3_600_000);
  return `${local.toISOString().slice(0, 19)}+08:00`;
}

export function certificatesBody(certificates: readonly PlatformCertificate[], apiV3Key: string) {
  return {
    data: certificates.map((certificate) => ({
      serial_no: certificate.serialNo,
      effective_time: shanghaiTime(certificate.effectiveTime),
      expire_time: shanghaiTime(certificate.expireTime),
      encrypt_certificate: encryptResource(apiV3Key, certificate.certificatePem, 'certificate'),
    })),
  };
}
