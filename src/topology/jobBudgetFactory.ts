// The projects' job budget over its window; each project's budget comes with its placement, so one serves them all.
import type { GatewayConfig } from '../config/schema';
import { createJobBudget, type JobBudget } from '../rate-limit/JobBudget';
import type { PieceFactory } from './Pool';
import type { RuntimeServices } from './Runtime';

export interface JobBudgetSlice {
  windowMs: number;
}

export const jobBudgetFactory = (services: RuntimeServices) => ({
  name: 'job-budget',
  select: (config: GatewayConfig): JobBudgetSlice => ({ windowMs: config.rateLimit.projectJobBudgetWindowMs }),
  build: ({ windowMs }: JobBudgetSlice) => ({
    value: createJobBudget({ windowMs, stores: services.stores.jobBudget, metrics: services.metrics }),
    close: () => undefined,
  }),
}) satisfies PieceFactory<GatewayConfig, [], JobBudgetSlice, JobBudget>;
