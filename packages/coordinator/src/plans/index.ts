// Plans: one submission, many items (templates, wildcards, prompt matrices, X/Y/Z axes, seeds).
export { expandPlan, PLAN_LIMITS, type ExpandedPlan } from "./expand-plan.ts";
export { AXIS_NAMES, AXIS_SETTINGS, type AxisDefinition } from "./plan-axes.ts";
