import { lazy, Suspense } from "react";
import { SignInPage } from "../auth/SignInPage";
import { useSession } from "../auth/useSession";
import { ErrorView, Loading } from "../components/StateViews";
import { CustomerDetailPage } from "../customers/CustomerDetailPage";
import { CustomersPage } from "../customers/CustomersPage";
import { ErrorsPage } from "../errors/ErrorsPage";
import { JobBatchesProvider } from "../jobs/JobBatches";
import { JobsPage } from "../jobs/JobsPage";
import { JobTray } from "../jobs/JobTray";
import { ListsPage } from "../lists/ListsPage";
import { ServerDetailPage } from "../servers/ServerDetailPage";
import { ServersPage } from "../servers/ServersPage";
import { AccountPage } from "../users/AccountPage";
import { TokensPage } from "../users/TokensPage";
import { UsersPage } from "../users/UsersPage";
import { Link, useLocation } from "./router";

// The chart library is the one heavy dependency; it loads when Usage is first opened.
const UsagePage = lazy(() => import("../usage/UsagePage"));

const NAV = [
  { to: "/servers", label: "Servers" },
  { to: "/errors", label: "Validation errors" },
  { to: "/lists", label: "Lists" },
  { to: "/customers", label: "Customers" },
  { to: "/jobs", label: "Jobs" },
  { to: "/usage", label: "Usage" },
];

/** What only admins see in the navigation (the API refuses the others anyway). */
const ADMIN_NAV = [
  { to: "/users", label: "Users" },
  { to: "/tokens", label: "API tokens" },
];

function Page({ pathname, user }: { pathname: string; user: { username: string; role: string } }) {
  const serverId = /^\/servers\/([^/]+)$/.exec(pathname)?.[1];
  if (serverId) return <ServerDetailPage id={decodeURIComponent(serverId)} />;
  const customerId = /^\/customers\/([^/]+)$/.exec(pathname)?.[1];
  if (customerId) return <CustomerDetailPage id={decodeURIComponent(customerId)} />;
  switch (pathname) {
    case "/":
    case "/servers":
      return <ServersPage />;
    case "/errors":
      return <ErrorsPage />;
    case "/lists":
      return <ListsPage />;
    case "/customers":
      return <CustomersPage />;
    case "/jobs":
      return <JobsPage />;
    case "/users":
      return user.role === "ADMIN" ? <UsersPage /> : <NotFound pathname={pathname} />;
    case "/tokens":
      return user.role === "ADMIN" ? <TokensPage /> : <NotFound pathname={pathname} />;
    case "/account":
      return <AccountPage username={user.username} />;
    case "/usage":
      return (
        <Suspense fallback={<Loading what="the usage chart" />}>
          <UsagePage />
        </Suspense>
      );
    default:
      return <NotFound pathname={pathname} />;
  }
}

function NotFound({ pathname }: { pathname: string }) {
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>
        Nothing lives at {pathname}. <Link to="/servers">Go to Servers</Link>
      </p>
    </section>
  );
}

export function App() {
  const session = useSession();
  const { pathname } = useLocation();
  if (session.loading && !session.user) return <Loading what="listbill" />;
  if (session.error) return <ErrorView error={session.error} retry={session.retry} />;
  if (!session.user) return <SignInPage />;
  const section = pathname === "/" ? "/servers" : `/${pathname.split("/")[1]}`;
  return (
    <JobBatchesProvider>
      <div className="shell">
        <header className="topbar">
          <Link to="/servers" className="brand">
            listbill
          </Link>
          <nav aria-label="Main">
            {[...NAV, ...(session.user.role === "ADMIN" ? ADMIN_NAV : [])].map((item) => (
              <Link key={item.to} to={item.to} className={section === item.to ? "active" : undefined} aria-current={section === item.to ? "page" : undefined}>
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="who">
            <Link to="/account" title="Your account: change your password">
              {session.user.username} <span className="muted">({session.user.role.toLowerCase()})</span>
            </Link>
            <button type="button" className="link-button" onClick={() => void session.signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main className="content">
          <JobTray />
          <Page pathname={pathname} user={session.user} />
        </main>
      </div>
    </JobBatchesProvider>
  );
}
