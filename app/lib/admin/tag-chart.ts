/**
 * The most common issues as a stacked bar chart (F22): one bar per period, one
 * colour per tag. Chart.js draws it (README: why Chart.js); only the parts a bar chart
 * needs are registered, so the rest of the library stays out of the bundle. The table
 * beside the chart is its accessible form; the canvas carries a one-line summary.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { TagStatsView } from '$protocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** Tags drawn one by one; the rest are summed as "other tags" (the table lists all). */
export const CHART_TAGS = 8;

/** Eight colours told apart by most people with a colour-vision deficiency (Okabe–Ito,
 * with grey for the rest). */
const COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
const OTHER_COLOUR = '#8c959f';

export type ChartSeries = { label: string; counts: number[]; colour: string };

/** The series the chart draws: the most used tags, then one for all the others. */
export function chartSeries(view: TagStatsView): ChartSeries[] {
  const shown = view.tags.slice(0, CHART_TAGS).map((t, i) => ({
    label: t.tag,
    counts: t.counts,
    colour: COLOURS[i % COLOURS.length]!,
  }));
  const rest = view.tags.slice(CHART_TAGS);
  if (rest.length === 0) return shown;
  const counts = view.periods.map((_, i) => rest.reduce((sum, t) => sum + (t.counts[i] ?? 0), 0));
  return [...shown, { label: `${rest.length} other tags`, counts, colour: OTHER_COLOUR }];
}

/** Draws the view on the canvas; the returned function removes the chart. */
export function drawTagChart(canvas: HTMLCanvasElement, view: TagStatsView): () => void {
  const style = getComputedStyle(canvas);
  const text = style.getPropertyValue('--pd-fg').trim() || '#1b1f24';
  const grid = style.getPropertyValue('--pd-border').trim() || '#8c959f';
  const config: ChartConfiguration<'bar', number[], string> = {
    type: 'bar',
    data: {
      labels: view.periods,
      datasets: chartSeries(view).map((s) => ({
        label: s.label,
        data: s.counts,
        backgroundColor: s.colour,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // A redraw per data change, not an animation: the page is read, not watched.
      animation: false,
      color: text,
      scales: {
        x: { stacked: true, ticks: { color: text }, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { color: text, precision: 0 },
          grid: { color: grid },
          title: { display: true, text: 'Chats', color: text },
        },
      },
      plugins: { legend: { position: 'bottom', labels: { color: text } } },
    },
  };
  const chart = new Chart(canvas, config);
  return () => chart.destroy();
}
