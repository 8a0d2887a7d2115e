import { AssignmentService } from "./assignments/assignment.service.js";
import { CustomerService } from "./customers/customer.service.js";
import type { Database } from "./db/database.js";
import { ListService } from "./lists/list.service.js";
import { HostingPlanService } from "./plans/hosting-plan.service.js";
import type { SecretBox } from "./secrets/secret-box.js";
import { ServerService } from "./servers/server.service.js";

/** The app's behaviour, one service per domain, built once per process. */
export function createServices(db: Database, secrets: SecretBox) {
  return {
    servers: new ServerService(db, secrets),
    lists: new ListService(db),
    customers: new CustomerService(db),
    plans: new HostingPlanService(db),
    assignments: new AssignmentService(db),
  };
}

export type Services = ReturnType<typeof createServices>;
