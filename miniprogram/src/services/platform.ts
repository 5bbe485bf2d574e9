// What differs between WeChat, Alipay and H5: randomness for the key pair, the login code, payment.
// process.env.TARO_ENV is replaced at build time, so each bundle keeps only its own branch.
import type { RandomSource } from '@campus-card/core/credential';
import Taro from '@tarojs/taro';
import type { PlacedTopUp } from './top-ups.ts';

/** The mini-program's appid (config/index.ts); the H5 build asks the WeChat stand-in for codes of this app. */
export const demoAppId = APP_ID;

/** Web Crypto where the runtime has it (H5, newer base libraries), else WeChat's user crypto manager. */
export const phoneRandom: RandomSource = (byteLength) => {
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: (bytes: Uint8Array) => Uint8Array } })
    .crypto;
  if (webCrypto?.getRandomValues) return webCrypto.getRandomValues(new Uint8Array(byteLength));
  return new Promise<Uint8Array>((resolve, reject) => {
    Taro.getUserCryptoManager().getRandomValues({
      length: byteLength,
      success: (result) => resolve(new Uint8Array(result.randomValues)),
      fail: (error) => reject(new Error(error.errMsg)),
    });
  });
};

const h5UserKey = 'cc.h5.openid';

/**
 * A one-time login code. Mini-programs get it from wx.login / my.getAuthCode; the H5 demo has neither
 * and mints one at the WeChat login stand-in (served under /__mock by whatever serves the H5 page),
 * keeping its made-up openid so the same browser is the same user.
 */
export async function loginCode(): Promise<string> {
  if (process.env.TARO_ENV === 'h5') {
    const openid: unknown = Taro.getStorageSync(h5UserKey);
    const response = await Taro.request({
      url: '/__mock/login-code',
      method: 'POST',
      data: typeof openid === 'string' && openid !== '' ? { appid: demoAppId, openid } : { appid: demoAppId },
      header: { 'content-type': 'application/json' },
    });
    const minted = response.data as { code?: string; openid?: string };
    if (response.statusCode !== 200 || typeof minted.code !== 'string') throw new Error('no login code');
    if (typeof minted.openid === 'string') Taro.setStorageSync(h5UserKey, minted.openid);
    return minted.code;
  }
  // On the Alipay build Taro.login is my.getAuthCode({ scopes: 'auth_base' }) and its authCode comes
  // back as code (@tarojs/plugin-platform-alipay); session.ts sends it to the Alipay route.
  const result = await Taro.login();
  return result.code;
}

/**
 * Pays a placed order (a top-up, or a fee paid by WeChat Pay or Alipay) the way this build can: the H5
 * build leaves for the payment page (answers false: the page returns to the result page by itself), the
 * Alipay build opens my.tradePay, WeChat's requestPayment. A cancel in the app is a toast; the order's
 * own state, read next, says what really happened.
 */
export async function payPlacedOrder(order: PlacedTopUp, cancelledText: string): Promise<boolean> {
  try {
    if (process.env.TARO_ENV === 'h5') {
      // No requestPayment in a browser: the stand-in payment page checks paySign like WeChat's client
      // does, then comes back to the result page.
      if (order.payPageUrl) {
        window.location.assign(order.payPageUrl);
        return false;
      }
    } else if (process.env.TARO_ENV === 'alipay') {
      // The Alipay build pays with my.tradePay and the trade number the BFF placed with
      // alipay.trade.create, never with WeChat's parameters.
      if (order.alipay) await Taro.tradePay({ tradeNO: order.alipay.tradeNO });
    } else if (order.payment) await Taro.requestPayment({ ...order.payment });
  } catch {
    Taro.showToast({ title: cancelledText, icon: 'none' });
  }
  return true;
}
