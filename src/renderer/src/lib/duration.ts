// Shared with the command line, which prints durations the same way.
export { formatDuration } from '@shared/format'
