// The one react-dom call the app makes (H5's title bar is portalled to <body>, outside Taro's page
// container): react-dom in the browser, @tarojs/react (which has it too) in the mini-programs.
declare module 'react-dom' {
  import type { ReactNode, ReactPortal } from 'react';
  export function createPortal(children: ReactNode, container: Element): ReactPortal;
}
