export { meanAndInterval } from "./mean-interval.js";
export { svgLineChart } from "./svg-line-chart.js";
export type { ChartPanel, ChartSeries, SvgLineChartOptions } from "./svg-line-chart.js";
