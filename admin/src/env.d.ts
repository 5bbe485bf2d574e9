// react-dom/client's one entry point used here (the app takes no @types/react-dom for this).
declare module 'react-dom/client' {
  import type { ReactNode } from 'react';
  export function createRoot(container: Element): { render(children: ReactNode): void; unmount(): void };
}
