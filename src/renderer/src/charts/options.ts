// The chart options are pure functions of the data, shared with the report service (which renders
// the same charts to SVG): src/shared/charts.
export * from '@shared/charts/options'
