/** How much of one plan limit a customer uses; 0 means unlimited. Over the limit turns red. */
export function UsageBar({ label, used, limit }: { label: string; used: number; limit: number }) {
  const unlimited = limit === 0;
  const ratio = unlimited ? 0 : used / limit;
  const tone = ratio > 1 ? "bad" : ratio > 0.9 ? "warn" : "ok";
  return (
    <div className="usage-bar">
      <div className="usage-bar-label">
        <span>{label}</span>
        <span>
          {used.toLocaleString()} / {unlimited ? "unlimited" : limit.toLocaleString()}
        </span>
      </div>
      <div className="usage-bar-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={unlimited ? used : limit} aria-valuenow={used}>
        <div className={`usage-bar-fill usage-${tone}`} style={{ width: `${unlimited ? 0 : Math.min(100, ratio * 100)}%` }} />
      </div>
    </div>
  );
}
