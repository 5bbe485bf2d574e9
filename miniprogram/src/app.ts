import './app.css';
import { createElement, Fragment, type PropsWithChildren } from 'react';
import { TitleBar } from './components/TitleBar.tsx';
import { registerServiceWorker } from './lib/service-worker.ts';

registerServiceWorker();

function App({ children }: PropsWithChildren) {
  // H5 has no platform title bar: one of ours beside the pages (the mini-programs draw their own).
  if (process.env.TARO_ENV === 'h5') return createElement(Fragment, null, children, createElement(TitleBar));
  return children;
}

export default App;
