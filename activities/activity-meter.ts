// The worker's metric meter, for activities that count or time what they do on the worker's metrics endpoint.
import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';

/** The meter when running as an activity (local or not); undefined for a direct call (a script, a unit test). */
export function activityMeter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}
