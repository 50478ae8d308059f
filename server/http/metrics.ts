/** A small Prometheus text-format registry (web-standard: no Node APIs). */

type Labels = Record<string, string>;

export const labelKey = (labels: Labels): string =>
  Object.entries(labels)
    .map(
      ([key, value]) =>
        `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');

export class Counter {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    this.incKey(labelKey(labels), by);
  }
  /** Hot paths: `key` from labelsKey(), computed once per label set. */
  incKey(key: string, by = 1): void {
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values)
      lines.push(`${this.name}${key ? `{${key}}` : ''} ${value}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.buckets.forEach((bound, index) => {
      if (value <= bound) this.counts[index] = (this.counts[index] ?? 0) + 1;
    });
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, index) => {
      lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[index]}`);
    });
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

/** Renders one gauge family from current values. */
export function renderGauge(name: string, help: string, values: [Labels, number][]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [labels, value] of values) {
    const key = labelKey(labels);
    lines.push(`${name}${key ? `{${key}}` : ''} ${value}`);
  }
  return lines.join('\n');
}

/** Every metric EndCue exports; one instance per server. */
export class EndcueMetrics {
  readonly httpRequests = new Counter(
    'endcue_http_requests_total',
    'HTTP requests by route and status.',
  );
  readonly creditsLookups = new Counter(
    'endcue_credits_lookups_total',
    'Credits lookups by outcome (hit = served from the store, miss = analysis pending).',
  );
  readonly jobsFinished = new Counter(
    'endcue_jobs_finished_total',
    'Analysis jobs finished, by outcome.',
  );
  readonly jobRetries = new Counter(
    'endcue_job_retries_total',
    'Analysis runs that failed and were scheduled again.',
  );
  readonly jobDuration = new Histogram(
    'endcue_job_duration_seconds',
    'Wall time of analysis runs.',
    [1, 5, 15, 30, 60, 120, 300, 600, 1800],
  );

  render(extra = ''): string {
    return `${[
      this.httpRequests.render(),
      this.creditsLookups.render(),
      this.jobsFinished.render(),
      this.jobRetries.render(),
      this.jobDuration.render(),
      extra,
    ]
      .filter((part) => part.length > 0)
      .join('\n')}\n`;
  }
}
