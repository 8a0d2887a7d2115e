import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { UsageQuery } from "../gql/graphql";

/** Seconds since the epoch at UTC midnight of a YYYY-MM-DD or YYYY-MM period: uPlot's x scale. */
function periodStart(period: string): number {
  return Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`) / 1000;
}

/**
 * Messages (left axis) and billable units (right axis) per period, drawn by uPlot: a small,
 * fast canvas chart (about 20 KB gzip), loaded only with this page.
 */
export function UsageChart({ buckets, from, to }: { buckets: UsageQuery["usage"]; from: string; to: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const data: uPlot.AlignedData = [buckets.map((bucket) => periodStart(bucket.period)), buckets.map((bucket) => bucket.messages), buckets.map((bucket) => bucket.units)];
    const options: uPlot.Options = {
      width: element.clientWidth || 800,
      height: 280,
      // The x axis spans the period asked for, so a quiet stretch reads as quiet, not as missing.
      scales: { x: { time: true, range: () => [periodStart(from), periodStart(to) + 86_400] }, messages: { range: (_, __, max) => [0, Math.max(1, max) * 1.1] }, units: { range: (_, __, max) => [0, Math.max(1, max) * 1.1] } },
      series: [
        { label: "Day", value: (_, value) => (value === null ? "—" : new Date(value * 1000).toISOString().slice(0, buckets[0]?.period.length === 7 ? 7 : 10)) },
        { label: "Messages", scale: "messages", stroke: "#2563eb", fill: "rgba(37,99,235,0.35)", width: 1, paths: uPlot.paths.bars!({ size: [0.6, 40] }), points: { show: false } },
        { label: "Units", scale: "units", stroke: "#d97706", width: 2, points: { show: buckets.length < 60 } },
      ],
      axes: [{}, { scale: "messages", label: "messages" }, { scale: "units", side: 1, label: "units", grid: { show: false } }],
    };
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: 280 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [buckets, from, to]);
  return <div className="usage-chart" ref={host} role="img" aria-label="Messages and units per period" />;
}
