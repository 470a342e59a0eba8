/**
 * Replays per-second behaviour of ELB, SQS and ECS during a deployment through a synthesized
 * alarm: its own metric math (parsed from the template's `Metrics`), its statistics and periods,
 * and CloudWatch's M-of-N evaluation with its missing-data treatment. Nothing here knows what
 * the library's alarms look like: every number comes from the template.
 *
 * Model (the assumptions the README's promises rest on):
 * - ELB: a new target is checked every `Interval` s; `UnhealthyThresholdCount` failures make it
 *   unhealthy, `HealthyThresholdCount` passes after the app is ready make it healthy. ELB sends
 *   requests only to healthy targets while any target is healthy; health checks are not counted
 *   in RequestCount or HTTPCode_Target_5XX_Count.
 * - ECS rolling: the old tasks drain (no new requests) once the new ones are healthy, and stop
 *   after the deregistration delay: the deployment is then steady and ECS watches the alarms for
 *   EvaluationPeriods × Period more. Canary/linear/blue/green: the new revision takes its share
 *   once healthy, the rest after the step bakes, and ECS watches until the bake time ends.
 * - SQS: a worker holds (in flight) every message it works on; a release that stopped consuming
 *   holds none; one that fails every message sends it to the dead-letter queue after
 *   maxReceiveCount receives, one visibility timeout apart.
 * - A datapoint reaches the alarm 60 s after its minute ends (the assumed metric delay).
 */

type Series = Array<number | undefined>;

// ---------------------------------------------------------------- metric math
type Node =
  | { kind: 'num'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'bin'; op: string; left: Node; right: Node }
  | { kind: 'neg'; operand: Node };

function tokenize(text: string): string[] {
  const tokens = text.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|[-+*/(),[\]<>]/g);
  if (!tokens || tokens.join('') !== text.replace(/\s+/g, '')) throw new Error(`cannot read metric math: ${text}`);
  return tokens;
}

/** Parses CloudWatch metric math (the subset alarms use: IF, FILL, MAX, MIN, DIFF, arithmetic, comparisons, AND, OR). */
export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (expected !== undefined && t !== expected) throw new Error(`expected ${expected} at ${i} in ${text}`);
    return t;
  };
  const levels: string[][] = [['OR'], ['AND'], ['>', '>=', '<', '<=', '==', '!='], ['+', '-'], ['*', '/']];
  const binary = (level: number): Node => {
    if (level === levels.length) return unary();
    let left = binary(level + 1);
    while (levels[level].includes(peek())) {
      const op = take();
      left = { kind: 'bin', op, left, right: binary(level + 1) };
    }
    return left;
  };
  const unary = (): Node => (peek() === '-' ? (take(), { kind: 'neg', operand: unary() }) : primary());
  const primary = (): Node => {
    const t = take();
    if (t === '(') {
      const inner = binary(0);
      take(')');
      return inner;
    }
    if (t === '[') {
      const items = [binary(0)];
      while (peek() === ',') { take(); items.push(binary(0)); }
      take(']');
      return { kind: 'list', items };
    }
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (peek() === '(') {
      take('(');
      const args = [binary(0)];
      while (peek() === ',') { take(); args.push(binary(0)); }
      take(')');
      return { kind: 'call', name: t, args };
    }
    return { kind: 'id', name: t };
  };
  const node = binary(0);
  if (i !== tokens.length) throw new Error(`trailing input in ${text}`);
  return node;
}

function zip(series: Series[], length: number, f: (values: Array<number | undefined>) => number | undefined): Series {
  return Array.from({ length }, (_v, t) => f(series.map((s) => s[t])));
}

/** Evaluates a parsed expression over per-period series of the ids it names. */
export function evaluate(node: Node, vars: Record<string, Series>, length: number): Series {
  const ev = (n: Node): Series => evaluate(n, vars, length);
  switch (node.kind) {
    case 'num': return Array(length).fill(node.value);
    case 'id': {
      const s = vars[node.name];
      if (!s) throw new Error(`unknown id ${node.name}`);
      return s;
    }
    case 'neg': return ev(node.operand).map((v) => (v === undefined ? undefined : -v));
    case 'list': throw new Error('a list outside MAX/MIN');
    case 'bin': {
      const { op, left, right } = node;
      return zip([ev(left), ev(right)], length, ([a, b]) => {
        if (a === undefined || b === undefined) return undefined;
        switch (op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return b === 0 ? undefined : a / b;
          case '>': return a > b ? 1 : 0;
          case '>=': return a >= b ? 1 : 0;
          case '<': return a < b ? 1 : 0;
          case '<=': return a <= b ? 1 : 0;
          case '==': return a === b ? 1 : 0;
          case '!=': return a !== b ? 1 : 0;
          case 'AND': return a !== 0 && b !== 0 ? 1 : 0;
          case 'OR': return a !== 0 || b !== 0 ? 1 : 0;
          default: throw new Error(`operator ${op}`);
        }
      });
    }
    case 'call': {
      const { name, args } = node;
      switch (name) {
        case 'FILL': {
          const [s, fill] = [ev(args[0]), ev(args[1])];
          return s.map((v, t) => v ?? fill[t]);
        }
        case 'IF': {
          const [c, a, b] = args.map(ev);
          return c.map((v, t) => (v === undefined ? undefined : v !== 0 ? a[t] : b[t]));
        }
        case 'DIFF': {
          const s = ev(args[0]);
          return s.map((v, t) => (t === 0 || v === undefined || s[t - 1] === undefined ? undefined : v - s[t - 1]!));
        }
        case 'MAX':
        case 'MIN': {
          const items = args.length === 1 && args[0].kind === 'list' ? args[0].items.map(ev) : args.map(ev);
          const pick = name === 'MAX' ? Math.max : Math.min;
          return zip(items, length, (values) => {
            const known = values.filter((v): v is number => v !== undefined);
            return known.length === 0 ? undefined : pick(...known);
          });
        }
        default: throw new Error(`function ${name} is not modelled`);
      }
    }
  }
}

// ---------------------------------------------------------------- the world, second by second
/** Per-second values of one metric: a rate (summed) or a gauge (sampled); NaN where nothing is reported. */
export type World = Record<string, number[]>;

/** The key of a metric in a world: its name and the logical id of the resource it describes. */
export function metricKey(metricName: string, resourceId: string): string {
  return `${metricName}@${resourceId}`;
}

function aggregate(perSecond: number[], stat: string, periodSeconds: number): Series {
  const out: Series = [];
  for (let start = 0; start + periodSeconds <= perSecond.length; start += periodSeconds) {
    // NaN is a second with no data point (SQS stops reporting an empty queue left alone for 6 hours).
    const slice = perSecond.slice(start, start + periodSeconds).filter((v) => !Number.isNaN(v));
    if (slice.length === 0) {
      out.push(undefined);
      continue;
    }
    switch (stat) {
      case 'Sum': out.push(slice.reduce((a, b) => a + b, 0)); break;
      case 'Maximum': out.push(Math.max(...slice)); break;
      case 'Minimum': out.push(Math.min(...slice)); break;
      case 'Average': out.push(slice.reduce((a, b) => a + b, 0) / slice.length); break;
      default: throw new Error(`statistic ${stat} is not modelled`);
    }
  }
  return out;
}

/** The logical id a metric dimension refers to (`Fn::GetAtt` or `Ref`), or the literal. */
function dimensionResource(value: unknown): string {
  const v = value as Record<string, any>;
  if (v && v['Fn::GetAtt']) return v['Fn::GetAtt'][0];
  if (v && v.Ref) return v.Ref;
  return String(value);
}

// ---------------------------------------------------------------- CloudWatch's evaluation
/** The alarm's properties as synthesized. */
export type AlarmProperties = Record<string, any>;

/** The per-period values the alarm compares with its threshold. */
export function alarmSeries(alarm: AlarmProperties, world: World): { series: Series; periodSeconds: number } {
  const read = (stat: { Metric: any; Period: number; Stat: string }): Series => {
    const dims = (stat.Metric.Dimensions ?? []) as Array<{ Name: string; Value: unknown }>;
    // The resource a metric describes: its target group or queue (a target group's metrics also
    // carry the load balancer's dimension).
    const own = dims.find((d) => d.Name === 'TargetGroup' || d.Name === 'QueueName') ?? dims[0];
    const resource = own ? dimensionResource(own.Value) : '';
    const perSecond = world[metricKey(stat.Metric.MetricName, resource)];
    if (!perSecond) throw new Error(`the replay has no ${stat.Metric.MetricName} of ${resource}`);
    return aggregate(perSecond, stat.Stat, stat.Period);
  };
  if (alarm.Metrics) {
    const metrics = alarm.Metrics as Array<Record<string, any>>;
    const periodSeconds = Math.max(...metrics.map((m) => m.Period ?? m.MetricStat?.Period ?? 0));
    const vars: Record<string, Series> = {};
    for (const m of metrics) if (m.MetricStat) vars[m.Id] = read(m.MetricStat);
    const length = Math.min(...Object.values(vars).map((s) => s.length));
    const returned = metrics.find((m) => m.ReturnData !== false && m.Expression) ?? metrics.find((m) => m.Expression);
    const series = returned ? evaluate(parseExpression(returned.Expression), vars, length) : Object.values(vars)[0];
    return { series, periodSeconds };
  }
  const stat = { Metric: { MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }, Period: alarm.Period, Stat: alarm.Statistic };
  return { series: read(stat), periodSeconds: alarm.Period };
}

const COMPARE: Record<string, (v: number, t: number) => boolean> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

/**
 * The second at which the alarm first goes to ALARM, or undefined. CloudWatch evaluates every
 * period the last EvaluationPeriods datapoints that have arrived, and alarms when
 * DatapointsToAlarm of them breach; missing datapoints count as TreatMissingData says
 * (notBreaching, missing and ignore are all "not breaching" for going into ALARM).
 */
export function firstAlarmSecond(alarm: AlarmProperties, world: World, metricDelaySeconds = 60): number | undefined {
  const { series, periodSeconds } = alarmSeries(alarm, world);
  const compare = COMPARE[alarm.ComparisonOperator];
  if (!compare) throw new Error(`comparison ${alarm.ComparisonOperator} is not modelled`);
  const n = alarm.EvaluationPeriods as number;
  const m = (alarm.DatapointsToAlarm ?? n) as number;
  const breachingMissing = alarm.TreatMissingData === 'breaching';
  const breach = series.map((v) => (v === undefined ? breachingMissing : compare(v, alarm.Threshold)));
  for (let last = 0; last < breach.length; last++) {
    const window = breach.slice(Math.max(0, last - n + 1), last + 1);
    if (window.filter(Boolean).length >= m) return (last + 1) * periodSeconds + metricDelaySeconds;
  }
  return undefined;
}
