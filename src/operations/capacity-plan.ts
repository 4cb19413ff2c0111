import { simulateCapacity, type CapacityPlan, type CapacityScenario } from '../domain/capacity/simulate.js';
import { DEFAULT_PER_POD_PER_MINUTE } from '../domain/capacity/throughput.js';
import type { ThroughputSource } from '../ports/throughput-source.port.js';

export interface PlanResult {
  plan: CapacityPlan;
  scenario: CapacityScenario;
  /** Where the per-pod rate came from: the flag, a bench result file, or the built-in default. */
  throughputSource: string;
}

/** Fills the per-pod rate (flag, else newest bench result, else the default) and runs the simulation. */
export async function planCapacity(
  deps: { throughput: ThroughputSource },
  scenario: Omit<CapacityScenario, 'perPodPerMinute'> & { perPodPerMinute?: number },
): Promise<PlanResult> {
  let perPodPerMinute = scenario.perPodPerMinute;
  let throughputSource = '--per-pod';
  if (perPodPerMinute === undefined) {
    const measured = await deps.throughput.latest();
    perPodPerMinute = measured?.perPodPerMinute ?? DEFAULT_PER_POD_PER_MINUTE;
    throughputSource = measured ? measured.source : `default (${DEFAULT_PER_POD_PER_MINUTE}/min: no bench result)`;
  }
  const full: CapacityScenario = { ...scenario, perPodPerMinute };
  return { plan: simulateCapacity(full), scenario: full, throughputSource };
}
