import { simulateCapacity, type CapacityPlan, type CapacityScenario } from '../domain/capacity/simulate.js';
import { DEFAULT_PER_POD_PER_MINUTE } from '../domain/capacity/throughput.js';

export interface PlanResult {
  plan: CapacityPlan;
  scenario: CapacityScenario;
  /** Where the per-pod rate came from: the flag, or the built-in default. */
  throughputSource: string;
}

/** Fills the per-pod rate (the flag, else the default) and runs the simulation. */
export function planCapacity(scenario: Omit<CapacityScenario, 'perPodPerMinute'> & { perPodPerMinute?: number | undefined }): PlanResult {
  const perPodPerMinute = scenario.perPodPerMinute ?? DEFAULT_PER_POD_PER_MINUTE;
  const throughputSource = scenario.perPodPerMinute === undefined ? `default (${DEFAULT_PER_POD_PER_MINUTE}/min; pass --per-pod with the rate \`npm run bench\` prints)` : '--per-pod';
  const full: CapacityScenario = { ...scenario, perPodPerMinute };
  return { plan: simulateCapacity(full), scenario: full, throughputSource };
}
