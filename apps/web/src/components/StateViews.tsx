import type { ReactNode } from "react";

/** The four states every view renders (STYLE.md): loading, empty and error live here. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load this.</strong> {message}
      {retry && (
        <button type="button" className="link-button" onClick={() => retry()}>
          Try again
        </button>
      )}
    </div>
  );
}

/** userErrors from a mutation payload, shown beside the form that caused them. */
export function UserErrors({ errors }: { errors: readonly { code: string; message: string }[] }) {
  if (!errors.length) return null;
  return (
    <ul className="user-errors" role="alert">
      {errors.map((error) => (
        <li key={`${error.code}:${error.message}`}>{error.message}</li>
      ))}
    </ul>
  );
}

/** The button under a connection's rows that asks for its next page, while it has one. */
export function LoadMore({ pageInfo, loading, onMore, children = "Load more" }: { pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined; loading: boolean; onMore: (after: string | null | undefined) => void; children?: ReactNode }) {
  if (!pageInfo?.hasNextPage) return null;
  return (
    <button type="button" className="load-more" disabled={loading} onClick={() => onMore(pageInfo.endCursor)}>
      {children}
    </button>
  );
}
