/** One line of a chart. */
export interface ChartSeries {
  label: string;
  points: Array<{ x: number; y: number }>;
}

/** One panel: a title, axes and its lines. */
export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
}

/** Options of {@link svgLineChart}. */
export interface SvgLineChartOptions {
  panels: ChartPanel[];
  /** Shared y range; points outside are clipped to it, as a textbook figure's axis does. */
  yRange: [number, number];
  xRange: [number, number];
  title?: string;
  panelWidth?: number;
  panelHeight?: number;
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A tick label: whole numbers as they are, others with at most two decimals. */
function label(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(Math.abs(value) >= 10 ? 0 : 2)));
}

function ticks([low, high]: [number, number], count: number): number[] {
  const step = (high - low) / count;
  return Array.from({ length: count + 1 }, (_, index) => Number((low + step * index).toFixed(6)));
}

/**
 * A dependency-free SVG line chart with side-by-side panels sharing a y axis:
 * enough for benchmark figures that a browser or the file viewer can show.
 */
export function svgLineChart({
  panels,
  yRange,
  xRange,
  title,
  panelWidth = 420,
  panelHeight = 320,
}: SvgLineChartOptions): string {
  const margin = { top: title === undefined ? 30 : 55, right: 20, bottom: 50, left: 60 };
  const legendWidth = 110;
  const width = margin.left + panels.length * (panelWidth + margin.right) + legendWidth;
  const height = margin.top + panelHeight + margin.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (title !== undefined) {
    parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`);
  }
  const labels = panels[0]?.series.map((series) => series.label) ?? [];
  panels.forEach((panel, panelIndex) => {
    const left = margin.left + panelIndex * (panelWidth + margin.right);
    const top = margin.top;
    const xOf = (x: number): number => left + ((x - xRange[0]) / (xRange[1] - xRange[0])) * panelWidth;
    const yOf = (y: number): number => {
      const clipped = Math.min(yRange[1], Math.max(yRange[0], Number.isFinite(y) ? y : yRange[1]));
      return top + panelHeight - ((clipped - yRange[0]) / (yRange[1] - yRange[0])) * panelHeight;
    };
    parts.push(`<rect x="${left}" y="${top}" width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#333"/>`);
    parts.push(`<text x="${left + panelWidth / 2}" y="${top - 8}" text-anchor="middle" font-size="13">${escapeXml(panel.title)}</text>`);
    for (const tick of ticks(xRange, 5)) {
      parts.push(`<line x1="${xOf(tick)}" y1="${top + panelHeight}" x2="${xOf(tick)}" y2="${top + panelHeight + 5}" stroke="#333"/>`);
      parts.push(`<text x="${xOf(tick)}" y="${top + panelHeight + 18}" text-anchor="middle">${label(tick)}</text>`);
    }
    for (const tick of ticks(yRange, 5)) {
      parts.push(`<line x1="${left}" y1="${yOf(tick)}" x2="${left + panelWidth}" y2="${yOf(tick)}" stroke="#eee"/>`);
      parts.push(`<text x="${left - 6}" y="${yOf(tick) + 4}" text-anchor="end">${label(tick)}</text>`);
    }
    parts.push(`<text x="${left + panelWidth / 2}" y="${top + panelHeight + 38}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
    if (panelIndex === 0) {
      parts.push(
        `<text x="16" y="${top + panelHeight / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + panelHeight / 2})">${escapeXml(panel.yLabel)}</text>`,
      );
    }
    panel.series.forEach((series, seriesIndex) => {
      const points = series.points.map((point) => `${xOf(point.x).toFixed(1)},${yOf(point.y).toFixed(1)}`).join(" ");
      parts.push(`<polyline fill="none" stroke="${COLORS[seriesIndex % COLORS.length]}" stroke-width="1.8" points="${points}"/>`);
    });
  });
  const legendLeft = width - legendWidth + 5;
  labels.forEach((label, index) => {
    const y = margin.top + 10 + index * 18;
    parts.push(`<line x1="${legendLeft}" y1="${y}" x2="${legendLeft + 20}" y2="${y}" stroke="${COLORS[index % COLORS.length]}" stroke-width="2.5"/>`);
    parts.push(`<text x="${legendLeft + 26}" y="${y + 4}">${escapeXml(label)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
