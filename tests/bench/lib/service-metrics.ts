/** Reads the service's Prometheus gauges from GET /metrics. */

export async function gauge(port: number, name: string, labels: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  // A gauge never set has no line: it reads as zero.
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
