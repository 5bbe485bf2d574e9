/// <reference types="@tarojs/taro" />

/** '' for H5 (same origin), the BFF's absolute URL for mini-programs; set in config/index.ts. */
declare const API_BASE: string;

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'alipay' | 'h5' | 'swan' | 'tt' | 'qq' | 'jd';
  }
}

declare module '*.css';
