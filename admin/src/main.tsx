import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './contrast.css';
import { themeFor } from './theme.ts';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <ConfigProvider locale={zhCN} theme={themeFor(matchMedia('(prefers-reduced-motion: reduce)').matches)}>
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>,
  );
