/// <reference types="@tarojs/taro" />

/** '' for H5 (same origin), the BFF's absolute URL for mini-programs; set in config/index.ts. */
declare const API_BASE: string;
/** The mini-program's appid (TARO_APP_APPID at build time); the H5 demo logs in as this app. */
declare const APP_ID: string;

declare module '*.css';
