import { createHash, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { standInCertificateOrganization } from '@campus-card/core/alipay';
import { type CertificateName, issueCertificate } from '../wechat/x509.ts';

/**
 * The stand-in's public-key certificate mode (公钥证书模式): at start it makes a root CA, issues Alipay's
 * public certificate for the platform key with it, and issues an app certificate for each app registered
 * in cert mode, as the open-platform console does when the app's CSR is uploaded. Every certificate names
 * `standInCertificateOrganization`, so production refuses them. The SN rule is Alipay's, written here
 * apart from the SDK's: MD5 of the issuer's name (its attributes last first, `CN=…,OU=…,O=…,C=…`)
 * followed by the serial number in decimal; a root file's SN is its RSA certificates' SNs joined by `_`.
 */
export interface StandInCertificates {
  /** alipayRootCert.crt */
  alipayRootCert: string;
  /** alipayCertPublicKey_RSA2.crt */
  alipayPublicCert: string;
  alipayRootCertSn: string;
  alipayCertSn: string;
  /** appCertPublicKey_<appid>.crt for an app's public key, and its SN. */
  issueAppCert(appId: string, publicKey: KeyObject): { pem: string; sn: string };
  /**
   * A renewed alipayCertPublicKey_RSA2.crt for a new platform key, issued by the root (or, with
   * `foreignRoot`, by a root nobody configured: what a forged renewal looks like), and its SN.
   */
  issueAlipayCert(publicKey: KeyObject, options?: { foreignRoot?: boolean }): { pem: string; sn: string };
}

const rootName: CertificateName = {
  commonName: 'Campus Card Alipay Stand-in Root CA',
  organization: standInCertificateOrganization,
};
const alipayName: CertificateName = {
  commonName: '支付宝(中国)网络技术有限公司 (stand-in)',
  organization: standInCertificateOrganization,
  unit: 'Alipay Open Platform',
};

/** Alipay's SN of one certificate (PEM). */
export function certSn(pem: string): string {
  const cert = new X509Certificate(pem);
  const issuer = cert.issuer.split('\n').reverse().join(',');
  return createHash('md5')
    .update(`${issuer}${BigInt(`0x${cert.serialNumber}`).toString(10)}`, 'utf8')
    .digest('hex');
}

/** Alipay's SN of a root file: the SNs of its RSA-signed certificates joined by `_`. */
export function rootCertSn(pems: string): string {
  const blocks = pems.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks
    .filter((block) => new X509Certificate(block).publicKey.asymmetricKeyType === 'rsa')
    .map((block) => certSn(block))
    .join('_');
}

export function makeStandInCertificates(platformPublicKey: KeyObject): StandInCertificates {
  const root = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rootCa = { name: rootName, privateKey: root.privateKey };
  const alipayRootCert = issueCertificate({
    subject: rootName,
    publicKey: root.publicKey,
    issuer: rootCa,
    ca: true,
    validDays: 3650,
  }).certificatePem;
  const alipayPublicCert = issueCertificate({
    subject: alipayName,
    publicKey: platformPublicKey,
    issuer: rootCa,
  }).certificatePem;
  return {
    alipayRootCert,
    alipayPublicCert,
    alipayRootCertSn: rootCertSn(alipayRootCert),
    alipayCertSn: certSn(alipayPublicCert),
    issueAlipayCert(publicKey, options = {}) {
      const issuer = options.foreignRoot
        ? { name: rootName, privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }
        : rootCa;
      const pem = issueCertificate({ subject: alipayName, publicKey, issuer }).certificatePem;
      return { pem, sn: certSn(pem) };
    },
    issueAppCert(appId, publicKey) {
      const pem = issueCertificate({
        subject: { commonName: appId, organization: standInCertificateOrganization, unit: 'Alipay app' },
        publicKey,
        issuer: rootCa,
      }).certificatePem;
      return { pem, sn: certSn(pem) };
    },
  };
}
