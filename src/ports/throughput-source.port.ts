/** Where a measured per-pod rate comes from (the newest `npm run bench` result). */
export interface MeasuredThroughput {
  perPodPerMinute: number;
  source: string;
}

export interface ThroughputSource {
  latest(): Promise<MeasuredThroughput | null>;
}
