import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { uxStrings } from '../ux-strings.ts';

/** Pages that are a start of their own (no page behind them to go back to): no title bar. */
const rootPages = new Set(['pages/home/index', 'pages/login/index']);
/** Where a session can start (an unbound student, a parent): opened first, back would only come back. */
const landingPages = new Set(['pages/bind/index', 'pages/parents/index']);

/** The H5 route as Taro's hash router has it: `pages/bills/index` from `#/pages/bills/index?…`. */
function currentRoute(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

/** A chunk (a page's code) that failed to load: the browser is offline or the server is gone. */
function isChunkFailure(reason: unknown): boolean {
  const text = reason instanceof Error ? `${reason.name} ${reason.message}` : String(reason);
  return /ChunkLoadError|Loading (CSS )?chunk|Failed to fetch dynamically imported module/i.test(text);
}

/**
 * H5 only (a mini-program has the platform's own bar): a title bar with the page's title and a back
 * button on every page but home and login, and a sentence instead of silence when a page's code cannot
 * be loaded (offline). Rendered once by the app, beside the pages.
 */
export function TitleBar() {
  const [route, setRoute] = useState(currentRoute);
  const [title, setTitle] = useState(() => document.title);

  useEffect(() => {
    const update = () => {
      setRoute(currentRoute());
      setTitle(document.title);
      focusable();
    };
    // Each page is a scrolling box of Taro's: focusable, so a keyboard can scroll it (WCAG 2.1.1).
    const router = document.querySelector('.taro_router');
    const focusable = () => {
      for (const page of Array.from(document.querySelectorAll('.taro_page:not([tabindex])')))
        page.setAttribute('tabindex', '0');
    };
    focusable();
    const pages = new MutationObserver(focusable);
    if (router) pages.observe(router, { childList: true });
    // Taro sets document.title from the page's navigationBarTitleText once the page is shown.
    const observer = new MutationObserver(update);
    const head = document.querySelector('title');
    if (head) observer.observe(head, { childList: true, characterData: true, subtree: true });
    window.addEventListener('hashchange', update);
    Taro.eventCenter.on('__afterTaroRouterChange', update);
    const onRejection = (event: PromiseRejectionEvent) => {
      if (!isChunkFailure(event.reason)) return;
      event.preventDefault();
      void Taro.showToast({ title: uxStrings.offline.unavailable, icon: 'none' });
    };
    window.addEventListener('unhandledrejection', onRejection);
    return () => {
      observer.disconnect();
      pages.disconnect();
      window.removeEventListener('hashchange', update);
      Taro.eventCenter.off('__afterTaroRouterChange', update);
      window.removeEventListener('unhandledrejection', onRejection);
    };
  }, []);

  const shown = route !== '' && !rootPages.has(route);
  useEffect(() => {
    document.body.classList.toggle('h5-titled', shown);
  }, [shown]);
  if (!shown) return null;

  const canGoBack = Taro.getCurrentPages().length > 1 || !landingPages.has(route);
  const back = () => {
    if (Taro.getCurrentPages().length > 1) void Taro.navigateBack();
    else void Taro.reLaunch({ url: '/pages/home/index' });
  };
  // Outside Taro's page container: a page is shown only while it is that container's last child.
  return createPortal(
    <View className="title-bar" id="title-bar" role="banner">
      {canGoBack ? (
        <View
          className="title-bar-back"
          id="title-bar-back"
          role="button"
          aria-label={uxStrings.titleBar.back}
          onClick={back}
        >
          <Text aria-hidden="true">‹</Text>
          <Text>{uxStrings.titleBar.back}</Text>
        </View>
      ) : null}
      <Text className="title-bar-title" id="title-bar-title">
        {title}
      </Text>
    </View>,
    document.body,
  );
}
