import { z } from 'zod';
import { DEFAULT_BEHAVIOR, type HpaBehavior, type ScalingRules } from './hpa.js';

const policy = z.object({ type: z.enum(['Pods', 'Percent']), value: z.number().int().positive(), periodSeconds: z.number().int().min(1).max(1800) }).strict();
const rules = z
  .object({
    stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
    selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
    policies: z.array(policy).min(1).optional(),
  })
  .strict();
const behavior = z.object({ scaleUp: rules.optional(), scaleDown: rules.optional() }).strict();

function merge(base: ScalingRules, given: z.infer<typeof rules> | undefined): ScalingRules {
  return {
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? base.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? base.selectPolicy,
    policies: given?.policies ?? base.policies,
  };
}

/**
 * Reads an HPA `behavior` object as written in a ScaledObject's `advanced.horizontalPodAutoscalerConfig`
 * (JSON); fields left out take the API server's defaults, as they would in the cluster.
 */
export function parseBehavior(json: unknown): HpaBehavior {
  const parsed = behavior.safeParse(json);
  if (!parsed.success) {
    throw new Error(`behavior: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return { scaleUp: merge(DEFAULT_BEHAVIOR.scaleUp, parsed.data.scaleUp), scaleDown: merge(DEFAULT_BEHAVIOR.scaleDown, parsed.data.scaleDown) };
}
