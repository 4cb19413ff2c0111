/**
 * KEDA's aws-sqs-queue scaler: which queue attributes make the metric, and when the scaler is
 * active. The HPA then divides the metric by `queueLength` (an AverageValue target).
 */
export interface SqsScalerSpec {
  /** Target messages per replica. @defaultValue 5 */
  queueLength: number;
  /** The scaler is active (KEDA scales 0 → 1) only when the metric is above this. @defaultValue 0 */
  activationQueueLength: number;
  /** Count ApproximateNumberOfMessagesNotVisible (in flight). @defaultValue true */
  scaleOnInFlight: boolean;
  /** Count ApproximateNumberOfMessagesDelayed. @defaultValue false */
  scaleOnDelayed: boolean;
}

export const KEDA_SQS_DEFAULTS: SqsScalerSpec = { queueLength: 5, activationQueueLength: 0, scaleOnInFlight: true, scaleOnDelayed: false };

export interface QueueAttributes {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** "Actual messages": ApproximateNumberOfMessages, plus NotVisible with scaleOnInFlight, plus Delayed with scaleOnDelayed. */
export function sqsMetric(q: QueueAttributes, spec: SqsScalerSpec): number {
  return q.visible + (spec.scaleOnInFlight ? q.inFlight : 0) + (spec.scaleOnDelayed ? q.delayed : 0);
}

/** KEDA's activation test is strict: `queueLength > activationQueueLength`. */
export function isScalerActive(metric: number, spec: SqsScalerSpec): boolean {
  return metric > spec.activationQueueLength;
}
