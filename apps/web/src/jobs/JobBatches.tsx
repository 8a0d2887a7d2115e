import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

/** Jobs an operator started together (one click of Validate, Sync or Fix), watched as one. */
export interface JobBatch {
  key: number;
  kind: "VALIDATE" | "SYNC" | "FIX";
  label: string;
  jobIds: string[];
  /** Servers the batch covers, for "click here to fix" to open the errors of this run. */
  serverIds: string[];
}

interface JobBatchesValue {
  batches: JobBatch[];
  track(batch: Omit<JobBatch, "key">): void;
  dismiss(key: number): void;
}

const JobBatchesContext = createContext<JobBatchesValue | null>(null);

/** Kept above the pages, so a validation started on Servers stays visible on every page. */
export function JobBatchesProvider({ children }: { children: ReactNode }) {
  const [batches, setBatches] = useState<JobBatch[]>([]);
  const track = useCallback((batch: Omit<JobBatch, "key">) => {
    setBatches((current) => [{ ...batch, key: Date.now() + Math.random() }, ...current.filter((old) => old.kind !== batch.kind)]);
  }, []);
  const dismiss = useCallback((key: number) => setBatches((current) => current.filter((batch) => batch.key !== key)), []);
  const value = useMemo(() => ({ batches, track, dismiss }), [batches, track, dismiss]);
  return <JobBatchesContext.Provider value={value}>{children}</JobBatchesContext.Provider>;
}

export function useJobBatches(): JobBatchesValue {
  const value = useContext(JobBatchesContext);
  if (!value) throw new Error("useJobBatches needs a JobBatchesProvider above it");
  return value;
}
