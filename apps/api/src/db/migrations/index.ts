import { InitialSchema1764144000000 } from "./1764144000000-initial-schema.js";
import { Auth1764200000000 } from "./1764200000000-auth.js";
import { JobsValidation1764300000000 } from "./1764300000000-jobs-validation.js";
import { SyncUsageAudit1764400000000 } from "./1764400000000-sync-usage-audit.js";
import { ValidationErrorRunIndex1764500000000 } from "./1764500000000-validation-error-run-index.js";
import { ValidationErrorFingerprint1764600000000 } from "./1764600000000-validation-error-fingerprint.js";
import { ValidationRunPublished1764700000000 } from "./1764700000000-validation-run-published.js";
import { ValidationErrorRulesFromCode1764800000000 } from "./1764800000000-validation-error-rules-from-code.js";
import { ListCustomerServerIndex1764900000000 } from "./1764900000000-list-customer-server-index.js";
import { ValidationRunWithdrawn1765000000000 } from "./1765000000000-validation-run-withdrawn.js";
import { MessageLogSite1765100000000 } from "./1765100000000-message-log-site.js";
import { ServerTls1765200000000 } from "./1765200000000-server-tls.js";
import { MessageLogEpoch1765300000000 } from "./1765300000000-message-log-epoch.js";
import { MessageLogSentAtIndex1765400000000 } from "./1765400000000-message-log-sent-at-index.js";
import { CustomerPlanPeriod1765500000000 } from "./1765500000000-customer-plan-period.js";
import { AuditGlobalIds1765600000000 } from "./1765600000000-audit-global-ids.js";
import { UserDisabled1765700000000 } from "./1765700000000-user-disabled.js";
import { ApiTokenLastUsed1765800000000 } from "./1765800000000-api-token-last-used.js";
import { ValidationErrorSupersededAt1765900000000 } from "./1765900000000-validation-error-superseded-at.js";
import { ValidationErrorServerIndexCode1766000000000 } from "./1766000000000-validation-error-server-index-code.js";

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const migrations = [InitialSchema1764144000000, Auth1764200000000, JobsValidation1764300000000, SyncUsageAudit1764400000000, ValidationErrorRunIndex1764500000000, ValidationErrorFingerprint1764600000000, ValidationRunPublished1764700000000, ValidationErrorRulesFromCode1764800000000, ListCustomerServerIndex1764900000000, ValidationRunWithdrawn1765000000000, MessageLogSite1765100000000, ServerTls1765200000000, MessageLogEpoch1765300000000, MessageLogSentAtIndex1765400000000, CustomerPlanPeriod1765500000000, AuditGlobalIds1765600000000, UserDisabled1765700000000, ApiTokenLastUsed1765800000000, ValidationErrorSupersededAt1765900000000, ValidationErrorServerIndexCode1766000000000];
