import {
  AccountBookOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CarOutlined,
  CheckSquareOutlined,
  DashboardOutlined,
  DollarOutlined,
  FileTextOutlined,
  HomeOutlined,
  IdcardOutlined,
  KeyOutlined,
  LogoutOutlined,
  MessageOutlined,
  ScheduleOutlined,
  ShopOutlined,
  ShoppingOutlined,
  SyncOutlined,
  TeamOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { Button, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import { lazy, type ReactNode, Suspense, useCallback, useEffect, useState } from 'react';
import { api, type Me, session, whenForbidden, whenSignedOut } from './api.ts';
import { MyAccount } from './components/MyAccount.tsx';
import { bankText } from './pages/bank/strings.ts';
import { busText } from './pages/bus/strings.ts';
import { campusPayText } from './pages/campus-payments/strings.ts';
import { disputeText } from './pages/disputes/strings.ts';
import { ForbiddenPage } from './pages/ForbiddenPage.tsx';
import { insightText, reportsText } from './pages/insight/strings.ts';
import { LoginPage } from './pages/LoginPage.tsx';
import { meetingText } from './pages/meetings/strings.ts';
import { messageText } from './pages/messages/strings.ts';
import { visitorText } from './pages/visitors/strings.ts';
import { federationText, menuText, passageText } from './strings.ts';

/**
 * Each page is its own chunk, fetched when first opened (#19: one 1.86 MB bundle before): the sign-in
 * page and the shell load with the app, a page's code only when the admin goes there.
 */
const AccountsPage = lazy(() =>
  import('./pages/AccountsPage.tsx').then((m) => ({ default: m.AccountsPage })),
);
const ApprovalsPage = lazy(() =>
  import('./pages/ApprovalsPage.tsx').then((m) => ({ default: m.ApprovalsPage })),
);
const AttendancePage = lazy(() =>
  import('./pages/AttendancePage.tsx').then((m) => ({ default: m.AttendancePage })),
);
const AuditPage = lazy(() => import('./pages/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const BankPage = lazy(() => import('./pages/bank/BankPage.tsx').then((m) => ({ default: m.BankPage })));
const CampusPaymentsPage = lazy(() =>
  import('./pages/campus-payments/CampusPaymentsPage.tsx').then((m) => ({ default: m.CampusPaymentsPage })),
);
const CardPage = lazy(() => import('./pages/CardPage.tsx').then((m) => ({ default: m.CardPage })));
const ContentPage = lazy(() => import('./pages/ContentPage.tsx').then((m) => ({ default: m.ContentPage })));
const DashboardPage = lazy(() =>
  import('./pages/DashboardPage.tsx').then((m) => ({ default: m.DashboardPage })),
);
const DevicesPage = lazy(() => import('./pages/DevicesPage.tsx').then((m) => ({ default: m.DevicesPage })));
const FeeReceiptPage = lazy(() =>
  import('./pages/campus-payments/CampusPaymentsPage.tsx').then((m) => ({ default: m.FeeReceiptPage })),
);
const DisputesPage = lazy(() =>
  import('./pages/disputes/DisputesPage.tsx').then((m) => ({ default: m.DisputesPage })),
);
const FundsPage = lazy(() => import('./pages/FundsPage.tsx').then((m) => ({ default: m.FundsPage })));
const HiddenNeedPage = lazy(() =>
  import('./pages/insight/InsightPage.tsx').then((m) => ({ default: m.HiddenNeedPage })),
);
const CardCentreReportsPage = lazy(() =>
  import('./pages/insight/CardCentreReportsPage.tsx').then((m) => ({ default: m.CardCentreReportsPage })),
);
const AttendanceWarningsPage = lazy(() =>
  import('./pages/insight/InsightPage.tsx').then((m) => ({ default: m.AttendanceWarningsPage })),
);
const MeetingsPage = lazy(() =>
  import('./pages/meetings/MeetingsPage.tsx').then((m) => ({ default: m.MeetingsPage })),
);
const MerchantsPage = lazy(() =>
  import('./pages/MerchantsPage.tsx').then((m) => ({ default: m.MerchantsPage })),
);
const MessagesPage = lazy(() =>
  import('./pages/messages/MessagesPage.tsx').then((m) => ({ default: m.MessagesPage })),
);
const OfflineExceptionsPage = lazy(() =>
  import('./pages/OfflineExceptionsPage.tsx').then((m) => ({ default: m.OfflineExceptionsPage })),
);
const BusPage = lazy(() => import('./pages/bus/BusPage.tsx').then((m) => ({ default: m.BusPage })));
const PassagePage = lazy(() =>
  import('./pages/passage/PassagePage.tsx').then((m) => ({ default: m.PassagePage })),
);
const FederationPage = lazy(() =>
  import('./pages/federation/FederationPage.tsx').then((m) => ({ default: m.FederationPage })),
);
const ReceiptPage = lazy(() => import('./pages/ReceiptPage.tsx').then((m) => ({ default: m.ReceiptPage })));
const RefundSlipPage = lazy(() =>
  import('./pages/RefundsPage.tsx').then((m) => ({ default: m.RefundSlipPage })),
);
const RefundsPage = lazy(() => import('./pages/RefundsPage.tsx').then((m) => ({ default: m.RefundsPage })));
const ReportsPage = lazy(() => import('./pages/ReportsPage.tsx').then((m) => ({ default: m.ReportsPage })));
const SearchPage = lazy(() => import('./pages/SearchPage.tsx').then((m) => ({ default: m.SearchPage })));
const SyncPage = lazy(() => import('./pages/SyncPage.tsx').then((m) => ({ default: m.SyncPage })));
const VisitorsPage = lazy(() =>
  import('./pages/visitors/VisitorsPage.tsx').then((m) => ({ default: m.VisitorsPage })),
);
const WorkbenchPage = lazy(() =>
  import('./pages/WorkbenchPage.tsx').then((m) => ({ default: m.WorkbenchPage })),
);

/**
 * The menu: each entry shows only when the admin holds its right (the API refuses the rest anyway);
 * the workbench, every role's landing page, needs none.
 */
const menu: { key: string; label: string; right: string | null; icon: ReactNode }[] = [
  { key: 'workbench', label: menuText.workbench, right: null, icon: <HomeOutlined /> },
  { key: 'cards', label: menuText.cards, right: 'card.read', icon: <IdcardOutlined /> },
  { key: 'approvals', label: menuText.approvals, right: 'approval.read', icon: <CheckSquareOutlined /> },
  { key: 'funds', label: menuText.funds, right: 'funds.read', icon: <DollarOutlined /> },
  { key: 'refunds', label: menuText.refunds, right: 'funds.read', icon: <AccountBookOutlined /> },
  { key: 'payments', label: campusPayText.menu, right: 'funds.read', icon: <DollarOutlined /> },
  { key: 'bank', label: bankText.menu, right: 'funds.read', icon: <AccountBookOutlined /> },
  { key: 'reports', label: menuText.reports, right: 'report.read', icon: <BarChartOutlined /> },
  { key: 'attendance', label: menuText.attendance, right: 'attendance.read', icon: <ScheduleOutlined /> },
  { key: 'insight-reports', label: reportsText.menu, right: 'report.read', icon: <BarChartOutlined /> },
  { key: 'insight-aid', label: insightText.aidMenu, right: 'insight.aid', icon: <BarChartOutlined /> },
  {
    key: 'insight-warnings',
    label: insightText.warningsMenu,
    right: 'insight.warnings',
    icon: <WarningOutlined />,
  },
  { key: 'merchants', label: menuText.merchants, right: 'merchant.read', icon: <ShoppingOutlined /> },
  { key: 'disputes', label: disputeText.menu, right: 'merchant.read', icon: <WarningOutlined /> },
  { key: 'dashboard', label: menuText.dashboard, right: 'monitor.read', icon: <DashboardOutlined /> },
  { key: 'devices', label: menuText.devices, right: 'device.read', icon: <ShopOutlined /> },
  { key: 'offline', label: menuText.offline, right: 'offline.read', icon: <WarningOutlined /> },
  { key: 'visitors', label: visitorText.menu, right: 'visitor.read', icon: <TeamOutlined /> },
  { key: 'meetings', label: meetingText.menu, right: 'meeting.read', icon: <ScheduleOutlined /> },
  { key: 'passage', label: passageText.menu, right: 'passage.read', icon: <KeyOutlined /> },
  { key: 'bus', label: busText.menu, right: 'bus.read', icon: <CarOutlined /> },
  { key: 'content', label: menuText.content, right: 'content.manage', icon: <FileTextOutlined /> },
  { key: 'messages', label: messageText.menu, right: 'messages.read', icon: <MessageOutlined /> },
  { key: 'federation', label: federationText.menu, right: 'federation.read', icon: <ApartmentOutlined /> },
  { key: 'audit', label: menuText.audit, right: 'audit.read', icon: <AuditOutlined /> },
  { key: 'sync', label: menuText.sync, right: 'sync.read', icon: <SyncOutlined /> },
  { key: 'accounts', label: menuText.accounts, right: 'admin.manage', icon: <TeamOutlined /> },
];

/** A tiny hash router: #/cards, #/cards/<cardNo>, #/approvals, #/audit, #/receipt. */
const read = () =>
  window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);

function useHash(): [string[], (path: string) => void] {
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const listener = () => setParts(read());
    window.addEventListener('hashchange', listener);
    return () => window.removeEventListener('hashchange', listener);
  }, []);
  return [parts, (path: string) => (window.location.hash = path)];
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [parts, go] = useHash();
  // The route a read was refused on (403): that route shows 无权访问 until the admin moves on.
  const [forbidden, setForbidden] = useState<string | null>(null);
  const load = useCallback(() => {
    if (!session.get()) return setMe(null);
    api<Me>('GET', '/me').then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    // Signed out here, or in another tab (or signed in there): ask again who this tab is.
    whenSignedOut(load);
    whenForbidden(() => setForbidden(window.location.hash));
    load();
    return () => whenForbidden(null);
  }, [load]);
  const route = parts.join('/');
  // biome-ignore lint/correctness/useExhaustiveDependencies: a refusal holds for the route it came on only
  useEffect(() => setForbidden(null), [route]);

  if (me === undefined) return <Spin style={{ margin: 80 }} />;
  if (me === null) return <LoginPage onSignedIn={load} />;
  const loading = <Spin style={{ margin: 80 }} />;
  if (parts[0] === 'receipt')
    return (
      <Suspense fallback={loading}>
        <ReceiptPage />
      </Suspense>
    );
  if (parts[0] === 'refund-slip')
    return (
      <Suspense fallback={loading}>
        <RefundSlipPage />
      </Suspense>
    );
  if (parts[0] === 'fee-receipt' && parts[1])
    return (
      <Suspense fallback={loading}>
        <FeeReceiptPage paymentId={parts[1]} />
      </Suspense>
    );

  const allowed = menu.filter((m) => m.right === null || me.rights.includes(m.right));
  const page = parts[0] ?? 'workbench';
  // A route the menu does not offer this role, or whose read the API refused, is 无权访问.
  const refused = !allowed.some((m) => m.key === page) || forbidden === window.location.hash;
  const logout = async () => {
    await api('DELETE', '/session').catch(() => {});
    session.clear();
    setMe(null);
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* The border runs the sider's full height, not only as far as a short menu reaches. */}
      <Layout.Sider theme="light" width={200} style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
        <Typography.Title level={5} style={{ padding: '16px 20px', margin: 0 }}>
          校园一卡通管理后台
        </Typography.Title>
        <Menu
          mode="inline"
          style={{ borderInlineEnd: 'none' }}
          selectedKeys={page ? [page] : []}
          items={allowed.map((m) => ({ key: m.key, label: m.label, icon: m.icon }))}
          onClick={(e) => go(`/${e.key}`)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end' }}>
          <Space>
            <span data-testid="who">{me.displayName}</span>
            <Tag color="green">{me.roleName}</Tag>
            {me.department ? <Tag>{me.department}</Tag> : null}
            <MyAccount
              me={me}
              onSignedOut={() => {
                session.clear();
                setMe(null);
              }}
            />
            <Button icon={<LogoutOutlined />} onClick={logout}>
              退出
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={loading}>
            {refused ? (
              <ForbiddenPage onBack={() => go('/workbench')} />
            ) : page === 'workbench' ? (
              <WorkbenchPage me={me} />
            ) : page === 'cards' && parts[1] ? (
              <CardPage me={me} cardNo={parts[1]} />
            ) : page === 'cards' ? (
              <SearchPage
                onOpen={(cardNo) => go(`/cards/${cardNo}`)}
                mayOpenCards={me.rights.includes('card.manage')}
              />
            ) : page === 'approvals' ? (
              <ApprovalsPage me={me} />
            ) : page === 'audit' ? (
              <AuditPage />
            ) : page === 'sync' ? (
              <SyncPage me={me} />
            ) : page === 'funds' ? (
              <FundsPage me={me} />
            ) : page === 'refunds' ? (
              <RefundsPage me={me} />
            ) : page === 'disputes' ? (
              <DisputesPage me={me} />
            ) : page === 'payments' ? (
              <CampusPaymentsPage me={me} />
            ) : page === 'bank' ? (
              <BankPage me={me} />
            ) : page === 'reports' ? (
              <ReportsPage me={me} />
            ) : page === 'attendance' ? (
              <AttendancePage me={me} />
            ) : page === 'insight-reports' ? (
              <CardCentreReportsPage />
            ) : page === 'insight-aid' ? (
              <HiddenNeedPage />
            ) : page === 'insight-warnings' ? (
              <AttendanceWarningsPage />
            ) : page === 'dashboard' ? (
              <DashboardPage />
            ) : page === 'devices' ? (
              <DevicesPage me={me} />
            ) : page === 'offline' ? (
              <OfflineExceptionsPage me={me} />
            ) : page === 'visitors' ? (
              <VisitorsPage me={me} />
            ) : page === 'meetings' ? (
              <MeetingsPage me={me} />
            ) : page === 'passage' ? (
              <PassagePage me={me} />
            ) : page === 'bus' ? (
              <BusPage me={me} />
            ) : page === 'merchants' ? (
              <MerchantsPage me={me} />
            ) : page === 'content' ? (
              <ContentPage me={me} />
            ) : page === 'messages' ? (
              <MessagesPage />
            ) : page === 'federation' ? (
              <FederationPage me={me} />
            ) : page === 'accounts' ? (
              <AccountsPage me={me} />
            ) : null}
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
