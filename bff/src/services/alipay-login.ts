import { AlipayGateway, type AlipayGatewayOptions } from '@campus-card/core/alipay';
import type { Logger } from '@campus-card/core/log';
import { BffError } from '../errors.ts';

/**
 * Alipay login: the code from my.getAuthCode is traded through `alipay.system.oauth.token` (the
 * official SDK, answer signature verified) for the person's Alipay id, which becomes our subject
 * under its own namespace, `ali-<id>`, beside WeChat openids: the same sessions, bindings and
 * parent links then work for both apps, and no WeChat openid can name an Alipay account.
 */
export const ALIPAY_SUBJECT_PREFIX = 'ali-';

export interface AlipayLoginOptions extends AlipayGatewayOptions {
  /** Which id the app is set to hand out (open-platform console): `open_id` for newer apps, else `user_id`. */
  idType: 'open_id' | 'user_id';
}

/** The ids Alipay hands out: 2088 + 12 digits, or an open_id of letters, digits, `-` and `_`. */
const alipayId = /^[A-Za-z0-9_-]{6,60}$/;
/** Alipay's codes for an auth code that is unknown, expired or used: the person should log in again. */
const badCodeSubCodes = new Set(['isv.code-invalid', 'isv.invalid-code', 'isv.auth-code-invalid']);

export class AlipayLogin {
  readonly gateway: AlipayGateway;
  readonly #idType: AlipayLoginOptions['idType'];
  readonly #log: Logger;

  constructor(options: AlipayLoginOptions, log: Logger) {
    this.gateway = new AlipayGateway(options);
    this.#idType = options.idType;
    this.#log = log;
  }

  /** The subject (`ali-<id>`) of the person who got this auth code, or LOGIN_FAILED / ALIPAY_UNAVAILABLE. */
  async subjectOf(code: string): Promise<string> {
    const result = await this.gateway.exec('alipay.system.oauth.token', {
      grant_type: 'authorization_code',
      code,
    });
    if (result.kind === 'unavailable') {
      // A forged or tampered answer is a security event, not just an outage: it is logged as such.
      if (result.reason === 'bad_signature')
        this.#log.warn({ method: 'alipay.system.oauth.token' }, 'Alipay answer failed its signature check');
      throw new BffError('ALIPAY_UNAVAILABLE', 'Alipay login is unavailable, try again', {
        reason: result.reason,
      });
    }
    if (result.kind === 'refused') {
      if (badCodeSubCodes.has(result.subCode))
        throw new BffError('LOGIN_FAILED', 'the auth code is invalid or used; log in again');
      // Our app id, key or permissions refused: not the person's fault.
      this.#log.warn({ code: result.code, subCode: result.subCode }, 'Alipay refused oauth.token');
      throw new BffError('ALIPAY_UNAVAILABLE', 'Alipay login is unavailable, try again', {
        subCode: result.subCode,
      });
    }
    const id = result.data[this.#idType];
    if (typeof id !== 'string' || !alipayId.test(id)) {
      this.#log.warn({ idType: this.#idType }, 'Alipay oauth.token answered without the configured id');
      throw new BffError('ALIPAY_UNAVAILABLE', 'Alipay login answered something unexpected');
    }
    return `${ALIPAY_SUBJECT_PREFIX}${id}`;
  }
}
